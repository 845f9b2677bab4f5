package io.gantry.engine;

import io.gantry.cluster.Fence;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code engine_sync} rows: written by the replica that syncs the engine (under its lease, so a replica that
 * lost the engine cannot overwrite its successor's progress), read by every replica for the engine's view.
 */
@Repository
public class SyncProgressStore {
    private final JdbcClient jdbc;

    SyncProgressStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A full sync is under way: {@code listed} workloads so far, of {@code expected} when the engine said. */
    public void syncing(Fence fence, Instant startedAt, long listed, Long expected) {
        jdbc.sql("""
                        INSERT INTO engine_sync (engine_id, state, listed, expected, started_at)
                        SELECT ?, 'SYNCING', ?, ?, ? WHERE""" + Fence.HOLDS + """
                        ON CONFLICT (engine_id) DO UPDATE SET state = 'SYNCING', listed = EXCLUDED.listed,
                            expected = EXCLUDED.expected, started_at = EXCLUDED.started_at""")
                .params(fence.engineId(), listed, expected, Timestamp.from(startedAt), fence.engineId(), fence.token())
                .update();
    }

    /** A full sync completed: it listed {@code listed} workloads and wrote {@code written} rows. */
    public void completed(Fence fence, Instant startedAt, Instant at, long listed, long written) {
        jdbc.sql("""
                        INSERT INTO engine_sync (engine_id, state, listed, started_at, last_completed_at, last_duration_ms,
                                                 last_written)
                        SELECT ?, 'IDLE', ?, ?, ?, ?, ? WHERE""" + Fence.HOLDS + """
                        ON CONFLICT (engine_id) DO UPDATE SET state = 'IDLE', listed = EXCLUDED.listed, expected = NULL,
                            started_at = EXCLUDED.started_at, last_completed_at = EXCLUDED.last_completed_at,
                            last_duration_ms = EXCLUDED.last_duration_ms, last_written = EXCLUDED.last_written""")
                .params(fence.engineId(), listed, Timestamp.from(startedAt), Timestamp.from(at),
                        at.toEpochMilli() - startedAt.toEpochMilli(), written, fence.engineId(), fence.token())
                .update();
    }

    /** A full sync ended without completing (the engine failed, the lease was given up): no longer SYNCING. */
    public void abandoned(Fence fence) {
        jdbc.sql("UPDATE engine_sync SET state = 'IDLE', expected = NULL WHERE engine_id = ? AND state = 'SYNCING' AND"
                        + Fence.HOLDS)
                .params(fence.engineId(), fence.engineId(), fence.token()).update();
    }

    Optional<SyncProgress> find(UUID engineId) {
        return jdbc.sql("SELECT * FROM engine_sync WHERE engine_id = ?").param(engineId)
                .query(SyncProgressStore::progress).optional();
    }

    Map<UUID, SyncProgress> findAll() {
        Map<UUID, SyncProgress> all = new HashMap<>();
        jdbc.sql("SELECT * FROM engine_sync").query(rs -> {
            all.put(rs.getObject("engine_id", UUID.class), progress(rs, 0));
        });
        return all;
    }

    private static SyncProgress progress(ResultSet rs, int row) throws SQLException {
        return new SyncProgress(SyncProgress.State.valueOf(rs.getString("state")), rs.getLong("listed"),
                rs.getObject("expected", Long.class), instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("last_completed_at")), rs.getObject("last_duration_ms", Long.class),
                rs.getObject("last_written", Long.class));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
