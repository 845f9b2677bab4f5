package io.gantry.operation;

import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;

/** Bodies of the workload actions. */
final class WorkloadRequests {
    private WorkloadRequests() {
    }

    record Deploy(@NotBlank String engine, @Size(max = 253) String namespace, @NotBlank @Size(max = 253) String name,
                  WorkloadKind kind, Map<String, String> labels, @NotNull WorkloadSpec spec) {
    }

    record UpdateSpec(@NotNull WorkloadSpec spec) {
    }

    record Scale(@NotNull @Min(0) @Max(10_000) Integer replicas) {
    }
}
