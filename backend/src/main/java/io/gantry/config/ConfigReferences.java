package io.gantry.config;

import io.gantry.engine.Engine;
import io.gantry.operation.SpecReferences;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.SecretRef;
import io.gantry.web.BadRequestException;
import io.gantry.web.FieldProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Checks a spec's references against the objects the engine keeps, as the catalog knows them (refreshed when older
 * than {@link ConfigCatalog#FRESHNESS}). An engine that keeps no objects of a reference's kind is left to refuse it
 * itself ({@code checkDeploy}): it may map references its own way (Marathon's env).
 */
@Component
class ConfigReferences implements SpecReferences {
    private final ConfigCatalog catalog;

    ConfigReferences(ConfigCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void requireExisting(Engine engine, String namespace, WorkloadSpec spec) {
        if (spec == null || spec.secrets().isEmpty()) {
            return;
        }
        String ns = namespace == null ? "" : namespace;
        List<FieldProblem> problems = new ArrayList<>();
        for (int i = 0; i < spec.secrets().size(); i++) {
            SecretRef ref = spec.secrets().get(i);
            if (ref.source() == null || !catalog.keeps(engine, ref.kind())) {
                continue;
            }
            if (catalog.findByName(engine, ns, ref.source(), ref.kind()).isEmpty()) {
                problems.add(new FieldProblem("spec.secrets[" + i + "].source", "no "
                        + ref.kind().name().toLowerCase(Locale.ROOT) + " named '" + ref.source() + "' in namespace '"
                        + ns + "' of engine '" + engine.name() + "'"));
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequestException(problems);
        }
    }
}
