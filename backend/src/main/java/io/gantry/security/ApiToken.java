package io.gantry.security;

import java.time.Instant;
import java.util.UUID;

/** An API token as {@link ApiTokenStore} keeps it: only the SHA-256 of its secret is stored. */
record ApiToken(UUID id, String username, String name, Role role, String tokenHash, Instant createdAt,
                Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {
}
