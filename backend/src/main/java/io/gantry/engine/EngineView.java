package io.gantry.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An engine as the API shows it (API.md "Engine"); never its credentials.
 *
 * @param runtimes the runtimes the engine offers for {@code spec.runtime} and whether the caller may choose each
 *                 (a privileged one takes an ADMIN); asked of the engine, so only {@code GET /api/v1/engines/{id}}
 *                 fills it, the listing leaves it {@code null}
 */
record EngineView(UUID id, String name, String kind, String endpoint, Map<String, String> labels,
                  Map<String, String> options, EngineStatus status, String message, Instant lastSyncAt,
                  long workloadCount, List<String> capabilities, String syncOwner,
                  List<PrivilegedRuntimes.Choice> runtimes, SyncProgress sync) {
}
