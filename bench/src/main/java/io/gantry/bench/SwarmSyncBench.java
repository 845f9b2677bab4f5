package io.gantry.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Gantry against {@code docker service ls} on the same real Swarm, which already holds N services (made by
 * {@code bench/swarm/run.sh}): the server jar registers the daemon as a swarm engine, then the table shows
 * the wall time of {@code docker service ls} (median of several runs), Gantry's full sync of that engine
 * (services and tasks read through dockerd's API, then stored) and its list API, with the ratio of each to
 * {@code docker service ls}.
 *
 * <p>Usage: {@code SwarmSyncBench <server jar> <N> <docker CLI>}.
 */
public final class SwarmSyncBench {
    private static final String ENGINE = "bench-swarm";
    private static final int RUNS = 7;

    private final List<Row> rows = new ArrayList<>();
    private final String docker;
    private final int n;
    /** Every timed {@code docker service ls}: the runs before Gantry's and the runs after, for a noisy machine. */
    private final List<Double> dockerLsMillis = new ArrayList<>();
    /** Other work on this (shared) machine skews every figure: the table says how busy it was. */
    private final String loadAtStart = ScaleTable.loadAverage();

    private SwarmSyncBench(String docker, int n) {
        this.docker = docker;
        this.n = n;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SwarmSyncBench <server jar> <N> <docker CLI>");
            System.exit(2);
        }
        SwarmSyncBench bench = new SwarmSyncBench(args[2], Integer.parseInt(args[1]));
        bench.dockerServiceLs();
        try (GantryServer server = GantryServer.start(Path.of(args[0]), null)) {
            bench.gantry(server);
        }
        bench.dockerServiceLs();
        bench.print();
    }

    private void dockerServiceLs() throws Exception {
        runDocker();
        for (int i = 0; i < RUNS; i++) {
            long t = System.nanoTime();
            int listed = runDocker();
            dockerLsMillis.add((System.nanoTime() - t) / 1e6);
            if (listed < n) {
                throw new IllegalStateException("docker service ls listed " + listed + " services, expected at least " + n);
            }
        }
    }

    /** Runs {@code docker service ls} to its end; returns how many services it listed. */
    private int runDocker() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(docker, "service", "ls").redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("docker service ls failed: " + new String(out));
        }
        return (int) new String(out).lines().count() - 1;
    }

    private void gantry(GantryServer server) throws Exception {
        long t0 = System.nanoTime();
        String engineId = server.registerEngine(
                "{\"name\":\"" + ENGINE + "\",\"kind\":\"swarm\",\"endpoint\":\"unix:///var/run/docker.sock\"}",
                n, Duration.ofMinutes(5));
        double registered = (System.nanoTime() - t0) / 1e6;
        row("register engine -> all " + n + " listed (wall)", ms("", registered), "", Double.NaN);

        String label = "engine=\"" + ENGINE + "\"";
        double[] wall = new double[RUNS];
        double timerSum = 0;
        double timerCount = 0;
        for (int i = 0; i < RUNS; i++) {
            double sumBefore = server.metricSum("gantry_sync_duration_seconds_sum{", label);
            double countBefore = server.metricSum("gantry_sync_duration_seconds_count{", label);
            long t = System.nanoTime();
            String operation = JsonField.text("id", server.send("POST", "/api/v1/engines/" + engineId + "/sync", null));
            String state;
            do {
                Thread.sleep(2);
                state = JsonField.text("state", server.send("GET", "/api/v1/operations/" + operation, null));
            } while (state.equals("PENDING") || state.equals("RUNNING"));
            wall[i] = (System.nanoTime() - t) / 1e6;
            if (!state.equals("SUCCEEDED")) {
                throw new IllegalStateException("sync operation " + operation + " ended " + state);
            }
            timerSum += server.metricSum("gantry_sync_duration_seconds_sum{", label) - sumBefore;
            timerCount += server.metricSum("gantry_sync_duration_seconds_count{", label) - countBefore;
        }
        Arrays.sort(wall);
        row("full sync: POST /engines/{id}/sync -> SUCCEEDED (wall)", ms("median", wall[RUNS / 2]), ms("min", wall[0]),
                wall[RUNS / 2]);
        double timerMillis = timerSum / timerCount * 1000;
        row("full sync: server-side timer (list via dockerd + store)", ms("mean", timerMillis),
                String.format(Locale.ROOT, "%.0f syncs", timerCount), timerMillis);

        latency(server, "GET /api/v1/workloads?engine=..&limit=50", "/api/v1/workloads?limit=50&engine=" + ENGINE);
        latency(server, "GET /api/v1/workloads?engine=..&limit=500 (all)", "/api/v1/workloads?limit=500&engine=" + ENGINE);
    }

    private void latency(GantryServer server, String what, String url) throws Exception {
        Latency latency = Latency.of(() -> server.send("GET", url, null));
        row(what, ms("p50", latency.p50Millis()), ms("p99", latency.p99Millis()), latency.p50Millis());
    }

    private static String ms(String what, double millis) {
        return String.format(Locale.ROOT, "%s %.1f ms", what, millis).trim();
    }

    /** @param millis the figure compared with {@code docker service ls}, or NaN for none */
    private void row(String what, String value, String extra, double millis) {
        rows.add(new Row(what, value, extra, millis));
        System.out.printf("%s  %s  %s%n", what, value, extra);
    }

    private record Row(String what, String value, String extra, double millis) {
    }

    private void print() {
        System.out.printf("%nGantry vs docker service ls on the real Swarm: %,d services (replicas 0), nproc %d, %s,"
                + " load average at the start %s%n", n, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAtStart);
        double[] docker = dockerLsMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double dockerMedian = docker[docker.length / 2];
        String fmt = "| %-55s | %-16s | %-13s | %-23s |%n";
        System.out.printf(fmt, "measure", "value", "", "faster than service ls");
        System.out.printf(fmt, "-".repeat(55), "-".repeat(16), "-".repeat(13), "-".repeat(23));
        System.out.printf(fmt, "docker service ls (CLI, wall, " + RUNS + " runs before + " + RUNS + " after)",
                ms("median", dockerMedian), ms("min", docker[0]), "1.0x");
        for (Row r : rows) {
            System.out.printf(fmt, r.what(), r.value(), r.extra(),
                    Double.isNaN(r.millis()) ? "" : String.format(Locale.ROOT, "%.1fx", dockerMedian / r.millis()));
        }
    }
}
