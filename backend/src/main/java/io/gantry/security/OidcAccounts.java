package io.gantry.security;

import io.gantry.web.ConflictException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.DisabledException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Gantry user behind an identity provider's person ({@code oidc_identities}): created at their first sign-in,
 * their role set from their groups at every sign-in, their groups kept for teams.
 */
@Service
class OidcAccounts {
    static final int MAX_USERNAME = 64;
    private static final Logger log = LoggerFactory.getLogger(OidcAccounts.class);

    private final JdbcTemplate jdbc;
    private final UserAccounts users;
    private final Clock clock = Clock.systemUTC();

    OidcAccounts(JdbcTemplate jdbc, UserAccounts users) {
        this.jdbc = jdbc;
        this.users = users;
    }

    /** Who signed in, as Gantry knows them now. */
    record SignedIn(String username, Role role) {
    }

    /**
     * @param preferredUsername the provider's {@code preferred_username} (may be null): the new user's name if free
     * @throws DisabledException an ADMIN disabled the user in Gantry
     * @throws ConflictException the provider would demote the last enabled administrator
     */
    @Transactional
    SignedIn signIn(OidcProperties.Provider provider, String subject, String preferredUsername, List<String> groups) {
        Role role = provider.roleFor(groups);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<String> known = jdbc.queryForList("SELECT username FROM oidc_identities WHERE issuer = ? AND subject = ?",
                String.class, provider.issuerUri(), subject);
        String username;
        if (known.isEmpty()) {
            username = freeUsername(preferredUsername != null && !preferredUsername.isBlank() ? preferredUsername : subject);
            users.createForIdentityProvider(username, role);
            jdbc.update("INSERT INTO oidc_identities (issuer, subject, username, provider, created_at, last_sign_in_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?)", provider.issuerUri(), subject, username, provider.id(),
                    Timestamp.from(now), Timestamp.from(now));
            log.info("First sign-in of {} through OIDC provider {}: created with role {}", username, provider.id(), role);
        } else {
            username = known.get(0);
            UserAccount user = users.get(username);
            if (user.disabled()) {
                throw new DisabledException("user " + username + " is disabled");
            }
            if (user.role() != role) {
                // through the one path of role changes: a demotion ends the user's other sessions
                users.update(username, null, role, null, new UserAccounts.Actor(username, null));
                log.info("Role of {} set to {} from their groups at OIDC provider {}", username, role, provider.id());
            }
            jdbc.update("UPDATE oidc_identities SET last_sign_in_at = ? WHERE issuer = ? AND subject = ?",
                    Timestamp.from(now), provider.issuerUri(), subject);
        }
        jdbc.update("DELETE FROM user_groups WHERE username = ?", username);
        for (String group : groups.stream().distinct().toList()) {
            jdbc.update("INSERT INTO user_groups (username, group_name) VALUES (?, ?)", username, group);
        }
        return new SignedIn(username, role);
    }

    /** The groups the provider named at the user's last sign-in (empty for a local user). */
    List<String> groups(String username) {
        return jdbc.queryForList("SELECT group_name FROM user_groups WHERE username = ? ORDER BY group_name",
                String.class, username);
    }

    /**
     * The wanted name made to fit {@link UserApiController#USERNAME}, with {@code -2}, {@code -3}... when a user has it
     * already: a provider's person never becomes an existing (local or other provider's) user by name.
     */
    private String freeUsername(String wanted) {
        String base = sanitize(wanted);
        String candidate = base;
        for (int n = 2; users.exists(candidate); n++) {
            String suffix = "-" + n;
            candidate = base.substring(0, Math.min(base.length(), MAX_USERNAME - suffix.length())) + suffix;
        }
        return candidate;
    }

    /** Characters outside {@code [A-Za-z0-9._@-]} become {@code -}; it starts with a letter or digit; at most 64. */
    static String sanitize(String wanted) {
        String name = wanted.strip().replaceAll("[^A-Za-z0-9._@-]", "-").replaceFirst("^[^A-Za-z0-9]+", "");
        if (name.length() > MAX_USERNAME) {
            name = name.substring(0, MAX_USERNAME);
        }
        return name.isEmpty() ? "user" : name;
    }
}
