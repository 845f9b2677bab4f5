package io.gantry.spi.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromOneSecondUpToTheCapAndResets() {
        // the random draw at its top: each delay is its whole ceiling
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 1.0);
        long[] seconds = new long[9];
        for (int i = 0; i < seconds.length; i++) {
            seconds[i] = backoff.next().toSeconds();
        }
        assertThat(seconds).containsExactly(1, 2, 4, 8, 16, 32, 60, 60, 60);
        backoff.reset();
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void eachDelayFallsInTheUpperHalfOfItsCeiling() {
        Backoff low = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), () -> 0.0);
        assertThat(low.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(low.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(low.next()).isEqualTo(Duration.ofMillis(400));
        Backoff middle = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), () -> 0.5);
        assertThat(middle.next()).isEqualTo(Duration.ofMillis(150));
        assertThat(middle.next()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void theDefaultJitterSpreadsDelaysWithinTheirBounds() {
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Backoff backoff = new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(8));
            Duration first = backoff.next();
            Duration second = backoff.next();
            assertThat(first).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
            assertThat(second).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
            seen.add(first);
        }
        assertThat(seen).as("50 draws are not all one delay").hasSizeGreaterThan(1);
    }

    @Test
    void aResetStartsUnderTheFirstCeilingAgain() {
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(8));
        for (int i = 0; i < 10; i++) {
            backoff.next();
        }
        assertThat(backoff.next()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        backoff.reset();
        assertThat(backoff.next()).isBetween(Duration.ofMillis(125), Duration.ofMillis(250));
    }

    @Test
    void theCapHoldsForLongOutagesWithoutOverflow() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofDays(365), () -> 1.0);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 200; i++) {
            last = backoff.next();
        }
        assertThat(last).isEqualTo(Duration.ofDays(365));
    }

    @Test
    void aCapBelowTheFirstDelayIsRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
