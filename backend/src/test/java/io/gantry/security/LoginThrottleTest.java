package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private static final String CLIENT = "192.0.2.7";

    private Instant now = Instant.parse("2026-11-28T10:00:00Z");
    private final LoginThrottle throttle = new LoginThrottle(new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    @Test
    void theFirstFailuresAreFreeThenEachLocksLonger() {
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES; i++) {
            fail("alice", CLIENT);
        }
        assertThat(refusal("alice", CLIENT).retryAfter()).isEqualTo(LoginThrottle.FIRST_LOCK);

        now = now.plus(LoginThrottle.FIRST_LOCK);
        fail("alice", CLIENT);
        assertThat(refusal("alice", CLIENT).retryAfter()).isEqualTo(LoginThrottle.FIRST_LOCK.multipliedBy(2));
    }

    @Test
    void aCorrectPasswordWhileLockedIsNotEvenChecked() {
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES; i++) {
            fail("erin", CLIENT);
        }

        assertThat(throttle.begin("erin", "198.51.100.1")).isInstanceOf(LoginThrottle.Refused.class);
    }

    @Test
    void locksAreCappedAndPerUsernameIgnoringCase() {
        assertThat(LoginThrottle.lockFor(100, LoginThrottle.USERNAME_FAILURES)).isEqualTo(LoginThrottle.MAX_LOCK);
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES; i++) {
            fail("Bob", CLIENT);
        }
        assertThat(throttle.begin("bob", "198.51.100.2")).isInstanceOf(LoginThrottle.Refused.class);
        assertThat(throttle.begin("carol", "198.51.100.2")).isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void successForgivesEarlierFailures() {
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES - 1; i++) {
            fail("dave", CLIENT);
        }
        throttle.succeeded(permit("dave", CLIENT));
        fail("dave", CLIENT);

        assertThat(throttle.begin("dave", CLIENT)).isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void attemptsInFlightCountBeforeTheirOutcome() {
        List<LoginThrottle.Permit> inFlight = new ArrayList<>();
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES; i++) {
            inFlight.add(permit("frank", CLIENT));
        }

        LoginThrottle.Refused sixth = refusal("frank", CLIENT);
        assertThat(sixth.retryAfter()).isEqualTo(LoginThrottle.OUTCOME_PENDING);
        assertThat(sixth.perClient()).isFalse();

        // one of them was right: the others' failures no longer count, the next may try
        throttle.succeeded(inFlight.remove(0));
        inFlight.forEach(throttle::failed);
        assertThat(throttle.begin("frank", CLIENT)).isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void anAbandonedCheckIsNoFailure() {
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES * 3; i++) {
            throttle.abandoned(permit("gina", CLIENT));
        }

        assertThat(throttle.begin("gina", CLIENT)).isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void parallelAttemptsGetAtMostTheFreeSlots() throws Exception {
        int threads = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<LoginThrottle.Attempt>> attempts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            attempts.add(pool.submit(() -> {
                start.await();
                return throttle.begin("henry", CLIENT);
            }));
        }
        start.countDown();
        int permits = 0;
        for (Future<LoginThrottle.Attempt> a : attempts) {
            if (a.get(10, TimeUnit.SECONDS) instanceof LoginThrottle.Permit) {
                permits++;
            }
        }
        pool.shutdown();

        assertThat(permits).isEqualTo(LoginThrottle.USERNAME_FAILURES);
    }

    @Test
    void aClientFailingOverManyUsernamesIsLockedForAllOfThem() {
        for (int i = 0; i < LoginThrottle.CLIENT_FAILURES; i++) {
            fail("sprayed-" + i, CLIENT);
        }

        LoginThrottle.Refused refused = refusal("someone-else", CLIENT);
        assertThat(refused.perClient()).isTrue();
        assertThat(refused.retryAfter()).isEqualTo(LoginThrottle.FIRST_LOCK);
        assertThat(throttle.begin("someone-else", "198.51.100.3")).isInstanceOf(LoginThrottle.Permit.class);
        // the refusal took no slot of the username
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES; i++) {
            refusal("someone-else", CLIENT);
        }
        assertThat(throttle.begin("someone-else", "198.51.100.3")).isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void aClientsOwnSuccessDoesNotForgiveItsFailuresButTimeDoes() {
        for (int i = 0; i < LoginThrottle.CLIENT_FAILURES - 1; i++) {
            fail("sprayed-" + i, CLIENT);
        }
        throttle.succeeded(permit("my-own-account", CLIENT));
        fail("one-more", CLIENT);
        assertThat(refusal("another", CLIENT).perClient()).isTrue();

        now = now.plus(LoginThrottle.CLIENT_LEAK.multipliedBy(2));

        assertThat(throttle.begin("another", CLIENT)).isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void anOfficeThatMistypesNowAndThenIsNeverLocked() {
        for (int i = 0; i < LoginThrottle.CLIENT_FAILURES * 5; i++) {
            fail("colleague-" + (i % 7), CLIENT);
            throttle.succeeded(permit("colleague-" + (i % 7), CLIENT));
            now = now.plus(LoginThrottle.CLIENT_LEAK);
        }

        assertThat(throttle.begin("colleague-1", CLIENT)).isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void anIpv6ClientCountsByItsNetworkSoThatNewAddressesGainNothing() {
        for (int i = 0; i < LoginThrottle.CLIENT_FAILURES; i++) {
            fail("sprayed-" + i, "2001:db8:1:2::" + Integer.toHexString(i + 1));
        }

        assertThat(refusal("another", "2001:db8:1:2:ffff::9").perClient()).isTrue();
        assertThat(throttle.begin("another", "2001:db8:1:3::1")).isInstanceOf(LoginThrottle.Permit.class);
        assertThat(LoginThrottle.clientKey("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(LoginThrottle.clientKey("0:0:0:0:0:0:0:1")).isEqualTo("0:0:0:0:0:0:0:0/64");
    }

    private void fail(String username, String client) {
        throttle.failed(permit(username, client));
    }

    private LoginThrottle.Permit permit(String username, String client) {
        LoginThrottle.Attempt a = throttle.begin(username, client);
        assertThat(a).as(username).isInstanceOf(LoginThrottle.Permit.class);
        return (LoginThrottle.Permit) a;
    }

    private LoginThrottle.Refused refusal(String username, String client) {
        LoginThrottle.Attempt a = throttle.begin(username, client);
        assertThat(a).as(username).isInstanceOf(LoginThrottle.Refused.class);
        return (LoginThrottle.Refused) a;
    }
}
