package io.gantry.security;

import org.springframework.security.core.Authentication;

/**
 * The signed-in user as templates show it: name, global role, and which pages and actions their role and grants
 * allow somewhere (the API decides each workload; the pages only leave out what could never work).
 *
 * @param grantedOperator whether a grant gives OPERATOR somewhere
 * @param grantedViewer   whether a grant gives at least VIEWER somewhere
 */
public record UiUser(String username, Role role, boolean grantedOperator, boolean grantedViewer) {
    public static UiUser of(Authentication authentication, GrantLookup grants) {
        Role role = Role.of(authentication).orElse(Role.NONE);
        String name = authentication.getName();
        boolean global = role.includes(Role.OPERATOR);
        return new UiUser(name, role, !global && grants.holdsGrant(name, Role.OPERATOR),
                !role.includes(Role.VIEWER) && grants.holdsGrant(name, Role.VIEWER));
    }

    /** May deploy, scale, restart, edit and delete workloads (somewhere). */
    public boolean isOperator() {
        return role.includes(Role.OPERATOR) || grantedOperator;
    }

    /** May see workloads (somewhere): the pages of the navigation other than their own account. */
    public boolean isViewer() {
        return role.includes(Role.VIEWER) || grantedViewer;
    }

    /** May manage engines and users. */
    public boolean isAdmin() {
        return role.includes(Role.ADMIN);
    }
}
