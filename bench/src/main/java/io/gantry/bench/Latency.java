package io.gantry.bench;

import java.util.Arrays;

/**
 * Latency of one call repeated, once the server is warm: untimed rounds of {@link #ROUND} calls until
 * {@link #SETTLED} rounds in a row are no faster (median within 5%) than the best round before them
 * (at least {@link #MIN_WARMUP_NANOS}, at most {@link #MAX_WARMUP_NANOS}), then {@link #SAMPLES} timed
 * calls. A server runs warm: on this 2-core machine the JIT needs tens of seconds of traffic before the
 * JSON and SQL paths stop getting faster (a fresh server answered a page in 7.7, 6.1, then 5.2 ms over three
 * runs of 2,000 calls), and a fixed 50 warm-up calls timed the compiler, not the server.
 */
record Latency(long[] sortedNanos) {
    private static final int ROUND = 100;
    private static final int SETTLED = 5;
    private static final long MIN_WARMUP_NANOS = 30_000_000_000L;
    private static final long MAX_WARMUP_NANOS = 90_000_000_000L;
    private static final int SAMPLES = 400;
    /**
     * A call that takes seconds (a miss, before its fix) gets fewer samples, at least {@link #MIN_SAMPLES}: 400 of
     * them would take most of an hour. The budget applies to the calls of {@link #of(Call, long, long)} only.
     */
    private static final long TIMED_BUDGET_NANOS = 40_000_000_000L;
    private static final int MIN_SAMPLES = 20;

    /** A call to time; it throws when its answer is not the expected one. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    static Latency of(Call call) throws Exception {
        return of(call, MIN_WARMUP_NANOS, MAX_WARMUP_NANOS);
    }

    /**
     * As {@link #of(Call)} with other warm-up bounds: a bench of many rows on a server that the rows before already
     * warmed (the same JSON and SQL paths) keeps its run short with a shorter minimum.
     */
    static Latency of(Call call, long minWarmupNanos, long maxWarmupNanos) throws Exception {
        warmUp(call, minWarmupNanos, maxWarmupNanos);
        return new Latency(timed(call, SAMPLES, TIMED_BUDGET_NANOS));
    }

    private static void warmUp(Call call, long minWarmupNanos, long maxWarmupNanos) throws Exception {
        long start = System.nanoTime();
        long best = Long.MAX_VALUE;
        int settled = 0;
        while (System.nanoTime() - start < maxWarmupNanos
                && (settled < SETTLED || System.nanoTime() - start < minWarmupNanos)) {
            long[] round = timed(call, ROUND, maxWarmupNanos);
            long median = round[round.length / 2];
            if (median < best * 0.95) {
                best = median;
                settled = 0;
            } else {
                settled++;
            }
        }
    }

    private static long[] timed(Call call, int calls) throws Exception {
        return timed(call, calls, Long.MAX_VALUE);
    }

    /** Up to {@code calls} calls, fewer (at least {@link #MIN_SAMPLES}) once they took {@code budgetNanos}; sorted. */
    private static long[] timed(Call call, int calls, long budgetNanos) throws Exception {
        long[] nanos = new long[calls];
        long start = System.nanoTime();
        int done = 0;
        while (done < calls && (done < MIN_SAMPLES || System.nanoTime() - start < budgetNanos)) {
            long t = System.nanoTime();
            call.run();
            nanos[done++] = System.nanoTime() - t;
        }
        long[] taken = Arrays.copyOf(nanos, done);
        Arrays.sort(taken);
        return taken;
    }

    int samples() {
        return sortedNanos.length;
    }

    double p50Millis() {
        return sortedNanos[sortedNanos.length / 2] / 1e6;
    }

    double p99Millis() {
        return sortedNanos[sortedNanos.length * 99 / 100] / 1e6;
    }
}
