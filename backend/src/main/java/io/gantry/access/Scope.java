package io.gantry.access;

import io.gantry.security.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * What a caller may see and do: their global role, and their grants (each a role on an engine, or every engine, and a
 * namespace glob). A workload is within {@code role} when the global role includes it or a grant of at least it covers
 * the workload's engine and namespace. Lists take {@link #sql} into their query, so that totals, counts and pages are
 * all cut the same way.
 */
public record Scope(String username, Role global, List<Grant> grants) {
    /** Everything: the server's own work, with nobody signed in (sync, recovery). */
    static Scope unrestricted() {
        return new Scope("system", Role.ADMIN, List.of());
    }

    public Scope {
        grants = List.copyOf(grants);
    }

    /** Whether the global role alone gives {@code role} everywhere. */
    public boolean everywhere(Role role) {
        return global.includes(role);
    }

    public boolean allows(Role role, String engine, String namespace) {
        return everywhere(role) || grants.stream().anyMatch(g -> g.role().includes(role) && g.covers(engine, namespace));
    }

    /** Whether some grant of at least {@code role} covers every namespace of {@code engine} (engine-wide views). */
    public boolean allowsEngine(Role role, String engine) {
        return everywhere(role) || grants.stream().anyMatch(g -> g.role().includes(role) && g.coversEngine(engine)
                && g.namespace().equals(Grant.ANY));
    }

    /** Whether some grant of at least {@code role} touches {@code engine} at all (which engines a user sees listed). */
    public boolean touchesEngine(Role role, String engine) {
        return everywhere(role) || grants.stream().anyMatch(g -> g.role().includes(role) && g.coversEngine(engine));
    }

    /** A SQL condition and its parameters. */
    public record Condition(String sql, List<Object> params) {
    }

    /**
     * The condition a row must meet to be within {@code role}, given the SQL expressions of its engine's name and its
     * namespace; {@code true} for a global role that includes it, {@code false} without any grant of it.
     */
    public Condition sql(Role role, String engineColumn, String namespaceColumn) {
        if (everywhere(role)) {
            return new Condition("true", List.of());
        }
        List<String> any = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        for (Grant g : grants) {
            if (!g.role().includes(role)) {
                continue;
            }
            List<String> all = new ArrayList<>();
            if (!g.engine().equals(Grant.ANY)) {
                all.add(engineColumn + " = ?");
                params.add(g.engine());
            }
            if (!g.namespace().equals(Grant.ANY)) {
                all.add(namespaceColumn + " LIKE ? ESCAPE '\\'");
                params.add(Glob.like(g.namespace()));
            }
            any.add(all.isEmpty() ? "true" : "(" + String.join(" AND ", all) + ")");
        }
        return any.isEmpty() ? new Condition("false", List.of()) : new Condition("(" + String.join(" OR ", any) + ")", params);
    }
}
