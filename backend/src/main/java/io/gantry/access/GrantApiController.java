package io.gantry.access;

import io.gantry.security.Role;
import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Grants (ADMIN): a role on an engine (or all, {@code *}) and a namespace glob, for a user or a team. A grant adds to
 * the holder's global role, never takes from it.
 */
@RestController
class GrantApiController {
    private final GrantStore grants;
    private final TeamStore teams;
    private final JdbcTemplate jdbc;

    GrantApiController(GrantStore grants, TeamStore teams, JdbcTemplate jdbc) {
        this.grants = grants;
        this.teams = teams;
        this.jdbc = jdbc;
    }

    /**
     * @param user      a user's name; or
     * @param team      a team's id or name
     * @param engine    an engine's name or id, or {@code *} for every engine
     * @param namespace a glob over namespaces ({@code *}, {@code ?}); default {@code *}
     */
    record GrantRequest(String user, String team, @NotNull Role role, @NotBlank @Size(max = 64) String engine,
                        @Size(max = 256) String namespace) {
    }

    record GrantView(UUID id, String user, UUID teamId, String team, Role role, String engine, String namespace,
                     Instant createdAt, String createdBy) {
        static GrantView of(Grant g) {
            return new GrantView(g.id(), g.username(), g.teamId(), g.teamName(), g.role(), g.engine(), g.namespace(),
                    g.createdAt(), g.createdBy());
        }
    }

    record GrantPage(List<GrantView> items, long total, String nextCursor) {
    }

    @GetMapping("/api/v1/grants")
    GrantPage list() {
        List<GrantView> items = grants.all().stream().map(GrantView::of).toList();
        return new GrantPage(items, items.size(), null);
    }

    @PostMapping("/api/v1/grants")
    ResponseEntity<GrantView> create(@Valid @RequestBody GrantRequest request, Authentication caller) {
        boolean toUser = request.user() != null && !request.user().isBlank();
        boolean toTeam = request.team() != null && !request.team().isBlank();
        if (toUser == toTeam) {
            throw BadRequestException.field(toUser ? "team" : "user", "name exactly one of user and team");
        }
        if (request.role() == Role.NONE) {
            throw BadRequestException.field("role", "a grant gives VIEWER, OPERATOR or ADMIN");
        }
        String engine = request.engine().trim();
        if (!engine.equals(Grant.ANY)) {
            // read here rather than through the engine feature, which itself reads grants (Scopes)
            engine = jdbc.queryForList("SELECT name FROM engines WHERE id::text = ? OR name = ? ORDER BY id::text = ? DESC "
                    + "LIMIT 1", String.class, engine, engine, engine).stream().findFirst().orElseThrow(() ->
                    BadRequestException.field("engine", "no engine has the id or name '" + request.engine()
                            + "'; '*' grants on every engine"));
        }
        String namespace = request.namespace() == null || request.namespace().isBlank() ? Grant.ANY : request.namespace().trim();
        if (namespace.chars().anyMatch(Character::isISOControl)) {
            throw BadRequestException.field("namespace", "must not contain control characters");
        }
        UUID teamId = null;
        if (toTeam) {
            teamId = teams.findByIdOrName(request.team().trim())
                    .orElseThrow(() -> BadRequestException.field("team", "no team has the id or name '" + request.team() + "'"))
                    .id();
        } else if (!teams.userExists(request.user().trim())) {
            throw BadRequestException.field("user", "no user is named '" + request.user() + "'");
        }
        Grant grant = grants.create(toUser ? request.user().trim() : null, teamId, request.role(), engine, namespace,
                caller.getName());
        return ResponseEntity.created(URI.create("/api/v1/grants/" + grant.id())).body(GrantView.of(grant));
    }

    @DeleteMapping("/api/v1/grants/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id) {
        if (!grants.delete(id)) {
            throw new NotFoundException("grant", id);
        }
        return ResponseEntity.noContent().build();
    }
}
