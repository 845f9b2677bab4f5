package io.gantry.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A workload as one engine reports it: identity + spec (what was asked) + status (what runs).
 * The backend adds the engine reference, its stable id and sync metadata.
 *
 * @param nativeId     engine's own id or path (Kubernetes {@code namespace/Kind/name}, Marathon app id,
 *                     Swarm service id, agent container id); stable for the workload's life
 * @param namespace    Kubernetes namespace, Marathon group, Swarm stack, agent namespace; empty when none
 * @param name         short name, unique within namespace on the engine
 * @param kind         scheduling kind
 * @param labels       the workload's labels
 * @param spec         what was asked
 * @param status       what the engine last reported
 * @param instances    running copies; empty when none
 * @param createdAt    when the engine created it, or {@code null}
 * @param nativeObject the engine's own object as JSON text, with secret values already redacted by the
 *                     adapter where it knows them; may be {@code null}
 */
public record Workload(String nativeId, String namespace, String name, WorkloadKind kind, Map<String, String> labels,
                       WorkloadSpec spec, WorkloadStatus status, List<Instance> instances, Instant createdAt,
                       String nativeObject) {
    public Workload {
        namespace = namespace == null ? "" : namespace;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        instances = instances == null ? List.of() : List.copyOf(instances);
    }
}
