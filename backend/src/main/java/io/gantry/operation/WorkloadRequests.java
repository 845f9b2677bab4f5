package io.gantry.operation;

import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.SecretRef;
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
    /** File permission bits: 0777. */
    private static final int MAX_MODE = 0777;

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
        problems.addAll(secretProblems(spec.secrets()));
        if (!problems.isEmpty()) {
            throw new BadRequestException(problems);
        }
    }

    /** The shape of each reference (SecretRef's contract): the engine's objects are checked by {@link SpecReferences}. */
    private static List<FieldProblem> secretProblems(List<SecretRef> secrets) {
        List<FieldProblem> problems = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            SecretRef ref = secrets.get(i);
            String field = "spec.secrets[" + i + "].";
            if (ref == null) {
                problems.add(new FieldProblem("spec.secrets[" + i + "]", "must not be null"));
                continue;
            }
            if (ref.source() == null || ref.source().isBlank()) {
                problems.add(new FieldProblem(field + "source", "must name a secret or config"));
            }
            boolean env = ref.env() != null;
            boolean path = ref.path() != null;
            if (env == path) {
                problems.add(new FieldProblem(field + (env ? "path" : "env"),
                        "exactly one of env and path must be set"));
            }
            if (env && ref.env().isBlank()) {
                problems.add(new FieldProblem(field + "env", "must not be blank"));
            }
            if (env && (ref.key() == null || ref.key().isBlank())) {
                problems.add(new FieldProblem(field + "key", "an env reference takes the key to read"));
            }
            if (path && !ref.path().startsWith("/")) {
                problems.add(new FieldProblem(field + "path", "must be an absolute path"));
            }
            if (ref.mode() != null && (ref.mode() < 0 || ref.mode() > MAX_MODE)) {
                problems.add(new FieldProblem(field + "mode", "must be between 0 and 0777 (511)"));
            }
        }
        return problems;
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
