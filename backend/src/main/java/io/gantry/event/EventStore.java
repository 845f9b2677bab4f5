package io.gantry.event;

import io.gantry.engine.Engine;
import io.gantry.engine.Engine.EngineRef;
import io.gantry.spi.EngineEvent;
import io.gantry.workload.WorkloadIds;
import io.gantry.access.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Workload events as engines reported them, plus the deletions sync observed; repeats are dropped. */
@Repository
public class EventStore {
    private final JdbcTemplate jdbc;

    EventStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** @return true when the event was new */
    public boolean record(Engine engine, EngineEvent event) {
        UUID workloadId = event.workloadNativeId() == null ? null : WorkloadIds.of(engine.id(), event.workloadNativeId());
        Instant time = event.time() == null ? Instant.now() : event.time();
        return jdbc.update("""
                INSERT INTO workload_events (engine_id, workload_id, workload_name, native_id, time, type, reason, message)
                VALUES (?, ?, (SELECT name FROM workloads WHERE id = ?), ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING""",
                engine.id(), workloadId, workloadId, event.workloadNativeId(), Timestamp.from(time), event.type(),
                event.reason(), event.message()) > 0;
    }

    /**
     * Newest first, each filter optional, within {@code scope}: a condition over the engine's name ({@code e.name})
     * and the workload's namespace ({@code w.namespace}, null once the workload is gone, so that only engine-wide
     * grants see a deleted workload's events and the engine's own).
     */
    List<EventView> find(Scope.Condition scope, UUID engineId, UUID workloadId, String type, Instant since, int limit) {
        StringBuilder sql = new StringBuilder("""
                SELECT ev.time, ev.engine_id, e.name AS engine_name, e.kind AS engine_kind, ev.workload_id,
                       ev.workload_name, ev.type, ev.reason, ev.message
                FROM workload_events ev JOIN engines e ON e.id = ev.engine_id
                LEFT JOIN workloads w ON w.id = ev.workload_id""").append(" WHERE ").append(scope.sql());
        List<Object> params = new ArrayList<>(scope.params());
        if (engineId != null) {
            sql.append(" AND ev.engine_id = ?");
            params.add(engineId);
        }
        if (workloadId != null) {
            sql.append(" AND ev.workload_id = ?");
            params.add(workloadId);
        }
        if (type != null) {
            sql.append(" AND ev.type = ?");
            params.add(type);
        }
        if (since != null) {
            sql.append(" AND ev.time >= ?");
            params.add(Timestamp.from(since));
        }
        sql.append(" ORDER BY ev.time DESC, ev.id DESC LIMIT ").append(limit);
        return jdbc.query(sql.toString(), EventStore::view, params.toArray());
    }

    private static EventView view(ResultSet rs, int row) throws SQLException {
        return new EventView(rs.getTimestamp("time").toInstant(),
                new EngineRef(rs.getObject("engine_id", UUID.class), rs.getString("engine_name"), rs.getString("engine_kind")),
                rs.getObject("workload_id", UUID.class), rs.getString("workload_name"), rs.getString("type"),
                rs.getString("reason"), rs.getString("message"));
    }
}
