package io.gantry.history;

import io.gantry.history.HistoryPoints.Replicas;
import io.gantry.history.HistoryPoints.Totals;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The history tables of V4. Replica changes are written by {@code WorkloadStore}'s upsert itself; this
 * class samples totals and usage, reads series and prunes.
 */
@Repository
class HistoryStore {
    private final JdbcTemplate jdbc;

    HistoryStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A workload that runs something, as the usage sampler asks its engine about it. */
    record RunningWorkload(UUID id, String nativeId) {
    }

    /** One reading of a workload's instances, summed. */
    record UsageReading(Instant at, double cpuSeconds, long memoryBytes, int instances) {
    }

    /** Appends the current totals of the given engines (zero for an engine without workloads). */
    int sampleEngineTotals(Instant at, Collection<UUID> engineIds) {
        return jdbc.update(c -> {
            PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO engine_history (engine_id, at, running, desired)
                    SELECT e.id, ?, coalesce(sum(w.running), 0), coalesce(sum(w.desired), 0)
                    FROM engines e LEFT JOIN workloads w ON w.engine_id = e.id
                    WHERE e.id = ANY (?)
                    GROUP BY e.id
                    ON CONFLICT DO NOTHING""");
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setArray(2, c.createArrayOf("uuid", engineIds.toArray()));
            return ps;
        });
    }

    List<RunningWorkload> runningWorkloads(UUID engineId) {
        return jdbc.query("SELECT id, native_id FROM workloads WHERE engine_id = ? AND running > 0 AND NOT stale",
                (rs, n) -> new RunningWorkload(rs.getObject(1, UUID.class), rs.getString(2)), engineId);
    }

    /** Stores a reading; one taken at the same instant as a stored one is the same reading and is skipped. */
    void storeUsage(UUID workloadId, UUID engineId, UsageReading reading) {
        jdbc.update("""
                INSERT INTO workload_usage (workload_id, engine_id, at, cpu_seconds, memory_bytes, instances)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""", workloadId, engineId,
                Timestamp.from(reading.at()), reading.cpuSeconds(), reading.memoryBytes(), reading.instances());
    }

    /**
     * The workload's replica changes since {@code since}, led by the state it was in at {@code since}
     * (dated {@code since}) so that a chart starts with a value instead of a gap.
     */
    List<Replicas> replicas(UUID workloadId, Instant since) {
        Timestamp from = Timestamp.from(since);
        return jdbc.query("""
                (SELECT ?::timestamptz AS at, running, desired, phase FROM workload_history
                 WHERE workload_id = ? AND at < ? ORDER BY at DESC LIMIT 1)
                UNION ALL
                (SELECT at, running, desired, phase FROM workload_history
                 WHERE workload_id = ? AND at >= ? ORDER BY at)
                ORDER BY at""",
                (rs, n) -> new Replicas(rs.getTimestamp(1).toInstant(), rs.getInt(2), rs.getInt(3), rs.getString(4)),
                from, workloadId, from, workloadId, from);
    }

    /** Usage readings since {@code since}, oldest first, led by the last one before it (a rate needs two). */
    List<UsageReading> usage(UUID workloadId, Instant since) {
        Timestamp from = Timestamp.from(since);
        return jdbc.query("""
                (SELECT at, cpu_seconds, memory_bytes, instances FROM workload_usage
                 WHERE workload_id = ? AND at < ? ORDER BY at DESC LIMIT 1)
                UNION ALL
                (SELECT at, cpu_seconds, memory_bytes, instances FROM workload_usage
                 WHERE workload_id = ? AND at >= ? ORDER BY at)
                ORDER BY at""",
                (rs, n) -> new UsageReading(rs.getTimestamp(1).toInstant(), rs.getDouble(2), rs.getLong(3), rs.getInt(4)),
                workloadId, from, workloadId, from);
    }

    /** Every engine's sampled totals since {@code since}, oldest first: {@code engineId -> points}. */
    Map<UUID, List<Totals>> engineTotals(Instant since) {
        Map<UUID, List<Totals>> series = new HashMap<>();
        jdbc.query("SELECT engine_id, at, running, desired FROM engine_history WHERE at >= ? ORDER BY engine_id, at",
                rs -> {
                    series.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new Totals(rs.getTimestamp(2).toInstant(), rs.getInt(3), rs.getInt(4)));
                }, Timestamp.from(since));
        return series;
    }

    /** Deletes every history row older than {@code before}; returns how many went. */
    int pruneBefore(Instant before) {
        Timestamp cutoff = Timestamp.from(before);
        return jdbc.update("DELETE FROM workload_history WHERE at < ?", cutoff)
                + jdbc.update("DELETE FROM engine_history WHERE at < ?", cutoff)
                + jdbc.update("DELETE FROM workload_usage WHERE at < ?", cutoff);
    }
}
