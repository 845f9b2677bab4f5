package io.gantry.spi.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delays between attempts: exponential, capped, with jitter, reset after a success. The n-th delay in a row
 * (from 0) has the ceiling {@code min(max, initial * 2^n)} and is drawn uniformly from the upper half of it,
 * {@code [ceiling / 2, ceiling]} ("equal jitter"). Half the delay is random so that the watches and sync
 * workers of many engines that lost the same network do not retry in step; the other half is fixed so that a
 * retry is never sooner than half its ceiling: the growth stays visible to whoever watches the retries, and a
 * DOWN engine is not hammered by a delay that happened to draw zero.
 *
 * <p>Thread-safe: the methods are synchronized (a watch's reader and a restart timer may share one).
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final DoubleSupplier random;
    private long ceilingNanos;

    /** @param initial the ceiling of the first delay; @param max the cap of every delay (at least {@code initial}) */
    public Backoff(Duration initial, Duration max) {
        this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random values in {@code [0, 1]}: where in the upper half of the ceiling each delay falls */
    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = Objects.requireNonNull(random, "random");
        this.ceilingNanos = initialNanos;
    }

    /** The delay before the next attempt; the ceiling of the one after it doubles, up to the cap. */
    public synchronized Duration next() {
        long ceiling = ceilingNanos;
        ceilingNanos = ceiling > maxNanos / 2 ? maxNanos : Math.min(ceiling * 2, maxNanos);
        double r = Math.max(0, Math.min(1, random.getAsDouble()));
        long half = ceiling / 2;
        return Duration.ofNanos(ceiling - half + (long) (half * r));
    }

    /** After a success: the next delay is drawn under the initial ceiling again. */
    public synchronized void reset() {
        ceilingNanos = initialNanos;
    }
}
