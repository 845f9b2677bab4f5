package io.gantry.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The read side of the scale envelope (issue 22): the workloads list (first page and a deep cursor page, filtered and
 * not), the UI's workloads page and {@code GET /api/v1/search}, p50/p99 at 1,000,000 workloads on 50 engines of 20,000,
 * in the real server jar on its embedded PostgreSQL.
 *
 * <p>The rows are loaded straight into PostgreSQL with {@code generate_series} (a million through the sync would take
 * most of an hour on this machine; the sync has its own bench, {@link ScaleBench}): one real sync of a one-workload
 * synthetic engine gives the stored shape of a row (spec, status, instances, native object as the sync writes them),
 * and the million are that row with the synthetic engine's names, images and labels ({@link SyntheticEngineAdapter}),
 * numbered globally ({@code svc-0} … {@code svc-999999}). The 50 engines are rows too, each leased to a replica that
 * never comes, so that the server lists them but does not sync (a sync of {@code synthetic://20000} would rewrite them).
 *
 * <p>Usage: {@code ListsBench <server jar> <bench jar> [workloads [regex]]} (the regex picks rows by their names); see
 * {@code bench/lists.sh}.
 */
public final class ListsBench {
    private static final int ENGINES = 50;
    /** Each row warms for at least this long: the rows before it already warmed the same JSON and SQL paths. */
    private static final long MIN_WARMUP_NANOS = Duration.ofSeconds(8).toNanos();
    private static final long MAX_WARMUP_NANOS = Duration.ofSeconds(25).toNanos();

    private record Row(String what, String kind, double targetMillis, String url, int pages, String expect) {
    }

    private final List<String[]> table = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ListsBench <server jar> <bench jar> [workloads [rows: a regex of their names]]");
            System.exit(2);
        }
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        java.util.regex.Pattern only = java.util.regex.Pattern.compile(args.length > 3 ? args[3] : ".*");
        ListsBench bench = new ListsBench();
        try (GantryServer server = GantryServer.start(Path.of(args[0]), Path.of(args[1]))) {
            long t0 = System.nanoTime();
            WorkloadRows.load(server, ENGINES, n);
            System.out.printf("loaded %,d workloads on %d engines in %.0f s%n", n, ENGINES, (System.nanoTime() - t0) / 1e9);
            bench.measure(server, rows(n).stream().filter(r -> only.matcher(r.what()).find()).toList());
        }
        bench.print(n);
    }

    private static List<Row> rows(int n) {
        String page = "/api/v1/workloads?limit=50";
        String deepEngine = "bench-" + (ENGINES / 2);
        return List.of(
                new Row("list, first page", "api", 30, page, 0, "svc-"),
                new Row("list, cursor page 200 (row 10,000)", "api", 30, page, 200, "svc-"),
                new Row("list q=svc-42, first page", "api", 30, page + "&q=svc-42", 0, "svc-42"),
                new Row("list q=svc-42, cursor page 20", "api", 30, page + "&q=svc-42", 20, "svc-42"),
                new Row("list q=svc-4242, first page", "api", 30, page + "&q=svc-4242", 0, "svc-4242"),
                new Row("list label app=app-7, first page", "api", 30, page + "&label=app%3Dapp-7", 0, "app-7"),
                new Row("list label app=app-7, cursor page 20", "api", 30, page + "&label=app%3Dapp-7", 20, "app-7"),
                new Row("list engine=" + deepEngine + ", cursor page 20", "api", 30, page + "&engine=" + deepEngine, 20,
                        deepEngine),
                new Row("list phase=DEGRADED sort=-updated, first page", "api", 30, page + "&phase=DEGRADED&sort=-updated",
                        0, "DEGRADED"),
                new Row("UI /workloads, first page", "ui", 100, "/workloads", 0, "svc-"),
                new Row("UI /workloads?q=svc-42", "ui", 100, "/workloads?q=svc-42", 0, "svc-42"),
                new Row("search q=svc-42", "search", 50, "/api/v1/search?limit=20&q=svc-42", 0, "svc-42"),
                new Row("search q=svc-4242", "search", 50, "/api/v1/search?limit=20&q=svc-4242", 0, "svc-4242"),
                new Row("search q=" + deepEngine + "-node-7 (a node)", "search", 50,
                        "/api/v1/search?limit=20&q=" + deepEngine + "-node-7", 0, "\"type\":\"node\""),
                new Row("search q=team-7/svc (an image)", "search", 50,
                        "/api/v1/search?limit=20&q=" + URLEncoder.encode("team-7/svc", StandardCharsets.UTF_8), 0,
                        "team-7/svc"));
    }

    private void measure(GantryServer server, List<Row> rows) throws Exception {
        GantryServer.Browser browser = server.signIn();
        for (Row row : rows) {
            String url = row.pages() == 0 ? row.url() : server.cursorPage(row.url(), row.pages());
            Latency latency = Latency.of(() -> {
                String body = row.kind().equals("ui") ? browser.workloadsPage(url) : server.send("GET", url, null);
                if (!body.contains(row.expect())) {
                    throw new IllegalStateException("GET " + url + " answered without " + row.expect() + ": "
                            + body.substring(0, Math.min(300, body.length())));
                }
            }, MIN_WARMUP_NANOS, MAX_WARMUP_NANOS);
            String[] line = {row.what(), String.format(Locale.ROOT, "%.1f", latency.p50Millis()),
                    String.format(Locale.ROOT, "%.1f", latency.p99Millis()),
                    String.format(Locale.ROOT, "< %.0f", row.targetMillis()),
                    latency.p99Millis() < row.targetMillis() ? "PASS" : "FAIL", Integer.toString(latency.samples())};
            table.add(line);
            System.out.printf("%s  p50 %s ms  p99 %s ms  target %s  %s  (%s calls)%n", (Object[]) line);
        }
    }

    private void print(int n) {
        System.out.printf("%nGantry lists at %,d workloads on %d engines (%d cores, %s, load average %s)%n", n, ENGINES,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), WorkloadRows.loadAverage());
        String fmt = "| %-46s | %6s | %6s | %6s | %-4s | %5s |%n";
        System.out.printf(fmt, "request", "p50 ms", "p99 ms", "target", "", "calls");
        System.out.printf(fmt, "-".repeat(46), "-----:", "-----:", "-----:", "----", "----:");
        table.forEach(r -> System.out.printf(fmt, (Object[]) r));
    }
}
