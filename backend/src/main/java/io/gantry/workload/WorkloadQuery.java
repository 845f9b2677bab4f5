package io.gantry.workload;

import io.gantry.spi.Phase;
import io.gantry.spi.WorkloadKind;
import java.util.List;
import java.util.Map;

/** A parsed and validated {@code GET /api/v1/workloads}; {@code engine} is an engine's id or name. */
record WorkloadQuery(String engine, String engineKind, String namespace, WorkloadKind kind, Phase phase,
                     Map<String, String> labels, String q, WorkloadSort sort, boolean descending, int limit, CursorCodec.Position after) {

    /** Sort keys of the list; each has an index of {@code (column, id)} for keyset pagination. */
    enum WorkloadSort {
        NAME("name", "w.name"), ENGINE("engine", "w.engine_name"), PHASE("phase", "w.phase"),
        UPDATED("updated", "w.updated_at");

        final String param;
        final String column;

        WorkloadSort(String param, String column) {
            this.param = param;
            this.column = column;
        }

        String key(ListedWorkload w) {
            return switch (this) {
                case NAME -> w.name();
                case ENGINE -> w.engine().name();
                case PHASE -> w.phase().name();
                case UPDATED -> w.updatedAt().toString();
            };
        }

        static List<String> params() {
            return java.util.Arrays.stream(values()).map(s -> s.param).toList();
        }
    }
}
