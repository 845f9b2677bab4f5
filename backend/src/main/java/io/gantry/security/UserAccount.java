package io.gantry.security;

import java.time.Instant;

/**
 * A person who signs in to Gantry, as {@link UserAccountStore} keeps it. Never leaves this package: the API answers
 * {@link UserView}.
 */
record UserAccount(String username, String passwordHash, Role role, boolean disabled, Instant createdAt) {

    UserAccount withPasswordHash(String passwordHash) {
        return new UserAccount(username, passwordHash, role, disabled, createdAt);
    }

    UserAccount withRole(Role role) {
        return new UserAccount(username, passwordHash, role, disabled, createdAt);
    }

    UserAccount withDisabled(boolean disabled) {
        return new UserAccount(username, passwordHash, role, disabled, createdAt);
    }

    boolean isActiveAdmin() {
        return role == Role.ADMIN && !disabled;
    }
}
