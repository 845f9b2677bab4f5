package io.gantry.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replica rows of issue 22: two more replicas join the loaded server on its database (its embedded PostgreSQL,
 * started by the benchmark's first server, as {@link ReplicaScalingBench} does), then the engines' sync leases
 * ({@code syncOwner} of {@code GET /api/v1/engines}) should spread so that no replica syncs more than its share,
 * and the list's throughput is compared with one replica and with three ({@link ReplicaScalingBench#load}).
 */
final class ReplicaSpread {
    private static final Pattern OWNER = Pattern.compile("\"syncOwner\"\\s*:\\s*(null|\"([^\"]*)\")");
    /** The longest the leases get to spread: a few lease durations (15 s by default). */
    private static final Duration SPREAD_TIMEOUT = Duration.ofSeconds(90);
    private static final int CLIENTS = 16;
    private static final int CALLS = 100;

    private ReplicaSpread() {
    }

    static void report(ScaleTable table, GantryServer first, Path serverJar, Path benchJar) throws Exception {
        List<GantryServer> replicas = new ArrayList<>(List.of(first));
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS, r -> {
            Thread t = new Thread(r, "bench-list-client");
            t.setDaemon(true);
            return t;
        });
        try {
            ReplicaScalingBench.load(replicas, pool, CLIENTS, 20);
            ReplicaScalingBench.Result one = ReplicaScalingBench.load(replicas, pool, CLIENTS, CALLS);
            replicas.add(GantryServer.replicaOf(first, serverJar, benchJar));
            replicas.add(GantryServer.replicaOf(first, serverJar, benchJar));
            spread(table, first);
            ReplicaScalingBench.load(replicas, pool, CLIENTS, 20);
            ReplicaScalingBench.Result three = ReplicaScalingBench.load(replicas, pool, CLIENTS, CALLS);
            double ratio = three.perSecond() / one.perSecond();
            String measure = String.format(java.util.Locale.ROOT,
                    "replicas: list throughput 3 vs 1 (%d clients, %.0f/s vs %.0f/s, all on this machine's cores)",
                    CLIENTS, three.perSecond(), one.perSecond());
            int cores = Runtime.getRuntime().availableProcessors();
            if (cores < 4) {
                // three replicas with a core each, plus the database and the load generator, need more cores than
                // this machine has: on shared cores more JVMs add only contention, so no verdict is given here
                table.info(measure, ScaleTable.format(ratio, "x"), ">= 2.00x", "n/a: " + cores + " cores");
            } else {
                table.atLeast(measure, ratio, 2.0, "x");
            }
        } finally {
            pool.shutdownNow();
            for (GantryServer s : replicas.subList(1, replicas.size())) {
                s.close();
            }
        }
    }

    /** Waits until every engine's lease is spread evenly over the three replicas (or the timeout) and reports it. */
    private static void spread(ScaleTable table, GantryServer server) throws Exception {
        long end = System.nanoTime() + SPREAD_TIMEOUT.toNanos();
        Map<String, Integer> owners;
        int engines;
        do {
            Thread.sleep(2_000);
            owners = new HashMap<>();
            engines = 0;
            Matcher m = OWNER.matcher(server.send("GET", "/api/v1/engines", null));
            while (m.find()) {
                engines++;
                owners.merge(m.group(2) == null ? "(none)" : m.group(2), 1, Integer::sum);
            }
        } while (System.nanoTime() < end && !even(owners, engines));
        int max = owners.entrySet().stream().filter(e -> !e.getKey().equals("(none)")).mapToInt(Map.Entry::getValue)
                .max().orElse(0);
        long owning = owners.keySet().stream().filter(k -> !k.equals("(none)")).count();
        int min = owning < 3 ? 0 : owners.entrySet().stream().filter(e -> !e.getKey().equals("(none)"))
                .mapToInt(Map.Entry::getValue).min().orElse(0);
        int share = (engines + 2) / 3;
        table.info("replicas: engines synced per replica, max / min (" + engines + " engines, 3 replicas)",
                max + " / " + min + (owners.containsKey("(none)") ? " (" + owners.get("(none)") + " unowned)" : ""),
                "max <= " + share, max <= share && !owners.containsKey("(none)") ? "PASS" : "FAIL");
    }

    private static boolean even(Map<String, Integer> owners, int engines) {
        int share = (engines + 2) / 3;
        return owners.size() == 3 && !owners.containsKey("(none)")
                && owners.values().stream().allMatch(n -> n <= share);
    }
}
