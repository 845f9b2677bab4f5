package io.gantry.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromOneSecondUpToTheCapAndResets() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        long[] seconds = new long[9];
        for (int i = 0; i < seconds.length; i++) {
            seconds[i] = backoff.nextDelay().toSeconds();
        }
        assertThat(seconds).containsExactly(1, 2, 4, 8, 16, 32, 60, 60, 60);
        backoff.reset();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    }
}
