package io.gantry.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The {@code api_tokens} table. */
@Repository
class ApiTokenStore {
    private static final String COLUMNS =
            "id, username, name, role, token_hash, created_at, expires_at, last_used_at, revoked_at";

    /**
     * Every API call is checked with this: one indexed query for the token and its user, rather than two entity
     * loads with a transaction each (a third of a small call's CPU when it went through JPA).
     */
    private static final String PRESENTED = """
            SELECT t.id, t.username, t.role, t.expires_at, t.revoked_at, t.last_used_at, u.role AS user_role, u.disabled
            FROM api_tokens t JOIN users u ON u.username = t.username
            WHERE t.token_hash = ?""";

    private final JdbcTemplate jdbc;

    ApiTokenStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A presented token as {@link #PRESENTED} reads it, with what its user may do. */
    record Presented(UUID id, String username, Role role, Instant expiresAt, Instant revokedAt, Instant lastUsedAt,
                     Role userRole, boolean userDisabled) {
    }

    /** The token whose secret has this hash, with its user's role and state. */
    Optional<Presented> presented(String tokenHash) {
        return jdbc.query(PRESENTED, (rs, row) -> new Presented(rs.getObject(1, UUID.class), rs.getString(2),
                Role.valueOf(rs.getString(3)), instant(rs, 4), instant(rs, 5), instant(rs, 6),
                Role.valueOf(rs.getString(7)), rs.getBoolean(8)), tokenHash).stream().findFirst();
    }

    Optional<ApiToken> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?", ApiTokenStore::token, id)
                .stream().findFirst();
    }

    boolean existsWithHash(String tokenHash) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE token_hash = ?)",
                Boolean.class, tokenHash));
    }

    List<ApiToken> ofUser(String username) {
        return jdbc.query("SELECT " + COLUMNS + " FROM api_tokens WHERE username = ? ORDER BY created_at DESC",
                ApiTokenStore::token, username);
    }

    void insert(ApiToken t) {
        jdbc.update("INSERT INTO api_tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", t.id(), t.username(),
                t.name(), t.role().name(), t.tokenHash(), timestamp(t.createdAt()), timestamp(t.expiresAt()),
                timestamp(t.lastUsedAt()), timestamp(t.revokedAt()));
    }

    /** Recording every use would write on every request; a minute's precision is plenty. */
    void touch(UUID id, Instant now, Instant before) {
        jdbc.update("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"
                + " AND (last_used_at IS NULL OR last_used_at < ?)", Timestamp.from(now), id, Timestamp.from(before));
    }

    /** Revokes the token unless it was already; whether it was live until now. */
    boolean revoke(UUID id, Instant now) {
        return jdbc.update("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                Timestamp.from(now), id) == 1;
    }

    /** Revokes every live token of the user; the number revoked. */
    int revokeAllOf(String username, Instant now) {
        return jdbc.update("UPDATE api_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL",
                Timestamp.from(now), username);
    }

    int deleteExpiredBefore(Instant before) {
        return jdbc.update("DELETE FROM api_tokens WHERE expires_at < ?", Timestamp.from(before));
    }

    private static ApiToken token(ResultSet rs, int row) throws SQLException {
        return new ApiToken(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                Role.valueOf(rs.getString(4)), rs.getString(5), instant(rs, 6), instant(rs, 7), instant(rs, 8),
                instant(rs, 9));
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
