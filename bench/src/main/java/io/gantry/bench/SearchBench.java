package io.gantry.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /api/v1/search} (issue 20) at N synthetic workloads in the real server jar on embedded PostgreSQL (loaded
 * through the real sync path, as {@link SyncBench} does), over HTTP with the admin token, one row per way of matching:
 * exact name, name prefix, part of a name, a label value, an image, a native id, and a word every workload's name and
 * native id contain (each tier then fills up at once). Target (issue 20): p99 under 30 ms at 100,000 workloads.
 *
 * <p>Usage: {@code SearchBench <server jar> <bench jar> N [N...]}; see {@code bench/search.sh}.
 */
public final class SearchBench {
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);
    /** What is searched and why; SyntheticEngineAdapter#workload names what each of these finds. */
    private static final List<String[]> QUERIES = List.of(
            new String[] {"exact name", "svc-4242"},
            new String[] {"name prefix", "svc-42"},
            new String[] {"part of a name", "c-4242"},
            new String[] {"label value", "app-17"},
            new String[] {"image", "team-7/svc"},
            new String[] {"native id", "ns-3/svc-7"},
            new String[] {"in every name (svc)", "svc"},
            new String[] {"nothing matches", "zzqx"},
            // the first row runs right after the sync wrote N rows (autovacuum, the server's GC): the same search
            // again at the end tells that apart from the search itself
            new String[] {"exact name, again last", "svc-4242"});

    private final List<String[]> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: SearchBench <server jar> <bench jar> N [N...]");
            System.exit(2);
        }
        SearchBench bench = new SearchBench();
        for (String n : Arrays.copyOfRange(args, 2, args.length)) {
            try (GantryServer server = GantryServer.start(Path.of(args[0]), Path.of(args[1]))) {
                bench.measure(server, Integer.parseInt(n));
            }
        }
        bench.print();
    }

    private void measure(GantryServer server, int n) throws Exception {
        String engine = "synthetic-" + n;
        server.registerEngine("{\"name\":\"" + engine + "\",\"kind\":\"synthetic\",\"endpoint\":\"synthetic://" + n + "\"}",
                n, SYNC_TIMEOUT);
        for (String[] query : QUERIES) {
            String url = "/api/v1/search?limit=20&q=" + URLEncoder.encode(query[1], StandardCharsets.UTF_8);
            boolean empty = query[1].equals("zzqx");
            Latency latency = Latency.of(() -> {
                String body = server.send("GET", url, null);
                if (body.contains("\"type\":\"workload\"") == empty) {
                    throw new IllegalStateException("GET " + url + " answered " + body);
                }
            });
            rows.add(new String[] {String.format(Locale.ROOT, "%,d", n), query[0] + ": q=" + query[1],
                    String.format(Locale.ROOT, "%.1f", latency.p50Millis()),
                    String.format(Locale.ROOT, "%.1f", latency.p99Millis())});
            System.out.printf("%s  %s  p50 %s ms  p99 %s ms%n", (Object[]) rows.get(rows.size() - 1));
        }
    }

    /** The machine's 1/5/15-minute load: on a shared machine the p99 follows it more than it follows the code. */
    private static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private void print() {
        System.out.printf("%nGantry search benchmark, GET /api/v1/search?limit=20 (%d cores, %s, load average %s)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage());
        String fmt = "| %9s | %-38s | %6s | %6s |%n";
        System.out.printf(fmt, "workloads", "search", "p50 ms", "p99 ms");
        System.out.printf(fmt, "---------", "-".repeat(38), "-----:", "-----:");
        rows.forEach(r -> System.out.printf(fmt, (Object[]) r));
    }
}
