package io.gantry.operation;

import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Bodies of the workload actions. */
final class WorkloadRequests {
    private WorkloadRequests() {
    }

    record Deploy(@NotBlank String engine, @Size(max = 253) String namespace, @NotBlank @Size(max = 253) String name,
                  WorkloadKind kind, Map<String, String> labels, @NotNull WorkloadSpec spec) {
    }

    record UpdateSpec(@NotNull WorkloadSpec spec) {
    }

    /** A native document to parse and deploy; {@code manifest} is its text (a JSON document may be inline). */
    record Import(@NotBlank String engine, @NotBlank String format, @NotNull JsonNode manifest) {
        String text() {
            return manifest.isString() ? manifest.asString() : manifest.toString();
        }
    }

    /**
     * @param waitSeconds how long the copy may take to become RUNNING before the operation fails
     *                    (default {@link WorkloadCopy#DEFAULT_WAIT_SECONDS})
     */
    record Copy(@NotBlank String targetEngine, @Size(max = 253) String namespace, @Size(max = 253) String name,
                Boolean moveReplicas, @Min(1) @Max(3600) Integer waitSeconds) {
    }

    record Scale(@NotNull @Min(0) @Max(10_000) Integer replicas) {
    }
}
