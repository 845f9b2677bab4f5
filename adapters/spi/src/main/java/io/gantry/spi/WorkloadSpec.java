package io.gantry.spi;

import io.gantry.spi.config.SecretRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What was asked of the engine. Everything here is set by whoever deploys the workload; what the
 * engine reports back while it runs belongs in {@link WorkloadStatus}.
 *
 * @param image       container image reference without digest noise ({@code nginx:1.27}); for
 *                    agent {@code raw} workloads only a label
 * @param command     entrypoint override, empty for the image's default
 * @param args        arguments, empty for the image's default
 * @param env         environment; insertion order is kept for stable rendering
 * @param ports       ports the workload listens on
 * @param resources   limits, never {@code null} ({@link Resources#NONE} when unlimited)
 * @param replicas    desired replicas, {@code null} for DAEMON workloads whose count follows the nodes
 * @param healthCheck health check, or {@code null} when there is none
 * @param constraints placement constraints in the engine's notation ({@code node.labels.zone==a})
 * @param runtime     agent engines only: {@code raw} or {@code runc}; {@code null} elsewhere
 * @param secrets     the secrets and configs the workload uses, by reference (never values); empty when none
 */
public record WorkloadSpec(String image, List<String> command, List<String> args, Map<String, String> env,
                           List<PortMapping> ports, Resources resources, Integer replicas,
                           HealthCheck healthCheck, List<String> constraints, String runtime,
                           List<SecretRef> secrets) {
    public WorkloadSpec {
        command = command == null ? List.of() : List.copyOf(command);
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        ports = ports == null ? List.of() : List.copyOf(ports);
        resources = resources == null ? Resources.NONE : resources;
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }

    /** A spec that uses no secrets or configs. */
    public WorkloadSpec(String image, List<String> command, List<String> args, Map<String, String> env,
                        List<PortMapping> ports, Resources resources, Integer replicas, HealthCheck healthCheck,
                        List<String> constraints, String runtime) {
        this(image, command, args, env, ports, resources, replicas, healthCheck, constraints, runtime, null);
    }

    /** A spec with only an image and a replica count; the rest empty. */
    public static WorkloadSpec of(String image, Integer replicas) {
        return new WorkloadSpec(image, null, null, null, null, null, replicas, null, null, null);
    }

    public WorkloadSpec withReplicas(Integer newReplicas) {
        return new WorkloadSpec(image, command, args, env, ports, resources, newReplicas, healthCheck,
                constraints, runtime, secrets);
    }
}
