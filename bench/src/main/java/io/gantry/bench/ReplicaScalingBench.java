package io.gantry.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The list endpoint under the same load with 1, 2 and 3 replicas (issue 9): the real server jar in
 * three JVMs on one PostgreSQL (the first replica's embedded one), N synthetic workloads, and C
 * concurrent clients spreading {@code GET /api/v1/workloads?limit=50} round robin over the replicas
 * running, as a load balancer would. Prints p50/p99, throughput and their ratios to one replica.
 * On a machine of few cores the replicas share those cores (and the database): the ratio shows
 * what replicas add there, not what they add on machines of their own.
 *
 * <p>Usage: {@code ReplicaScalingBench <server jar> <bench jar> [workloads] [clients] [calls per client]};
 * see {@code bench/scaling.sh}.
 */
public final class ReplicaScalingBench {
    private static final String PATH = "/api/v1/workloads?limit=50";

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ReplicaScalingBench <server jar> <bench jar> [workloads] [clients] [calls per client]");
            System.exit(2);
        }
        Path serverJar = Path.of(args[0]);
        Path benchJar = Path.of(args[1]);
        int workloads = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int calls = args.length > 4 ? Integer.parseInt(args[4]) : 200;

        List<GantryServer> replicas = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            replicas.add(GantryServer.start(serverJar, benchJar));
            replicas.get(0).registerEngine("{\"name\":\"synthetic-scaling\",\"kind\":\"synthetic\",\"endpoint\":\"synthetic://"
                    + workloads + "\"}", workloads, Duration.ofMinutes(10));
            Result one = null;
            for (int n = 1; n <= 3; n++) {
                if (replicas.size() < n) {
                    replicas.add(GantryServer.replicaOf(replicas.get(0), serverJar, benchJar));
                }
                load(replicas, pool, clients, 20);
                Result r = load(replicas, pool, clients, calls);
                one = one == null ? r : one;
                rows.add(new String[] {Integer.toString(n), String.format(Locale.ROOT, "%.1f ms", r.p50()),
                        String.format(Locale.ROOT, "%.1f ms", r.p99()), String.format(Locale.ROOT, "%.0f/s", r.perSecond()),
                        String.format(Locale.ROOT, "%.2f", one.p99() / r.p99()),
                        String.format(Locale.ROOT, "%.2f", r.perSecond() / one.perSecond())});
                System.out.printf("%s replica(s): %s%n", n, String.join("  ", rows.get(rows.size() - 1)));
            }
        } finally {
            pool.shutdownNow();
            for (GantryServer s : replicas) {
                s.close();
            }
        }
        System.out.printf("%nList endpoint with 1..3 replicas (%d cores, %,d workloads, %d concurrent clients x %d calls, %s)%n",
                Runtime.getRuntime().availableProcessors(), workloads, clients, calls, PATH);
        String fmt = "| %8s | %9s | %9s | %10s | %17s | %18s |%n";
        System.out.printf(fmt, "replicas", "p50", "p99", "throughput", "p99 1 / p99 n", "throughput n / 1");
        System.out.printf(fmt, "-".repeat(8), "-".repeat(9), "-".repeat(9), "-".repeat(10), "-".repeat(17), "-".repeat(18));
        rows.forEach(r -> System.out.printf(fmt, (Object[]) r));
    }

    record Result(double p50, double p99, double perSecond) {
    }

    /** Every client makes {@code calls} calls, client i starting on replica i mod n and going round robin. */
    static Result load(List<GantryServer> replicas, ExecutorService pool, int clients, int calls) throws Exception {
        List<Future<long[]>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int first = c;
            futures.add(pool.submit(() -> {
                long[] nanos = new long[calls];
                for (int i = 0; i < calls; i++) {
                    GantryServer target = replicas.get((first + i) % replicas.size());
                    long t = System.nanoTime();
                    target.send("GET", PATH, null);
                    nanos[i] = System.nanoTime() - t;
                }
                return nanos;
            }));
        }
        long[] all = new long[clients * calls];
        for (int c = 0; c < clients; c++) {
            System.arraycopy(futures.get(c).get(), 0, all, c * calls, calls);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(all);
        return new Result(all[all.length / 2] / 1e6, all[all.length * 99 / 100] / 1e6, all.length / seconds);
    }
}
