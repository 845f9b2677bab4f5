package io.gantry.operation;

import io.gantry.cluster.Fence;
import io.gantry.access.Scope;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The operation journal in PostgreSQL: a server restart loses none. */
@Repository
class OperationStore {
    static final String RESTARTED = "server restarted while the operation was running";
    static final String ENGINE_REMOVED = "the engine was removed before the operation ran";
    private static final String COLUMNS = "id, action, workload_id, engine_id, username, state, progress, message, "
            + "created_at, updated_at, finished_at";
    private static final String QUALIFIED = "o.id, o.action, o.workload_id, o.engine_id, o.username, o.state, o.progress, "
            + "o.message, o.created_at, o.updated_at, o.finished_at";
    /** Takes a PENDING operation (parameters: executor, message, id); a claim may add conditions. */
    private static final String CLAIM = "UPDATE operations SET state = 'RUNNING', executor = ?, progress = 10, "
            + "message = ?, updated_at = now() WHERE id = ? AND state = 'PENDING'";

    private final JdbcTemplate jdbc;

    OperationStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Journals a new PENDING operation, unless the user already sent this idempotency key.
     *
     * @return the new operation, or empty when the key was used before
     */
    Optional<Operation> insert(String action, UUID workloadId, UUID engineId, String user, String idempotencyKey,
                               String requestJson, String workJson, String message, String acceptedBy) {
        Timestamp now = Timestamp.from(Instant.now());
        return jdbc.query("INSERT INTO operations (id, action, workload_id, engine_id, username, state, progress, "
                        + "message, idempotency_key, request, work, created_at, updated_at, executor) "
                        + "VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?) "
                        + "ON CONFLICT (username, idempotency_key) DO NOTHING RETURNING " + COLUMNS,
                OperationStore::operation, UUID.randomUUID(), action, workloadId, engineId, user, message,
                idempotencyKey, requestJson, workJson, now, now, acceptedBy).stream().findFirst();
    }

    /**
     * Takes a PENDING operation to run it: of replicas claiming the same operation one wins, so that it
     * never runs twice.
     *
     * @return the RUNNING operation, or empty when it was not PENDING any more
     */
    Optional<Operation> claim(UUID id, String executor, String message) {
        return jdbc.query(CLAIM + " RETURNING " + COLUMNS, OperationStore::operation, executor, message, id)
                .stream().findFirst();
    }

    /**
     * As {@link #claim}, only while {@code fence} is still the engine's lease: a replica that lost the
     * engine leaves the operation PENDING for the one syncing it now.
     */
    Optional<Operation> claim(UUID id, String executor, String message, Fence fence) {
        return jdbc.query(CLAIM + " AND" + Fence.HOLDS + "RETURNING " + COLUMNS, OperationStore::operation,
                executor, message, id, fence.engineId(), fence.token()).stream().findFirst();
    }

    /** A PENDING operation with what it asks of its engine (JSON; {@code null} for a resync). */
    record Pending(Operation operation, String work) {
    }

    /** PENDING operations, left by replicas that do not sync their engine for the one that does. */
    List<Pending> pending() {
        return jdbc.query("SELECT " + COLUMNS + ", work::text AS work FROM operations WHERE state = 'PENDING' "
                + "AND (work IS NOT NULL OR action = 'sync') ORDER BY created_at",
                (rs, row) -> new Pending(operation(rs, row), rs.getString("work")));
    }

    Optional<Operation> findByKey(String user, String idempotencyKey) {
        return jdbc.query("SELECT " + COLUMNS + " FROM operations WHERE username = ? AND idempotency_key = ?",
                OperationStore::operation, user, idempotencyKey).stream().findFirst();
    }

    Optional<Operation> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM operations WHERE id = ?", OperationStore::operation, id)
                .stream().findFirst();
    }

    Operation update(UUID id, OperationState state, int progress, String message, UUID workloadId) {
        Timestamp now = Timestamp.from(Instant.now());
        // a finished operation's work is dropped: a deploy's spec may carry secrets in its environment
        return jdbc.query("UPDATE operations SET state = ?, progress = ?, message = ?, "
                        + "workload_id = coalesce(?, workload_id), updated_at = ?, "
                        + "finished_at = CASE WHEN ? THEN ? ELSE finished_at END, "
                        + "work = CASE WHEN ? THEN NULL ELSE work END WHERE id = ? RETURNING " + COLUMNS,
                OperationStore::operation, state.name(), progress, message, workloadId, now, state.finished(), now,
                state.finished(), id).get(0);
    }

    /** One operation if it is within {@code scope}. */
    Optional<Operation> find(Scope.Condition scope, UUID id) {
        List<Object> params = new ArrayList<>(scope.params());
        params.add(id);
        return jdbc.query("SELECT " + QUALIFIED + OperationScope.FROM + " WHERE " + scope.sql() + " AND o.id = ?",
                OperationStore::operation, params.toArray()).stream().findFirst();
    }

    List<Operation> find(Scope.Condition scope, UUID workloadId, UUID engineId, OperationState state, int limit) {
        List<Object> params = new ArrayList<>();
        String where = where(scope, workloadId, engineId, state, params);
        return jdbc.query("SELECT " + QUALIFIED + OperationScope.FROM + where + " ORDER BY o.created_at DESC, o.id LIMIT " + limit,
                OperationStore::operation, params.toArray());
    }

    long count(Scope.Condition scope, UUID workloadId, UUID engineId, OperationState state) {
        List<Object> params = new ArrayList<>();
        Long n = jdbc.queryForObject("SELECT count(*)" + OperationScope.FROM + where(scope, workloadId, engineId, state, params),
                Long.class, params.toArray());
        return n == null ? 0 : n;
    }

    private static String where(Scope.Condition scope, UUID workloadId, UUID engineId, OperationState state,
                                List<Object> params) {
        StringBuilder where = new StringBuilder(" WHERE ").append(scope.sql());
        params.addAll(scope.params());
        if (workloadId != null) {
            where.append(" AND o.workload_id = ?");
            params.add(workloadId);
        }
        if (engineId != null) {
            where.append(" AND o.engine_id = ?");
            params.add(engineId);
        }
        if (state != null) {
            where.append(" AND o.state = ?");
            params.add(state.name());
        }
        return where.toString();
    }

    /**
     * FAILS the operations whose executor is gone (not among the {@code live} replicas: it was killed, or
     * restarted under a new replica id; or none recorded, a version before replicas) while they ran, or
     * before they ran when no other replica can take them: work spanning engines runs where it was
     * accepted. Other PENDING work waits for the replica syncing its engine, whichever that is by then.
     */
    int failOrphaned(Collection<String> live) {
        return jdbc.update(c -> {
            PreparedStatement ps = c.prepareStatement("UPDATE operations SET state = 'FAILED', message = ?, "
                    + "work = NULL, updated_at = now(), finished_at = now() "
                    + "WHERE (state = 'RUNNING' OR state = 'PENDING' AND work IS NULL AND action <> 'sync') "
                    + "AND (executor IS NULL OR NOT executor = ANY (?::text[]))");
            ps.setString(1, RESTARTED);
            ps.setArray(2, c.createArrayOf("text", live.toArray(String[]::new)));
            return ps;
        });
    }

    /** FAILS the PENDING operations of engines removed before anyone ran them: no replica ever will. */
    int failEngineless() {
        return jdbc.update("UPDATE operations o SET state = 'FAILED', message = ?, work = NULL, updated_at = now(), "
                + "finished_at = now() WHERE o.state = 'PENDING' AND o.engine_id IS NOT NULL "
                + "AND NOT EXISTS (SELECT 1 FROM engines e WHERE e.id = o.engine_id)", ENGINE_REMOVED);
    }

    private static Operation operation(ResultSet rs, int row) throws SQLException {
        Timestamp finished = rs.getTimestamp("finished_at");
        return new Operation(rs.getObject("id", UUID.class), rs.getString("action"),
                rs.getObject("workload_id", UUID.class), rs.getObject("engine_id", UUID.class),
                rs.getString("username"), OperationState.valueOf(rs.getString("state")), rs.getInt("progress"),
                rs.getString("message"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), finished == null ? null : finished.toInstant());
    }
}
