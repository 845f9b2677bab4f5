package io.gantry.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Loads N synthetic workloads into the real server jar (a separate JVM on embedded PostgreSQL,
 * as an operator runs it) through the real sync path, then measures the list API over HTTP.
 *
 * <p>Usage: {@code SyncBench <server jar> <bench jar> N [N...]}; see {@code bench/run.sh}.
 */
public final class SyncBench {
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);

    private final List<String[]> rows = new ArrayList<>();
    private GantryServer server;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: SyncBench <server jar> <bench jar> N [N...]");
            System.exit(2);
        }
        SyncBench bench = new SyncBench();
        for (String n : Arrays.copyOfRange(args, 2, args.length)) {
            bench.run(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(n));
        }
        bench.print();
    }

    private void run(Path serverJar, Path benchJar, int n) throws Exception {
        try (GantryServer started = GantryServer.start(serverJar, benchJar)) {
            server = started;
            measure(n);
        }
    }

    private void measure(int n) throws Exception {
        String engine = "synthetic-" + n;
        long t0 = System.nanoTime();
        server.registerEngine("{\"name\":\"" + engine + "\",\"kind\":\"synthetic\",\"endpoint\":\"synthetic://" + n + "\"}",
                n, SYNC_TIMEOUT);
        double wallSeconds = (System.nanoTime() - t0) / 1e9;
        // rows become visible batch by batch; the timer is recorded once the whole sync is done
        String syncTimer = "gantry_sync_duration_seconds_max{";
        String engineLabel = "engine=\"" + engine + "\"";
        while (!server.hasMetric(syncTimer, engineLabel)) {
            deadline(t0, n);
            Thread.sleep(50);
        }
        double syncSeconds = server.metricMax(syncTimer, engineLabel);
        row(n, "full sync (server-side timer)", String.format(Locale.ROOT, "%.2f s", syncSeconds),
                String.format(Locale.ROOT, "%,.0f upserts/s", n / syncSeconds));
        row(n, "register -> all listed (wall)", String.format(Locale.ROOT, "%.2f s", wallSeconds), "");

        String filter = "&engine=" + engine + "&namespace=ns-2&phase=RUNNING&label=tier%3Dweb";
        latency(n, "list limit=50, first page", "/api/v1/workloads?limit=50");
        latency(n, "list limit=50, first page, filtered", "/api/v1/workloads?limit=50" + filter);
        latency(n, "list limit=50, deep cursor page", server.cursorPage("/api/v1/workloads?limit=50", n / 50 / 2));
        latency(n, "list limit=50, deep cursor page, filtered",
                server.cursorPage("/api/v1/workloads?limit=50" + filter, n / 20 / 50 / 2));
        latency(n, "list limit=50, q=svc-4242 (name search)", "/api/v1/workloads?limit=50&q=svc-4242");
        pageLatency(n, "workloads page (HTML, 50 rows), first page", "/workloads");
        pageLatency(n, "workloads page (HTML, 50 rows), filtered", "/workloads?" + filter.substring(1));

        new ProcessBuilder("jcmd", Long.toString(server.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        double heap = server.metricSum("jvm_memory_used_bytes{", "area=\"heap\"");
        row(n, "server heap after sync (after a GC)", String.format(Locale.ROOT, "%.0f MiB", heap / (1 << 20)), "");
    }

    private static void deadline(long t0, int n) {
        if (System.nanoTime() - t0 > SYNC_TIMEOUT.toNanos()) {
            throw new IllegalStateException("sync of " + n + " workloads did not finish within " + SYNC_TIMEOUT);
        }
    }

    private void latency(int n, String what, String url) throws Exception {
        row(n, what, Latency.of(() -> server.send("GET", url, null)));
    }

    /** Server render time of a dashboard page as a signed-in browser gets it (full HTML of the page). */
    private void pageLatency(int n, String what, String path) throws Exception {
        GantryServer.Browser browser = server.signIn();
        row(n, what, Latency.of(() -> browser.workloadsPage(path)));
    }

    private void row(int n, String what, Latency latency) {
        row(n, what, String.format(Locale.ROOT, "p50 %.1f ms", latency.p50Millis()),
                String.format(Locale.ROOT, "p99 %.1f ms", latency.p99Millis()));
    }

    private void row(int n, String what, String value, String extra) {
        rows.add(new String[] {String.format(Locale.ROOT, "%,d", n), what, value, extra});
        System.out.printf("%s  %s  %s  %s%n", rows.get(rows.size() - 1));
    }

    private void print() {
        System.out.printf("%nGantry sync and list benchmark (%d cores, %s, max heap of this client %d MiB)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        String fmt = "| %9s | %-44s | %-12s | %-20s |%n";
        System.out.printf(fmt, "workloads", "measure", "value", "");
        System.out.printf(fmt, "---------", "-".repeat(44), "-".repeat(12), "-".repeat(20));
        rows.forEach(r -> System.out.printf(fmt, (Object[]) r));
    }
}
