package io.gantry.access;

import io.gantry.security.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The {@code grants} table: who holds which role where, directly or through a team. */
@Repository
class GrantStore {
    private static final String COLUMNS = "g.id, g.username, g.team_id, t.name, g.role, g.engine, g.namespace, "
            + "g.created_at, g.created_by";
    private static final String FROM = " FROM grants g LEFT JOIN teams t ON t.id = g.team_id";
    /**
     * A user's own grants and those of their teams: the teams they were made members of, and those whose identity
     * provider group was in their groups at their last sign-in (user_groups). Parameters: the username, three times.
     * In parentheses: a condition added after it with AND must hold for the team grants and the own ones alike.
     */
    private static final String HELD = " WHERE (g.username = ? OR g.team_id IN "
            + "(SELECT m.team_id FROM team_members m WHERE m.username = ? "
            + "UNION SELECT t.id FROM teams t JOIN user_groups ug ON ug.group_name = t.oidc_group WHERE ug.username = ?))";

    private final JdbcTemplate jdbc;

    GrantStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    List<Grant> all() {
        return jdbc.query("SELECT " + COLUMNS + FROM + " ORDER BY g.created_at, g.id", this::grant);
    }

    Optional<Grant> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + FROM + " WHERE g.id = ?", this::grant, id).stream().findFirst();
    }

    List<Grant> heldBy(String username) {
        return jdbc.query("SELECT " + COLUMNS + FROM + HELD + " ORDER BY g.created_at, g.id", this::grant, username,
                username, username);
    }

    boolean holds(String username, Role atLeast) {
        List<String> roles = Arrays.stream(Role.values()).filter(r -> r.includes(atLeast)).map(Role::name).toList();
        Integer n = jdbc.queryForObject("SELECT count(*) FROM grants g" + HELD + " AND g.role = ANY (?)", Integer.class,
                username, username, username, roles.toArray(String[]::new));
        return n != null && n > 0;
    }

    Grant create(String username, UUID teamId, Role role, String engine, String namespace, String by) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO grants (id, username, team_id, role, engine, namespace, created_at, created_by) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, username, teamId, role.name(), engine, namespace,
                Timestamp.from(Instant.now()), by);
        return find(id).orElseThrow();
    }

    boolean delete(UUID id) {
        return jdbc.update("DELETE FROM grants WHERE id = ?", id) == 1;
    }

    private Grant grant(ResultSet rs, int row) throws SQLException {
        return new Grant(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, UUID.class), rs.getString(4),
                Role.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7), rs.getTimestamp(8).toInstant(),
                rs.getString(9));
    }
}
