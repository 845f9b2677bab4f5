package io.gantry.operation;

import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.BadRequestException;
import io.gantry.web.FieldProblem;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Bodies of the workload actions. */
final class WorkloadRequests {
    /** The same bound as {@link Scale}. */
    private static final int MAX_REPLICAS = 10_000;

    private WorkloadRequests() {
    }

    /**
     * Bounds of a spec that hold on every engine, checked before an operation is journaled: without
     * them a negative memory limit would be accepted with 202 and fail later on the engine.
     *
     * @throws BadRequestException listing every field out of bounds
     */
    static void checkSpec(WorkloadSpec spec) {
        List<FieldProblem> problems = new ArrayList<>();
        if (spec.resources().cpuMillis() != null && spec.resources().cpuMillis() < 0) {
            problems.add(new FieldProblem("spec.resources.cpuMillis", "must not be negative"));
        }
        if (spec.resources().memoryBytes() != null && spec.resources().memoryBytes() < 0) {
            problems.add(new FieldProblem("spec.resources.memoryBytes", "must not be negative"));
        }
        if (spec.replicas() != null && (spec.replicas() < 0 || spec.replicas() > MAX_REPLICAS)) {
            problems.add(new FieldProblem("spec.replicas", "must be between 0 and " + MAX_REPLICAS));
        }
        if (!problems.isEmpty()) {
            throw new BadRequestException(problems);
        }
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

    /** {@code revision} is checked by the controller, so that a missing one is a 400 naming it like an unknown one. */
    record Rollback(Integer revision) {
    }

    record Scale(@NotNull @Min(0) @Max(MAX_REPLICAS) Integer replicas) {
    }
}
