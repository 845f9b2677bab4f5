package io.gantry.security;

import io.gantry.web.BadRequestException;
import io.gantry.web.ConflictException;
import io.gantry.web.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The users of Gantry; also what form login and {@code /auth/token} check passwords against. */
@Service
class UserAccounts implements UserDetailsService {
    /** BCrypt only reads the first 72 bytes: a longer password would be silently truncated. */
    static final int MAX_PASSWORD_BYTES = 72;
    static final int MIN_PASSWORD_LENGTH = 10;

    private static final Logger log = LoggerFactory.getLogger(UserAccounts.class);

    private final UserAccountStore users;
    private final PasswordEncoder passwords;
    private final AccessRevocation revocation;
    private final Clock clock = Clock.systemUTC();

    UserAccounts(UserAccountStore users, PasswordEncoder passwords, AccessRevocation revocation) {
        this.users = users;
        this.passwords = passwords;
        this.revocation = revocation;
    }

    /**
     * Who asks for a change: their username and the browser session they ask from (null for a
     * token). Changing one's own password keeps that session and ends the others.
     */
    record Actor(String username, String sessionId) {
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        UserAccount user = users.find(username)
                .orElseThrow(() -> new UsernameNotFoundException("no such user"));
        return User.withUsername(user.username())
                .password(user.passwordHash())
                .authorities(user.role().authority())
                .disabled(user.disabled())
                .build();
    }

    List<UserAccount> list() {
        return users.all();
    }

    UserAccount get(String username) {
        return users.find(username).orElseThrow(() -> notFound(username));
    }

    boolean any() {
        return users.any();
    }

    boolean exists(String username) {
        return users.exists(username);
    }

    @Transactional
    UserAccount create(String username, String password, Role role) {
        checkPasswordBytes(password);
        if (users.exists(username)) {
            throw new ConflictException("A user named " + username + " exists already.");
        }
        UserAccount user = new UserAccount(username, passwords.encode(password), role, false,
                clock.instant().truncatedTo(ChronoUnit.MICROS));
        users.insert(user);
        log.info("Created user {} with role {}", username, role);
        return user;
    }

    /**
     * A user who signs in at an identity provider ({@link OidcAccounts}). Their password is the hash of random bytes
     * that are thrown away: it can never match, yet the row is like any other (see V12__oidc_identities.sql).
     */
    @Transactional
    UserAccount createForIdentityProvider(String username, Role role) {
        if (users.exists(username)) {
            throw new ConflictException("A user named " + username + " exists already.");
        }
        UserAccount user = new UserAccount(username, passwords.encode(TokenSecrets.randomText(48)), role, false,
                clock.instant().truncatedTo(ChronoUnit.MICROS));
        users.insert(user);
        return user;
    }

    /**
     * Applies the non-null changes. Refuses to leave Gantry without an enabled administrator. A new
     * password, disabling or demoting ends the user's sessions and tells whoever holds streams for
     * them ({@link AccessRevocation}); a new password also revokes all their API tokens.
     */
    @Transactional
    UserAccount update(String username, String password, Role role, Boolean disabled, Actor actor) {
        List<UserAccount> admins = users.lockActiveAdmins();
        UserAccount before = get(username);
        UserAccount user = before;
        if (password != null) {
            checkPasswordBytes(password);
            user = user.withPasswordHash(passwords.encode(password));
        }
        if (role != null) {
            user = user.withRole(role);
        }
        if (disabled != null) {
            user = user.withDisabled(disabled);
        }
        if (before.isActiveAdmin() && !user.isActiveAdmin() && admins.size() <= 1) {
            throw lastAdmin();
        }
        users.update(user);
        log.info("Updated user {}: role {}, disabled {}{}", username, user.role(), user.disabled(),
                password != null ? ", new password" : "");
        boolean self = actor.username().equals(username);
        List<String> shrunk = shrunk(self, password != null, before.disabled(), user.disabled(), before.role(), user.role());
        if (!shrunk.isEmpty()) {
            // one's own session stays only for a new password: a demoted or disabled session ends anyway
            boolean keepOwn = self && shrunk.size() == 1 && password != null;
            revocation.revoke(username, String.join(", ", shrunk), password != null, keepOwn ? actor.sessionId() : null);
        }
        return user;
    }

    /** How a change shrank what the user may do, in words for {@link UserAccessChanged}; empty if it did not. */
    private static List<String> shrunk(boolean self, boolean newPassword, boolean disabledBefore, boolean disabled,
            Role roleBefore, Role role) {
        List<String> shrunk = new ArrayList<>();
        if (newPassword) {
            shrunk.add(self ? "password changed" : "password reset");
        }
        if (disabled && !disabledBefore) {
            shrunk.add("disabled");
        }
        if (!role.includes(roleBefore)) {
            shrunk.add("demoted to " + role);
        }
        return shrunk;
    }

    @Transactional
    void delete(String username) {
        List<UserAccount> admins = users.lockActiveAdmins();
        UserAccount user = get(username);
        if (user.isActiveAdmin() && admins.size() <= 1) {
            throw lastAdmin();
        }
        users.delete(username);
        log.info("Deleted user {} and their API tokens", username);
        revocation.revoke(username, "deleted", false, null);
    }

    static void checkPasswordBytes(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw BadRequestException.field("password", "must be at most " + MAX_PASSWORD_BYTES + " bytes");
        }
    }

    private static NotFoundException notFound(String username) {
        return new NotFoundException("No user named " + username + ".");
    }

    private static ConflictException lastAdmin() {
        return new ConflictException(
                "Gantry needs at least one enabled administrator: create or enable another one first.");
    }
}
