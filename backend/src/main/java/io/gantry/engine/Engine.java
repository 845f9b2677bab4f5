package io.gantry.engine;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A registered engine as stored, without its credentials (they stay encrypted in the store and
 * are decrypted only to connect).
 */
public record Engine(UUID id, String name, String kind, String endpoint, Map<String, String> labels,
                     Map<String, String> options, EngineStatus status, String message, Instant lastSyncAt,
                     Instant createdAt) {
    public Engine {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options);
        message = message == null ? "" : message;
    }

    /** The reference embedded in workloads and events: {@code {id, name, kind}}. */
    public EngineRef ref() {
        return new EngineRef(id, name, kind);
    }

    public record EngineRef(UUID id, String name, String kind) {
    }
}
