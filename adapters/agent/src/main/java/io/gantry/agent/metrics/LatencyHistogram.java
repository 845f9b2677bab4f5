package io.gantry.agent.metrics;

import java.util.Locale;

/** A Prometheus histogram of durations in seconds with fixed buckets. Thread-safe. */
public final class LatencyHistogram {
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final long[] counts = new long[BUCKETS.length];
    private long count;
    private double sum;

    public synchronized void observe(double seconds) {
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                counts[i]++;
            }
        }
        count++;
        sum += seconds;
    }

    /** Appends the histogram in the text exposition format; {@code labels} is {@code k="v",...} or empty. */
    public synchronized void write(StringBuilder out, String name, String labels) {
        String sep = labels.isEmpty() ? "" : ",";
        for (int i = 0; i < BUCKETS.length; i++) {
            out.append(name).append("_bucket{").append(labels).append(sep).append("le=\"")
                    .append(format(BUCKETS[i])).append("\"} ").append(counts[i]).append('\n');
        }
        out.append(name).append("_bucket{").append(labels).append(sep).append("le=\"+Inf\"} ").append(count).append('\n');
        String braces = labels.isEmpty() ? "" : "{" + labels + "}";
        out.append(name).append("_sum").append(braces).append(' ').append(format(sum)).append('\n');
        out.append(name).append("_count").append(braces).append(' ').append(count).append('\n');
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
