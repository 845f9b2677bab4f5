package io.gantry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rows of the scale benchmark (issue 22): each a measure, its value, the target and whether the value meets it.
 * A row without a target (a figure for scale) or whose figure could not be measured here says so instead of
 * PASS/FAIL. Rows are printed as they come (a long run shows progress) and once more as one table at the end.
 */
final class ScaleTable {
    private final List<String[]> rows = new ArrayList<>();

    /** A measured figure against an upper bound ({@code value <= target} passes). */
    void atMost(String measure, double value, double target, String unit) {
        add(measure, format(value, unit), "< " + format(target, unit), value <= target ? "PASS" : "FAIL");
    }

    /** A measured figure against a lower bound ({@code value >= target} passes). */
    void atLeast(String measure, double value, double target, String unit) {
        add(measure, format(value, unit), ">= " + format(target, unit), value >= target ? "PASS" : "FAIL");
    }

    /** A figure with no verdict: {@code status} says why (for scale, absent engine, not measurable here). */
    void info(String measure, String value, String target, String status) {
        add(measure, value, target, status);
    }

    /** A p50/p99 row whose p99 is held to {@code targetMillis}. */
    void latency(String measure, Latency latency, double targetMillis) {
        add(measure, String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms", latency.p50Millis(), latency.p99Millis()),
                String.format(Locale.ROOT, "p99 < %.0f ms", targetMillis),
                latency.p99Millis() <= targetMillis ? "PASS" : "FAIL");
    }

    /**
     * A step that threw instead of measuring: FAIL with "error: " and the failure's first line, so that the table
     * still shows every row; the whole failure (with the server log's tail, when it carries one) goes to stderr.
     */
    void failed(String measure, String target, Exception failure) {
        String message = String.valueOf(failure.getMessage());
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline);
        String shown = first.length() > 160 ? first.substring(0, 157) + "..." : first;
        add(measure, "error: " + failure.getClass().getSimpleName() + ": " + shown, target, "FAIL");
        System.err.println("FAIL " + measure + ":");
        failure.printStackTrace();
    }

    static String format(double value, String unit) {
        return switch (unit) {
            case "ms" -> String.format(Locale.ROOT, "%.1f ms", value);
            case "s" -> String.format(Locale.ROOT, "%.2f s", value);
            case "MiB" -> String.format(Locale.ROOT, "%.0f MiB", value);
            case "x" -> String.format(Locale.ROOT, "%.2fx", value);
            default -> String.format(Locale.ROOT, "%,.0f %s", value, unit).trim();
        };
    }

    private void add(String measure, String value, String target, String status) {
        rows.add(new String[] {measure, value, target, status});
        System.out.printf("%s  %s  %s  %s%n", measure, value, target, status);
    }

    void print(String title) {
        System.out.printf("%n%s%n%d cores (nproc), %s, load average %s%n%n", title,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage());
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        String fmt = "| %-" + width + "s | %-28s | %-16s | %-14s |%n";
        System.out.printf(fmt, "measure", "value", "target", "");
        System.out.printf(fmt, "-".repeat(width), "-".repeat(28), "-".repeat(16), "-".repeat(14));
        rows.forEach(r -> System.out.printf(fmt, (Object[]) r));
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
