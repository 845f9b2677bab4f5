package io.gantry.operation;

import java.time.Instant;
import java.util.UUID;

/** One journaled action (API.md "Operation"). */
public record Operation(UUID id, String action, UUID workloadId, UUID engineId, String user, OperationState state,
                 int progress, String message, Instant createdAt, Instant updatedAt, Instant finishedAt) {
}
