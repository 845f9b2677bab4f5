package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
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
        for (int i = 1; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.failed("alice");
        }
        assertThat(throttle.lockedFor("alice")).isEmpty();

        throttle.failed("alice");
        assertThat(throttle.lockedFor("alice")).contains(Duration.ofSeconds(1));
        throttle.failed("alice");
        assertThat(throttle.lockedFor("alice")).contains(Duration.ofSeconds(2));

        now = now.plusSeconds(2);
        assertThat(throttle.lockedFor("alice")).isEmpty();
    }

    @Test
    void locksAreCappedAndPerUsernameIgnoringCase() {
        assertThat(LoginThrottle.lockFor(100)).isEqualTo(LoginThrottle.MAX_LOCK);
        for (int i = 0; i < 10; i++) {
            throttle.failed("Bob");
        }
        assertThat(throttle.lockedFor("bob")).isPresent();
        assertThat(throttle.lockedFor("carol")).isEmpty();
    }

    @Test
    void successForgivesEarlierFailures() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
            throttle.failed("dave");
        }
        throttle.succeeded("dave");
        throttle.failed("dave");

        assertThat(throttle.lockedFor("dave")).isEmpty();
    }
}
