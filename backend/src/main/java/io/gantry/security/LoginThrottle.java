package io.gantry.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing, per username and per client address. Every sign-in first takes a slot
 * from both ({@link #begin}); only then is the password hashed, and the outcome settles the slot.
 * A slot counts like a failure until its outcome is known, so forty parallel guesses at one
 * username get {@value #USERNAME_FAILURES} password checks, not forty: the read of the count and
 * the reservation are one atomic step.
 *
 * <ul>
 * <li>Username: {@value #USERNAME_FAILURES} failures, then each further one locks the username for
 * twice as long as the previous ({@link #FIRST_LOCK}, doubling up to {@link #MAX_LOCK}); a success
 * forgives. Unknown usernames count like known ones, so a botnet gains nothing per name; the price
 * is that someone can keep a username locked, which bearer tokens and open sessions are not affected by.</li>
 * <li>Client address (an IPv6 one by its /64): {@value #CLIENT_FAILURES} failures over any usernames,
 * then the same locks.
 * A success does not forgive (one's own account must not reset a spray over others); instead one
 * failure is forgotten per {@link #CLIENT_LEAK}, so an office behind one NAT address that mistypes
 * now and then never gets there.</li>
 * </ul>
 * Kept in memory: a restart forgives, and each replica counts on its own.
 */
class LoginThrottle {
    static final int USERNAME_FAILURES = 5;
    static final int CLIENT_FAILURES = 20;
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    static final Duration CLIENT_LEAK = Duration.ofMinutes(1);
    /** What a refused caller is told while earlier attempts are still being checked. */
    static final Duration OUTCOME_PENDING = Duration.ofSeconds(1);
    private static final int MAX_TRACKED = 10_000;

    private final Tally usernames = new Tally(USERNAME_FAILURES, null);
    private final Tally clients = new Tally(CLIENT_FAILURES, CLIENT_LEAK);
    private final Clock clock;

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** The answer of {@link #begin}: go ahead with the password check, or not yet. */
    sealed interface Attempt permits Permit, Refused {
    }

    /** A slot on both keys; settle it exactly once with succeeded, failed or abandoned. */
    record Permit(String username, String client) implements Attempt {
    }

    /** @param perClient true when the client address is locked rather than the username */
    record Refused(Duration retryAfter, boolean perClient) implements Attempt {
    }

    /**
     * Takes a slot for a sign-in as {@code username} from {@code client} (a remote address; null
     * when unknown, which only the username limit then covers).
     */
    Attempt begin(String username, String client) {
        Instant now = clock.instant();
        String user = key(username);
        Duration refused = usernames.reserve(user, now);
        if (refused != null) {
            return new Refused(refused, false);
        }
        String from = clientKey(client);
        if (from != null) {
            refused = clients.reserve(from, now);
            if (refused != null) {
                usernames.settle(user, now, Outcome.ABANDONED);
                return new Refused(refused, true);
            }
        }
        return new Permit(user, from);
    }

    void succeeded(Permit permit) {
        settle(permit, Outcome.SUCCEEDED);
    }

    void failed(Permit permit) {
        settle(permit, Outcome.FAILED);
    }

    /** The check ended without a verdict on the password (e.g. the database was down): no failure counted. */
    void abandoned(Permit permit) {
        settle(permit, Outcome.ABANDONED);
    }

    /**
     * Forgets every failure. The integration tests share one server (and this throttle) and all sign
     * in from 127.0.0.1: a test that locks it out on purpose cleans up after itself with this.
     */
    void forgetAll() {
        usernames.states.clear();
        clients.states.clear();
    }

    /** The lock after {@code failures} failures where {@code free} are allowed. */
    static Duration lockFor(int failures, int free) {
        int doublings = Math.min(failures - free, 20);
        Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
        return lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock;
    }

    private void settle(Permit permit, Outcome outcome) {
        Instant now = clock.instant();
        usernames.settle(permit.username(), now, outcome);
        if (permit.client() != null) {
            // one's own success does not forgive a client's failures over other usernames
            clients.settle(permit.client(), now, outcome == Outcome.SUCCEEDED ? Outcome.ABANDONED : outcome);
        }
    }

    /**
     * The client's bucket: its IPv4 address, or the /64 network of an IPv6 one, since a single IPv6
     * host usually holds a whole /64 and could otherwise take a fresh address for every guess.
     */
    static String clientKey(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        try {
            // a literal address: parsed, never looked up
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length != 16) {
                return address;
            }
            Arrays.fill(bytes, 8, 16, (byte) 0);
            return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static String key(String username) {
        return username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
    }

    private enum Outcome { SUCCEEDED, FAILED, ABANDONED }

    /** Failures and attempts in flight per key; every change is one {@code compute}, atomic per key. */
    private static final class Tally {
        /** {@code last}: the last failure, or when the leak last forgave one; what the leak counts from. */
        private record State(int failures, int pending, Instant lockedUntil, Instant last) {
        }

        final Map<String, State> states = new ConcurrentHashMap<>();
        private final int free;
        private final Duration leak;

        Tally(int free, Duration leak) {
            this.free = free;
            this.leak = leak;
        }

        /** Null when a slot was taken; else how long until one may be. */
        Duration reserve(String key, Instant now) {
            if (states.size() >= MAX_TRACKED) {
                states.values().removeIf(s -> s.pending() == 0 && s.last().plus(MAX_LOCK).isBefore(now));
            }
            Duration[] refused = {null};
            states.compute(key, (k, old) -> {
                State s = leaked(old, now);
                if (s.lockedUntil() != null && now.isBefore(s.lockedUntil())) {
                    refused[0] = Duration.between(now, s.lockedUntil());
                    return s;
                }
                if (s.pending() > 0 && s.failures() + s.pending() >= free) {
                    // the attempts in flight may be the failures that lock: wait for their outcome
                    refused[0] = OUTCOME_PENDING;
                    return s;
                }
                return new State(s.failures(), s.pending() + 1, s.lockedUntil(), s.last());
            });
            return refused[0];
        }

        void settle(String key, Instant now, Outcome outcome) {
            states.compute(key, (k, old) -> {
                State s = leaked(old, now);
                int pending = Math.max(0, s.pending() - 1);
                if (outcome == Outcome.SUCCEEDED) {
                    return pending == 0 ? null : new State(0, pending, null, now);
                }
                if (outcome == Outcome.ABANDONED) {
                    return pending == 0 && s.failures() == 0 ? null : new State(s.failures(), pending, s.lockedUntil(), s.last());
                }
                int failures = s.failures() + 1;
                Instant lockedUntil = failures < free ? null : now.plus(lockFor(failures, free));
                return new State(failures, pending, lockedUntil, now);
            });
        }

        /** The state with the failures that {@link #leak} forgave since it last changed. */
        private State leaked(State s, Instant now) {
            if (s == null) {
                return new State(0, 0, null, now);
            }
            if (leak == null || s.failures() == 0) {
                return s;
            }
            long forgiven = Duration.between(s.last(), now).dividedBy(leak);
            if (forgiven <= 0) {
                return s;
            }
            int failures = (int) Math.max(0, s.failures() - forgiven);
            Instant lockedUntil = failures < free ? null : s.lockedUntil();
            return new State(failures, s.pending(), lockedUntil, s.last().plus(leak.multipliedBy(forgiven)));
        }
    }
}
