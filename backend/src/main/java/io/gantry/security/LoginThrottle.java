package io.gantry.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing per username: the first {@value #FREE_FAILURES} failures cost nothing,
 * each further one locks the username for twice as long as the previous (1 s, 2 s, 4 s ... up to
 * {@link #MAX_LOCK}). Keyed by username rather than address so that a botnet gains nothing; the
 * price is that someone can keep a username locked, which bearer tokens are not affected by.
 * Kept in memory: a restart forgives, and each replica counts on its own.
 */
class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 10_000;

    private record Failures(int count, Instant lockedUntil, Instant last) {
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long the username stays locked, if it is. */
    Optional<Duration> lockedFor(String username) {
        Failures f = failures.get(key(username));
        Instant now = clock.instant();
        if (f == null || f.lockedUntil() == null || !now.isBefore(f.lockedUntil())) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, f.lockedUntil()));
    }

    void failed(String username) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> f.last().plus(MAX_LOCK).isBefore(now));
        }
        failures.compute(key(username), (k, f) -> {
            int count = f == null ? 1 : f.count() + 1;
            Instant lockedUntil = count < FREE_FAILURES ? null : now.plus(lockFor(count));
            return new Failures(count, lockedUntil, now);
        });
    }

    void succeeded(String username) {
        failures.remove(key(username));
    }

    static Duration lockFor(int failureCount) {
        int doublings = Math.min(failureCount - FREE_FAILURES, 20);
        Duration lock = Duration.ofSeconds(1L << doublings);
        return lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock;
    }

    private static String key(String username) {
        return username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
    }
}
