package io.gantry.workload;

import java.util.UUID;

/** A workload that left the store; its last state was kept as a workload event. */
public record RemovedWorkload(UUID id, UUID engineId, String nativeId, String namespace, String name) {
}
