package io.gantry.security;

import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.web.ProblemException;
import io.gantry.web.ProblemType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Issues, checks, lists and revokes API tokens. Only hashes reach the database. */
@Service
class ApiTokens {
    /** How long a token from {@code POST /api/v1/auth/token} lives. */
    static final Duration LOGIN_TOKEN_LIFETIME = Duration.ofHours(12);
    private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);
    private static final Duration KEEP_EXPIRED = Duration.ofDays(7);

    private final ApiTokenStore tokens;
    private final Duration maxAge;
    private final AccessRevocation revocation;
    private final Clock clock;

    ApiTokens(ApiTokenStore tokens, GantrySecurityProperties properties,
            AccessRevocation revocation) {
        this.tokens = tokens;
        this.revocation = revocation;
        this.maxAge = properties.tokenMaxAge();
        this.clock = Clock.systemUTC();
    }

    /**
     * When a new token is to expire, as its creator asked: {@code at} a time, {@code never}, or
     * neither for the default ({@code gantry.security.token-max-age} from now).
     */
    record Expiry(Instant at, boolean never) {
        static final Expiry DEFAULT = new Expiry(null, false);
        static final String NEVER = "never";

        /** {@code expiresAt} as the API takes it: absent or null, {@value #NEVER}, or an RFC 3339 time. */
        static Expiry parse(String expiresAt) {
            if (expiresAt == null) {
                return DEFAULT;
            }
            if (expiresAt.equals(NEVER)) {
                return new Expiry(null, true);
            }
            try {
                return new Expiry(OffsetDateTime.parse(expiresAt).toInstant(), false);
            } catch (DateTimeParseException e) {
                throw BadRequestException.field("expiresAt", "must be an RFC 3339 time or \"never\"");
            }
        }
    }

    /** A freshly issued token: the only moment its secret exists outside the caller. */
    record IssuedToken(UUID id, String name, Role role, String token, Instant createdAt, Instant expiresAt) {
    }

    /** What a presented secret turned out to be: a caller, or why not. */
    record Check(ApiTokenAuthentication authentication, String failure) {
        static Check failed(String why) {
            return new Check(null, why);
        }
    }

    Check authenticate(String secret) {
        Optional<ApiTokenStore.Presented> found = tokens.presented(TokenSecrets.hash(secret));
        if (found.isEmpty()) {
            return Check.failed("The bearer token is not valid.");
        }
        ApiTokenStore.Presented token = found.get();
        Instant now = clock.instant();
        if (token.revokedAt() != null) {
            return Check.failed("The bearer token was revoked.");
        }
        if (token.expiresAt() != null && !now.isBefore(token.expiresAt())) {
            return Check.failed("The bearer token has expired.");
        }
        if (token.userDisabled()) {
            return Check.failed("The bearer token's user is disabled.");
        }
        Instant stale = now.minus(LAST_USED_PRECISION);
        if (token.lastUsedAt() == null || token.lastUsedAt().isBefore(stale)) {
            tokens.touch(token.id(), now, stale);
        }
        // A token never outranks its user: demoting someone demotes their tokens at once.
        Role role = Role.weaker(token.role(), token.userRole());
        return new Check(new ApiTokenAuthentication(token.username(), token.id(), role), null);
    }

    /**
     * A token for the caller. Its lifetime is at most {@link #maxAge}; only an administrator may set a
     * later time or none at all (a service token for automation).
     */
    @Transactional
    IssuedToken issue(String username, Role callerRole, String name, Role requested, Expiry expiry) {
        Role role = requested == null ? callerRole : requested;
        if (!callerRole.includes(role)) {
            throw new ProblemException(ProblemType.TOKEN_ROLE_TOO_HIGH,
                    "A token cannot have more rights than its creator: you have " + callerRole + ", the token asks for "
                            + role + ".");
        }
        Instant now = now();
        boolean admin = callerRole == Role.ADMIN;
        Instant expiresAt;
        if (expiry.never()) {
            if (!admin) {
                throw BadRequestException.field("expiresAt", "only an administrator may create a token that never expires");
            }
            expiresAt = null;
        } else if (expiry.at() == null) {
            expiresAt = now.plus(maxAge);
        } else {
            expiresAt = expiry.at();
            if (!expiresAt.isAfter(now)) {
                throw BadRequestException.field("expiresAt", "must be in the future");
            }
            if (!admin && expiresAt.isAfter(now.plus(maxAge))) {
                throw BadRequestException.field("expiresAt", "must be at most " + days(maxAge)
                        + " from now (gantry.security.token-max-age); only an administrator may choose later");
            }
        }
        return save(username, name, role, TokenSecrets.generate(), now, expiresAt);
    }

    @Transactional
    IssuedToken issueForLogin(String username, Role role) {
        Instant now = now();
        tokens.deleteExpiredBefore(now.minus(KEEP_EXPIRED));
        return save(username, "login", role, TokenSecrets.generate(), now, now.plus(LOGIN_TOKEN_LIFETIME));
    }

    /**
     * Stores the operator-chosen bootstrap secret for {@code username} unless a token with that
     * secret exists already (also when it was revoked: a revoked bootstrap token stays revoked).
     *
     * @return true when the token was created now
     */
    @Transactional
    boolean ensureBootstrapToken(String username, String secret) {
        if (tokens.existsWithHash(TokenSecrets.hash(secret))) {
            return false;
        }
        save(username, "bootstrap", Role.ADMIN, secret, now(), null);
        return true;
    }

    List<ApiToken> listOwn(String username) {
        return tokens.ofUser(username);
    }

    /** Revokes one of the caller's tokens; an administrator may revoke anyone's. */
    @Transactional
    void revoke(UUID id, String caller, Role callerRole) {
        ApiToken token = tokens.find(id)
                .filter(t -> t.username().equals(caller) || callerRole == Role.ADMIN)
                .orElseThrow(() -> new NotFoundException("No token " + id + " of yours."));
        if (tokens.revoke(id, now())) {
            // a stream opened with the token must not outlive it
            revocation.credentialEnded(token.username(), "token revoked");
        }
    }

    private IssuedToken save(String username, String name, Role role, String secret, Instant now, Instant expiresAt) {
        ApiToken token = new ApiToken(UUID.randomUUID(), username, name, role, TokenSecrets.hash(secret), now, expiresAt,
                null, null);
        tokens.insert(token);
        return new IssuedToken(token.id(), name, role, secret, now, expiresAt);
    }

    private static String days(Duration d) {
        return d.toHours() % 24 == 0 && d.toDays() > 0 ? d.toDays() + " days" : d.toString();
    }

    /** Microsecond precision, as PostgreSQL stores it, so what we answer is what we stored. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
