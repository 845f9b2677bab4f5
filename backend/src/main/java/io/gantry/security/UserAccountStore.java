package io.gantry.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The {@code users} table. */
@Repository
class UserAccountStore {
    private static final String COLUMNS = "username, password_hash, role, disabled, created_at";

    private final JdbcTemplate jdbc;

    UserAccountStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<UserAccount> find(String username) {
        return jdbc.query("SELECT " + COLUMNS + " FROM users WHERE username = ?", UserAccountStore::account, username)
                .stream().findFirst();
    }

    List<UserAccount> all() {
        return jdbc.query("SELECT " + COLUMNS + " FROM users ORDER BY username", UserAccountStore::account);
    }

    boolean any() {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM users)", Boolean.class));
    }

    boolean exists(String username) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)",
                Boolean.class, username));
    }

    /**
     * The enabled administrators, row-locked: the "never remove the last admin" check and the change
     * it guards run in one transaction, so two admins cannot demote each other at the same time.
     */
    List<UserAccount> lockActiveAdmins() {
        return jdbc.query("SELECT " + COLUMNS + " FROM users WHERE role = 'ADMIN' AND NOT disabled FOR UPDATE",
                UserAccountStore::account);
    }

    void insert(UserAccount user) {
        jdbc.update("INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)", user.username(), user.passwordHash(),
                user.role().name(), user.disabled(), Timestamp.from(user.createdAt()));
    }

    void update(UserAccount user) {
        jdbc.update("UPDATE users SET password_hash = ?, role = ?, disabled = ? WHERE username = ?",
                user.passwordHash(), user.role().name(), user.disabled(), user.username());
    }

    /** Deletes the user; their API tokens, second factor, identities and grants go with them (foreign keys). */
    void delete(String username) {
        jdbc.update("DELETE FROM users WHERE username = ?", username);
    }

    private static UserAccount account(ResultSet rs, int row) throws SQLException {
        return new UserAccount(rs.getString(1), rs.getString(2), Role.valueOf(rs.getString(3)), rs.getBoolean(4),
                rs.getTimestamp(5).toInstant());
    }
}
