package io.gantry.bench;

import java.util.Arrays;

/** Latency of one call repeated: 50 untimed warm-up calls, then 400 timed ones. */
record Latency(long[] sortedNanos) {
    private static final int WARMUP = 50;
    private static final int SAMPLES = 400;

    /** A call to time; it throws when its answer is not the expected one. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    static Latency of(Call call) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
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
