package io.gantry.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An engine as the API shows it (API.md "Engine"); never its credentials. */
record EngineView(UUID id, String name, String kind, String endpoint, Map<String, String> labels,
                  Map<String, String> options, EngineStatus status, String message, Instant lastSyncAt,
                  long workloadCount, List<String> capabilities, String syncOwner) {
}
