package io.gantry.revision;

import io.gantry.compare.Comparison;
import io.gantry.engine.EngineClients;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.FieldProblem;
import io.gantry.workload.WorkloadView;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The answer of {@code PUT /api/v1/workloads/{id}/spec?dryRun=true}: what would change, and what the engine says of
 * it ({@link io.gantry.spi.EngineClient#checkUpdate}), with nothing changed.
 */
@Component
public class SpecPreview {
    private final EngineClients clients;
    private final RevisionViews views;

    SpecPreview(EngineClients clients, RevisionViews views) {
        this.clients = clients;
        this.views = views;
    }

    /**
     * @param fields           the spec rows of the comparison, values {@code [current, proposed]}
     * @param engineValidation the engine's answer
     */
    public record Preview(List<Comparison.Field> fields, int differences,
                          EngineValidation engineValidation) {
    }

    /**
     * @param ok     whether the engine would take the spec
     * @param message the engine's words when it refused, else {@code null}
     * @param errors  the fields it would refuse, as the problem of a real update would list them; empty when {@code ok}
     */
    public record EngineValidation(boolean ok, String message, List<FieldProblem> errors) {
    }

    /** What would change from the workload's spec to {@code proposed}, as the caller may see it; the engine is not asked. */
    public SpecDiff diff(WorkloadView workload, WorkloadSpec proposed) {
        return views.diff(workload, workload.spec(), proposed);
    }

    /** @throws io.gantry.spi.EngineUnavailableException when the engine had to be asked and did not answer */
    public Preview of(WorkloadView workload, WorkloadSpec proposed) {
        SpecDiff diff = views.diff(workload, workload.spec(), proposed);
        EngineValidation validation;
        try {
            clients.call(workload.engine().id(), "check update", c -> {
                c.checkUpdate(workload.nativeId(), proposed);
                return null;
            });
            validation = new EngineValidation(true, null, List.of());
        } catch (InvalidSpecException e) {
            validation = new EngineValidation(false, e.getMessage(), e.errors().stream()
                    .map(f -> new FieldProblem(f.field(), f.message())).toList());
        }
        return new Preview(diff.fields(), diff.differences(), validation);
    }
}
