package io.gantry.access;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The {@code teams} and {@code team_members} tables. */
@Repository
class TeamStore {
    private final JdbcTemplate jdbc;

    TeamStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    record Team(UUID id, String name, List<String> members, String oidcGroup, Instant createdAt) {
    }

    List<Team> all() {
        return jdbc.query("SELECT id FROM teams ORDER BY name", (rs, i) -> rs.getObject(1, UUID.class)).stream()
                .map(id -> find(id).orElseThrow()).toList();
    }

    Optional<Team> find(UUID id) {
        return jdbc.query("SELECT id, name, oidc_group, created_at FROM teams WHERE id = ?", (rs, i) -> new Team(
                rs.getObject(1, UUID.class), rs.getString(2), members(id), rs.getString(3),
                rs.getTimestamp(4).toInstant()), id).stream().findFirst();
    }

    Optional<Team> findByIdOrName(String idOrName) {
        return jdbc.query("SELECT id FROM teams WHERE id::text = ? OR name = ? ORDER BY id::text = ? DESC LIMIT 1",
                (rs, i) -> rs.getObject(1, UUID.class), idOrName, idOrName, idOrName).stream().findFirst()
                .flatMap(this::find);
    }

    boolean nameTaken(String name, UUID except) {
        Integer n = jdbc.queryForObject("SELECT count(*) FROM teams WHERE name = ? AND id IS DISTINCT FROM ?",
                Integer.class, name, except);
        return n != null && n > 0;
    }

    @Transactional
    Team save(UUID id, String name, List<String> members, String oidcGroup) {
        int updated = jdbc.update("UPDATE teams SET name = ?, oidc_group = ? WHERE id = ?", name, oidcGroup, id);
        if (updated == 0) {
            jdbc.update("INSERT INTO teams (id, name, oidc_group, created_at) VALUES (?, ?, ?, ?)", id, name, oidcGroup,
                    Timestamp.from(Instant.now()));
        }
        jdbc.update("DELETE FROM team_members WHERE team_id = ?", id);
        for (String member : members) {
            jdbc.update("INSERT INTO team_members (team_id, username) VALUES (?, ?)", id, member);
        }
        return find(id).orElseThrow();
    }

    boolean delete(UUID id) {
        return jdbc.update("DELETE FROM teams WHERE id = ?", id) == 1;
    }

    /** Whether a user of that name exists: team members and grant holders must (read here, not through security). */
    boolean userExists(String username) {
        Integer n = jdbc.queryForObject("SELECT count(*) FROM users WHERE username = ?", Integer.class, username);
        return n != null && n > 0;
    }

    private List<String> members(UUID id) {
        return jdbc.queryForList("SELECT username FROM team_members WHERE team_id = ? ORDER BY username", String.class, id);
    }
}
