package io.gantry.security;

import java.util.Arrays;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * The roles of {@code API.md}, weakest first: each role includes everything the ones before it
 * may do. Spring Security sees them as the authorities {@code ROLE_NONE}, {@code ROLE_VIEWER},
 * {@code ROLE_OPERATOR}, {@code ROLE_ADMIN}; an authentication carries exactly one of them. As a user's
 * global role, {@code NONE} gives nothing by itself: such a user sees and does only what grants give
 * ({@link GrantLookup}).
 */
public enum Role {
    NONE, VIEWER, OPERATOR, ADMIN;

    private static final String PREFIX = "ROLE_";

    public String authority() {
        return PREFIX + name();
    }

    /** True when this role may do whatever {@code other} may do. */
    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    /** This role and every stronger one, as authority names: what a rule requiring this role accepts. */
    String[] authoritiesIncludingThis() {
        return Arrays.stream(values()).filter(r -> r.includes(this)).map(Role::authority).toArray(String[]::new);
    }

    static Role weaker(Role a, Role b) {
        return a.includes(b) ? b : a;
    }

    /** The strongest role among the authentication's authorities, if it has any. */
    public static Optional<Role> of(Authentication authentication) {
        if (authentication == null) {
            return Optional.empty();
        }
        Role best = null;
        for (GrantedAuthority a : authentication.getAuthorities()) {
            String name = a.getAuthority();
            if (name != null && name.startsWith(PREFIX)) {
                for (Role r : values()) {
                    if (r.authority().equals(name) && (best == null || r.includes(best))) {
                        best = r;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
