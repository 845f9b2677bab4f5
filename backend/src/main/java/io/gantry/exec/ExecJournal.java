package io.gantry.exec;

import io.gantry.audit.AuditTrail;
import io.gantry.cluster.ReplicaId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record of every exec session ({@code exec_sessions}) and its audit entry. A session is written when it
 * starts, so that one the server never saw end is still on record, and ended once; the audit entry is written at
 * the end, once, with everything known of the session (who, where, what, when, how it ended, bytes).
 */
@Repository
class ExecJournal {
    private static final Logger log = LoggerFactory.getLogger(ExecJournal.class);
    /** Open sessions of a replica that has not touched them for this long are taken to have died with it. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(3);
    static final String AUDIT_ACTION = "EXEC /api/v1/workloads/{id}/instances/{instance}/exec";
    private static final String COLUMNS = "id, username, mode, workload_id, workload, engine, instance, command::text AS command, "
            + "tty, remote_address, started_at, ended_at, exit_code, bytes_in, bytes_out, end_reason, recording";

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final AuditTrail audit;
    private final ReplicaId replica;
    private final Clock clock = Clock.systemUTC();

    ExecJournal(JdbcTemplate jdbc, JsonMapper json, AuditTrail audit, ReplicaId replica) {
        this.jdbc = jdbc;
        this.json = json;
        this.audit = audit;
        this.replica = replica;
    }

    /** A session as recorded; {@code endedAt}, {@code exitCode} and {@code endReason} are null while it runs. */
    record Entry(UUID id, String username, String mode, UUID workloadId, String workloadName, String engine,
                 String instance, List<String> command, boolean tty, String remoteAddress, Instant startedAt,
                 Instant endedAt, Integer exitCode, long bytesIn, long bytesOut, String endReason, String recording) {
    }

    /** How a session ended. */
    record End(Integer exitCode, long bytesIn, long bytesOut, String reason) {
    }

    /** @param recording the asciicast's file name when the session is recorded, else null */
    Entry start(UUID id, String username, String mode, ExecTargets.Target target, List<String> command, boolean tty,
                String remoteAddress, String recording) {
        Instant now = clock.instant();
        jdbc.update("""
                INSERT INTO exec_sessions (id, username, mode, workload_id, workload, engine, instance, command, tty,
                                           remote_address, replica, started_at, seen_at, recording)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)""",
                id, username, mode, target.workload().id(), target.workload().name(), target.workload().engine().name(),
                target.instance().id(), json.writeValueAsString(command), tty, remoteAddress, replica.value(),
                Timestamp.from(now), Timestamp.from(now), recording);
        return new Entry(id, username, mode, target.workload().id(), target.workload().name(),
                target.workload().engine().name(), target.instance().id(), command, tty, remoteAddress, now, null, null,
                0, 0, null, recording);
    }

    /** Ends the session and writes its audit entry; a session already ended (by a sweep) is left as it is. */
    void end(Entry session, End end) {
        Instant now = clock.instant();
        int updated = jdbc.update("""
                UPDATE exec_sessions SET ended_at = ?, exit_code = ?, bytes_in = ?, bytes_out = ?, end_reason = ?
                WHERE id = ? AND ended_at IS NULL""",
                Timestamp.from(now), end.exitCode(), end.bytesIn(), end.bytesOut(), clip(end.reason()), session.id());
        if (updated == 1) {
            audit(session, now, end);
        }
    }

    /** Marks the open sessions of this replica as alive; they are {@code ids}. */
    void touch(List<UUID> ids) {
        if (!ids.isEmpty()) {
            jdbc.update("UPDATE exec_sessions SET seen_at = ? WHERE id = ANY (?) AND ended_at IS NULL",
                    Timestamp.from(clock.instant()), ids.toArray(UUID[]::new));
        }
    }

    /**
     * Ends sessions whose replica stopped touching them (it crashed or was killed): without this, a console open at
     * a crash would stay "open" in the record forever and have no audit entry.
     */
    @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT10S")
    void endAbandoned() {
        Instant cutoff = clock.instant().minus(ABANDONED_AFTER);
        List<Entry> abandoned = jdbc.query("SELECT " + COLUMNS + " FROM exec_sessions WHERE ended_at IS NULL AND seen_at < ?",
                this::entry, Timestamp.from(cutoff));
        for (Entry session : abandoned) {
            end(session, new End(null, session.bytesIn(), session.bytesOut(), LiveExec.SERVER_STOPPED));
        }
        if (!abandoned.isEmpty()) {
            log.info("Ended {} exec session(s) whose server stopped", abandoned.size());
        }
    }

    /** Where a page of {@link #page} ends: the last session shown. */
    record Position(Instant startedAt, UUID id) {
    }

    /** Newest first; after {@code after} (the last session of the previous page) when given. */
    List<Entry> page(Position after, int limit) {
        return after == null
                ? jdbc.query("SELECT " + COLUMNS + " FROM exec_sessions ORDER BY started_at DESC, id DESC LIMIT ?",
                        this::entry, limit)
                : jdbc.query("SELECT " + COLUMNS + " FROM exec_sessions WHERE (started_at, id) < (?, ?) "
                        + "ORDER BY started_at DESC, id DESC LIMIT ?", this::entry, Timestamp.from(after.startedAt()),
                        after.id(), limit);
    }

    long count() {
        Long count = jdbc.queryForObject("SELECT count(*) FROM exec_sessions", Long.class);
        return count == null ? 0 : count;
    }

    Optional<Entry> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM exec_sessions WHERE id = ?", this::entry, id).stream().findFirst();
    }

    private void audit(Entry session, Instant endedAt, End end) {
        ObjectNode detail = json.createObjectNode();
        detail.put("session", session.id().toString());
        detail.put("mode", session.mode());
        detail.put("workload", session.workloadName());
        detail.put("engine", session.engine());
        detail.put("instance", session.instance());
        detail.set("command", json.valueToTree(session.command()));
        detail.put("tty", session.tty());
        detail.put("startedAt", session.startedAt().toString());
        detail.put("endedAt", endedAt.toString());
        if (end.exitCode() != null) {
            detail.put("exitCode", end.exitCode());
        } else {
            detail.putNull("exitCode");
        }
        detail.put("bytesIn", end.bytesIn());
        detail.put("bytesOut", end.bytesOut());
        detail.put("endReason", end.reason());
        detail.put("recorded", session.recording() != null);
        try {
            // a console is a WebSocket (101); a run answered 200
            audit.record(new AuditTrail.Record(endedAt, session.username(), AUDIT_ACTION,
                    session.workloadId() + "," + session.instance(), "console".equals(session.mode()) ? 101 : 200,
                    json.writeValueAsString(detail), session.remoteAddress()));
        } catch (RuntimeException e) {
            log.error("Could not write the audit entry of exec session {}", session.id(), e);
        }
    }

    private Entry entry(ResultSet rs, int row) throws SQLException {
        List<String> argv = List.of(json.readValue(rs.getString("command"), String[].class));
        Timestamp ended = rs.getTimestamp("ended_at");
        return new Entry(rs.getObject("id", UUID.class), rs.getString("username"), rs.getString("mode"),
                rs.getObject("workload_id", UUID.class), rs.getString("workload"), rs.getString("engine"),
                rs.getString("instance"), argv, rs.getBoolean("tty"), rs.getString("remote_address"),
                rs.getTimestamp("started_at").toInstant(), ended == null ? null : ended.toInstant(),
                (Integer) rs.getObject("exit_code"), rs.getLong("bytes_in"), rs.getLong("bytes_out"),
                rs.getString("end_reason"), rs.getString("recording"));
    }

    private static String clip(String reason) {
        return reason == null || reason.length() <= 500 ? reason : reason.substring(0, 500);
    }
}
