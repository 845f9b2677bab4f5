package io.gantry.access;

import io.gantry.security.Role;
import java.time.Instant;
import java.util.UUID;

/**
 * A role on an engine (by name, or {@code *} for every engine) and a namespace glob, given to a user or a team.
 *
 * @param teamName the team's name when given to a team (for reading), else null
 */
public record Grant(UUID id, String username, UUID teamId, String teamName, Role role, String engine, String namespace,
                    Instant createdAt, String createdBy) {
    public static final String ANY = "*";

    boolean coversEngine(String engineName) {
        return engine.equals(ANY) || engine.equals(engineName);
    }

    boolean covers(String engineName, String workloadNamespace) {
        return coversEngine(engineName) && Glob.matches(namespace, workloadNamespace == null ? "" : workloadNamespace);
    }
}
