package io.gantry.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Writes and reads the audit trail ({@code audit_log}). Newest first; pages are keyed by id, which only grows. */
@Service
public class AuditTrail {
    private static final String COLUMNS = "id, time, username, action, target, status, detail, remote_address";

    private final JdbcTemplate jdbc;

    AuditTrail(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One recorded mutation. {@code detail} must already be redacted. */
    public record Record(Instant time, String username, String action, String target, int status, String detail,
            String remoteAddress) {
    }

    public void record(Record r) {
        jdbc.update("INSERT INTO audit_log (time, username, action, target, status, detail, remote_address)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", Timestamp.from(r.time()), clip(r.username(), 64),
                clip(r.action(), 300), clip(r.target(), 300), r.status(), r.detail(), clip(r.remoteAddress(), 64));
    }

    List<AuditEntry> page(String username, long beforeId, int limit) {
        return username == null
                ? jdbc.query("SELECT " + COLUMNS + " FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
                        AuditTrail::entry, beforeId, limit)
                : jdbc.query("SELECT " + COLUMNS + " FROM audit_log WHERE username = ? AND id < ?"
                        + " ORDER BY id DESC LIMIT ?", AuditTrail::entry, username, beforeId, limit);
    }

    long count(String username) {
        Long n = username == null ? jdbc.queryForObject("SELECT count(*) FROM audit_log", Long.class)
                : jdbc.queryForObject("SELECT count(*) FROM audit_log WHERE username = ?", Long.class, username);
        return n == null ? 0 : n;
    }

    private static AuditEntry entry(ResultSet rs, int row) throws SQLException {
        return new AuditEntry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getInt(6), rs.getString(7), rs.getString(8));
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
