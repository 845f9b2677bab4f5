package io.gantry.access;

import io.gantry.web.BadRequestException;
import io.gantry.web.ConflictException;
import io.gantry.web.NotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Teams (ADMIN): a name, members, and optionally the identity provider's group whose members join it at sign-in. */
@RestController
class TeamApiController {
    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private final TeamStore teams;

    TeamApiController(TeamStore teams) {
        this.teams = teams;
    }

    record TeamRequest(
            @NotBlank @Pattern(regexp = NAME, message = "must be 1-64 letters, digits or . _ -, starting with a letter "
                    + "or digit") String name,
            @Size(max = 1000) List<String> members,
            @Size(max = 256) String oidcGroup) {
    }

    record TeamView(UUID id, String name, List<String> members, String oidcGroup) {
        static TeamView of(TeamStore.Team t) {
            return new TeamView(t.id(), t.name(), t.members(), t.oidcGroup());
        }
    }

    record TeamPage(List<TeamView> items, long total, String nextCursor) {
    }

    /** All teams in one page: an installation has a handful. */
    @GetMapping("/api/v1/teams")
    TeamPage list() {
        List<TeamView> items = teams.all().stream().map(TeamView::of).toList();
        return new TeamPage(items, items.size(), null);
    }

    @GetMapping("/api/v1/teams/{id}")
    TeamView get(@PathVariable UUID id) {
        return TeamView.of(teams.find(id).orElseThrow(() -> new NotFoundException("team", id)));
    }

    @PostMapping("/api/v1/teams")
    ResponseEntity<TeamView> create(@Valid @RequestBody TeamRequest request) {
        TeamView created = TeamView.of(save(UUID.randomUUID(), request));
        return ResponseEntity.created(URI.create("/api/v1/teams/" + created.id())).body(created);
    }

    /** Replaces the team's name, members and group. */
    @PutMapping("/api/v1/teams/{id}")
    TeamView update(@PathVariable UUID id, @Valid @RequestBody TeamRequest request) {
        teams.find(id).orElseThrow(() -> new NotFoundException("team", id));
        return TeamView.of(save(id, request));
    }

    /** Deletes the team and its grants; its members keep their own. */
    @DeleteMapping("/api/v1/teams/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id) {
        if (!teams.delete(id)) {
            throw new NotFoundException("team", id);
        }
        return ResponseEntity.noContent().build();
    }

    private TeamStore.Team save(UUID id, TeamRequest request) {
        if (teams.nameTaken(request.name(), id)) {
            throw new ConflictException("A team named " + request.name() + " exists already.");
        }
        List<String> given = request.members() == null ? List.of() : request.members();
        for (int i = 0; i < given.size(); i++) {
            if (given.get(i) == null || !teams.userExists(given.get(i))) {
                throw BadRequestException.field("members[" + i + "]", "no user is named '" + given.get(i) + "'");
            }
        }
        List<String> members = List.copyOf(new LinkedHashSet<>(given));
        String group = request.oidcGroup() == null || request.oidcGroup().isBlank() ? null : request.oidcGroup().trim();
        return teams.save(id, request.name(), members, group);
    }
}
