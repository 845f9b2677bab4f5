package io.gantry.engine;

import java.time.Instant;

/**
 * Where an engine's full sync stands (API.md "Engine", field {@code sync}): {@code SYNCING} while a listing that
 * has run for a while is being stored, with the workloads {@code listed} so far of {@code expected} (null when
 * the engine does not announce a count), else {@code IDLE}; and what the last completed full sync took and wrote.
 *
 * @param lastWritten workload rows inserted, updated or deleted by the last completed full sync
 */
public record SyncProgress(State state, long listed, Long expected, Instant startedAt, Instant lastCompletedAt,
                           Long lastDurationMs, Long lastWritten) {
    public enum State { SYNCING, IDLE }
}
