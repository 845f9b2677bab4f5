package io.gantry.sync;

import java.time.Duration;

/** Retry delay while an engine is DOWN: starts small, doubles on every failure, capped. Not thread-safe. */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    /** The delay before the next attempt; the one after it will be twice as long, up to the cap. */
    Duration nextDelay() {
        Duration delay = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    void reset() {
        next = initial;
    }
}
