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

    /** A call to time; it throws when its answer is not the expected one. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    static Latency of(Call call) throws Exception {
        warmUp(call);
        return new Latency(timed(call, SAMPLES));
    }

    private static void warmUp(Call call) throws Exception {
        long start = System.nanoTime();
        long best = Long.MAX_VALUE;
        int settled = 0;
        while (System.nanoTime() - start < MAX_WARMUP_NANOS
                && (settled < SETTLED || System.nanoTime() - start < MIN_WARMUP_NANOS)) {
            long median = timed(call, ROUND)[ROUND / 2];
            if (median < best * 0.95) {
                best = median;
                settled = 0;
            } else {
                settled++;
            }
        }
    }

    private static long[] timed(Call call, int calls) throws Exception {
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    double p50Millis() {
        return sortedNanos[SAMPLES / 2] / 1e6;
    }

    double p99Millis() {
        return sortedNanos[SAMPLES * 99 / 100] / 1e6;
    }
}
