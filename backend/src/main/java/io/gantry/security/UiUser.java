package io.gantry.security;

import org.springframework.security.core.Authentication;

/** The signed-in user as templates show it: name, role, and which actions the role allows. */
public record UiUser(String username, Role role) {
    public static UiUser of(Authentication authentication) {
        return new UiUser(authentication.getName(), Role.of(authentication).orElse(Role.VIEWER));
    }

    /** May deploy, scale, restart, edit and delete workloads. */
    public boolean isOperator() {
        return role.includes(Role.OPERATOR);
    }

    /** May manage engines and users. */
    public boolean isAdmin() {
        return role.includes(Role.ADMIN);
    }
}
