package io.gantry.compare;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gantry.engine.Engine.EngineRef;
import io.gantry.spi.Phase;
import io.gantry.spi.WorkloadKind;
import io.gantry.workload.WorkloadView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The body of {@code GET /api/v1/compare} (API.md "Compare").
 *
 * @param workloads   the compared workloads, in the order asked
 * @param fields      one row per spec and status field of the model
 * @param differences how many rows are not {@code equal}
 */
public record Comparison(List<Compared> workloads, List<Field> fields, int differences) {
    static final String ENV = "spec.env";

    /**
     * The same comparison showing the env of {@code shown} (the compared workloads in the same order, as
     * the caller may see them): {@code equal} and {@code differingKeys} stay those of the real values.
     */
    public Comparison withEnvOf(List<WorkloadView> shown) {
        List<Field> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            if (f.path().equals(ENV)) {
                List<Object> values = new ArrayList<>();
                shown.forEach(w -> values.add(new TreeMap<>(w.spec() == null ? Map.of() : w.spec().env())));
                f = new Field(f.path(), values, f.equal(), f.display(), f.differingKeys(), f.nativeValues());
            }
            out.add(f);
        }
        return new Comparison(workloads, out, differences);
    }

    /** A compared workload's identity. */
    public record Compared(UUID id, String name, String namespace, EngineRef engine, WorkloadKind kind, Phase phase) {
    }

    /**
     * One field of the model across the workloads.
     *
     * @param path          model path, e.g. {@code spec.resources.cpuMillis}
     * @param values        the normalized value of each workload, in the order of {@code workloads}; maps
     *                      sorted by key and sets sorted, so equal values also read the same
     * @param equal         whether all values mean the same ({@code nginx} == {@code docker.io/library/nginx:latest},
     *                      env and labels as maps, ports and constraints as sets)
     * @param display       where the bare value hides its unit or its canonical form, what each value reads as
     *                      ({@code 500m = 0.5 CPU}, {@code 256Mi = 268435456 bytes}); absent otherwise
     * @param differingKeys for maps, the keys whose values are not the same everywhere; absent when equal
     * @param nativeValues  JSON {@code native}: how each engine itself writes the value ({@code cpus: 0.5},
     *                      {@code NanoCPUs: 500000000}), null where it is the model's own notation; absent
     *                      when no engine differs
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Field(String path, List<Object> values, boolean equal, List<String> display, List<String> differingKeys,
                 @JsonProperty("native") List<String> nativeValues) {
    }
}
