package io.gantry.bench;

import java.util.Arrays;

/**
 * Latency of one call repeated: untimed warm-up calls for {@link #WARMUP_NANOS} (at least
 * {@link #MIN_WARMUP} of them), then {@link #SAMPLES} timed ones. A server runs warm: 50 warm-up calls
 * left the JSON and SQL paths in the interpreter and timed the JIT compiling them, not the server.
 */
record Latency(long[] sortedNanos) {
    private static final long WARMUP_NANOS = 5_000_000_000L;
    private static final int MIN_WARMUP = 50;
    private static final int SAMPLES = 400;

    /** A call to time; it throws when its answer is not the expected one. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    static Latency of(Call call) throws Exception {
        long warmStart = System.nanoTime();
        for (int i = 0; i < MIN_WARMUP || System.nanoTime() - warmStart < WARMUP_NANOS; i++) {
            call.run();
        }
        long[] nanos = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long t = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return new Latency(nanos);
    }

    double p50Millis() {
        return sortedNanos[SAMPLES / 2] / 1e6;
    }

    double p99Millis() {
        return sortedNanos[SAMPLES * 99 / 100] / 1e6;
    }
}
