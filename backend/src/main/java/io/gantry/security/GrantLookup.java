package io.gantry.security;

import java.util.List;

/**
 * A user's grants as the security feature needs them: whether they hold one of at least a role somewhere (the access
 * table lets such a user through to the scoped routes; what those routes then show and allow is cut to the grants by
 * the access feature, io.gantry.access, which implements this) and what they are (for {@code /api/v1/auth/me}).
 */
public interface GrantLookup {
    boolean holdsGrant(String username, Role atLeast);

    List<HeldGrant> held(String username);

    /** @param team the team it comes through, null for one of the user's own */
    record HeldGrant(Role role, String engine, String namespace, String team) {
    }
}
