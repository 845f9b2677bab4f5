package io.gantry.bulk;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Bulk runs and their items in PostgreSQL (tables {@code bulk_runs}, {@code bulk_items}): a restart loses none. */
@Repository
class BulkRunStore {
    static final String RESTARTED = "server restarted while the run was going; start the rest again";
    private static final String RUN_COLUMNS = "id, username, role, action, params::text AS params, batch_size, "
            + "pause_seconds, stop_on_failure, state, message, current_batch, batch_done_at, created_at, finished_at";
    private static final String ITEM_COLUMNS = "position, workload_id, workload_name, engine_name, namespace, batch, "
            + "operation_id, state, message";

    private final JdbcTemplate jdbc;

    BulkRunStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    record Run(UUID id, String user, String role, String action, String paramsJson, int batchSize, int pauseSeconds,
               boolean stopOnFailure, String state, String message, int currentBatch, Instant batchDoneAt,
               Instant createdAt, Instant finishedAt) {
    }

    record Item(int position, UUID workloadId, String workloadName, String engine, String namespace, int batch,
                UUID operationId, String state, String message) {
    }

    void insert(Run run, String selectorJson, String replica, List<Item> items) {
        Timestamp now = Timestamp.from(run.createdAt());
        jdbc.update("INSERT INTO bulk_runs (id, username, role, action, selector, params, batch_size, pause_seconds, "
                        + "stop_on_failure, state, message, current_batch, replica, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                run.id(), run.user(), run.role(), run.action(), selectorJson, run.paramsJson(), run.batchSize(),
                run.pauseSeconds(), run.stopOnFailure(), run.state(), run.message(), replica, now, now);
        jdbc.batchUpdate("INSERT INTO bulk_items (run_id, " + ITEM_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                items.stream().map(i -> new Object[] {run.id(), i.position(), i.workloadId(), i.workloadName(),
                        i.engine(), i.namespace(), i.batch(), i.operationId(), i.state(), i.message()}).toList());
    }

    Optional<Run> find(UUID id) {
        return jdbc.query("SELECT " + RUN_COLUMNS + " FROM bulk_runs WHERE id = ?", BulkRunStore::run, id).stream().findFirst();
    }

    List<Item> items(UUID runId) {
        return jdbc.query("SELECT " + ITEM_COLUMNS + " FROM bulk_items WHERE run_id = ? ORDER BY position",
                BulkRunStore::item, runId);
    }

    /** Runs of this replica still to drive: RUNNING ones, and cancelled ones whose started items have not ended. */
    List<UUID> active(String replica) {
        return jdbc.queryForList("SELECT r.id FROM bulk_runs r WHERE r.replica = ? AND (r.state = 'RUNNING' OR "
                + "(r.state = 'CANCELLED' AND EXISTS (SELECT 1 FROM bulk_items i WHERE i.run_id = r.id "
                + "AND i.state = 'RUNNING'))) ORDER BY r.created_at", UUID.class, replica);
    }

    void updateItem(UUID runId, int position, String state, UUID operationId, String message) {
        jdbc.update("UPDATE bulk_items SET state = ?, operation_id = coalesce(?, operation_id), message = ? "
                + "WHERE run_id = ? AND position = ?", state, operationId, message, runId, position);
    }

    /** Ends the items still PENDING of a run (stopped or cancelled) with {@code state}. */
    void endPending(UUID runId, String state, String message) {
        jdbc.update("UPDATE bulk_items SET state = ?, message = ? WHERE run_id = ? AND state = 'PENDING'",
                state, message, runId);
    }

    void startBatch(UUID runId, int batch) {
        jdbc.update("UPDATE bulk_runs SET current_batch = ?, batch_done_at = NULL, updated_at = now() WHERE id = ?",
                batch, runId);
    }

    void batchDone(UUID runId, Instant at) {
        jdbc.update("UPDATE bulk_runs SET batch_done_at = ?, updated_at = now() WHERE id = ? AND batch_done_at IS NULL",
                Timestamp.from(at), runId);
    }

    /** @return whether the run was RUNNING (a run ends once) */
    boolean finish(UUID runId, String state, String message) {
        return jdbc.update("UPDATE bulk_runs SET state = ?, message = ?, finished_at = now(), updated_at = now() "
                + "WHERE id = ? AND state = 'RUNNING'", state, message, runId) == 1;
    }

    /**
     * Runs of replicas that are gone: FAILED with {@link #RESTARTED}; items not started are SKIPPED, started ones take
     * their operation's outcome (OperationRecovery fails an operation of a gone replica the same way).
     *
     * @return how many runs were failed
     */
    int failOrphaned(Collection<String> liveReplicas) {
        List<UUID> orphaned = jdbc.queryForList("SELECT id FROM bulk_runs WHERE state = 'RUNNING' AND NOT (replica = ANY (?))",
                UUID.class, (Object) liveReplicas.toArray(String[]::new));
        for (UUID id : orphaned) {
            if (finish(id, "FAILED", RESTARTED)) {
                endPending(id, "SKIPPED", RESTARTED);
                jdbc.update("UPDATE bulk_items i SET state = CASE WHEN o.state = 'SUCCEEDED' THEN 'SUCCEEDED' ELSE "
                        + "'FAILED' END, message = CASE WHEN o.state = 'SUCCEEDED' THEN i.message ELSE ? END "
                        + "FROM operations o WHERE i.run_id = ? AND i.state = 'RUNNING' AND o.id = i.operation_id",
                        RESTARTED, id);
            }
        }
        return orphaned.size();
    }

    private static Run run(ResultSet rs, int row) throws SQLException {
        return new Run(rs.getObject("id", UUID.class), rs.getString("username"), rs.getString("role"),
                rs.getString("action"), rs.getString("params"), rs.getInt("batch_size"), rs.getInt("pause_seconds"),
                rs.getBoolean("stop_on_failure"), rs.getString("state"), rs.getString("message"),
                rs.getInt("current_batch"), instant(rs, "batch_done_at"), instant(rs, "created_at"),
                instant(rs, "finished_at"));
    }

    private static Item item(ResultSet rs, int row) throws SQLException {
        return new Item(rs.getInt("position"), rs.getObject("workload_id", UUID.class), rs.getString("workload_name"),
                rs.getString("engine_name"), rs.getString("namespace"), rs.getInt("batch"),
                rs.getObject("operation_id", UUID.class), rs.getString("state"), rs.getString("message"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
