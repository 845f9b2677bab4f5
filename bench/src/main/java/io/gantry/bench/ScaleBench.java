package io.gantry.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scale envelope of issue 22 in one run: E synthetic engines of P workloads each (50 x 20,000 by default), beside
 * the real agent (the server's embedded one, engine {@code local}) and this machine's dockerd when its Swarm is up,
 * in the real server jar (a JVM of its own on its embedded PostgreSQL), measured only through what the server
 * shows: its REST API, its workloads page, its live stream, {@code /actuator/prometheus} and its RSS in /proc.
 * Prints one table of rows with their targets and PASS/FAIL, with the core count.
 *
 * <p>Usage: see {@link ScaleOptions} and {@code bench/scale/run.sh}.
 */
public final class ScaleBench {
    private static final String DOCKER = "docker";
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);
    /** The idle server settles (JIT, first sync of the local agent, Flyway's connections) before its RSS is read. */
    private static final Duration IDLE_SETTLE = Duration.ofSeconds(20);

    private final ScaleOptions options;
    private final ScaleTable table = new ScaleTable();
    private final List<String> engineIds = new ArrayList<>();
    private GantryServer server;

    private ScaleBench(ScaleOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        ScaleOptions options;
        try {
            options = ScaleOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ScaleBench bench = new ScaleBench(options);
        try {
            bench.run();
        } finally {
            bench.table.print(String.format(Locale.ROOT, "Gantry scale envelope (issue 22): %d synthetic engines x %,d"
                    + " workloads = %,d, %d stream clients", options.engines(), options.perEngine(), options.workloads(),
                    options.streamClients()));
        }
    }

    /** One step of the run: it adds its own rows, or throws. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step}; if it throws, a FAIL row named {@code measure} says why and the run goes on with the next
     * step, so that one run always prints the whole table (a step that needs what a failed one left undone fails
     * the same way, with its own message).
     */
    private void step(String measure, String target, Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            table.failed(measure, target, e);
        } catch (Exception e) {
            table.failed(measure, target, e);
        }
    }

    private void run() throws Exception {
        step("size: packaged server jar", "", () -> JarContents.report(table, options.serverJar()));
        String swarmService = Swarm.available(DOCKER) ? "gantry-scale-" + UUID.randomUUID().toString().substring(0, 8) : null;
        int streamLimit = options.streamClients() + 16;
        try (GantryServer started = GantryServer.start(options.serverJar(), options.benchJar(), Map.of(
                "GANTRY_EMBEDDED_AGENT", "true",
                "GANTRY_STREAMS_PERUSER", Integer.toString(streamLimit),
                "GANTRY_STREAMS_TOTAL", Integer.toString(streamLimit)))) {
            server = started;
            System.out.println("server log: " + server.log());
            step("idle RSS and warm start", "", this::idleAndWarmStart);
            step("real engines (agent, dockerd)", "", () -> realEngines(swarmService));
            step("first full sync of each engine", "< 2.00 s", this::firstSyncs);
            step("resync that finds nothing changed", "< 200.0 ms", this::resyncs);
            step("server RSS with " + options.workloads() + " workloads", "< 1024 MiB", () -> table.atMost(
                    String.format(Locale.ROOT, "server RSS with %,d workloads (JVM; its PostgreSQL's PSS %.0f MiB more)",
                    options.workloads(), server.postgresBytes() / 1048576.0), server.rssBytes() / 1048576.0, 1024,
                    "MiB"));
            latencies();
            freshness(swarmService);
            step("replicas", "", () -> ReplicaSpread.report(table, server, options.serverJar(), options.benchJar()));
        } catch (Exception e) {
            // the server did not start (no row after this one could be measured) or did not stop
            table.failed("server start or stop", "", e);
        } finally {
            if (swarmService != null) {
                Swarm.remove(DOCKER, swarmService);
            }
        }
    }

    /** Idle RSS with the embedded default (PostgreSQL and agent), then a restart on the same data: a warm start. */
    private void idleAndWarmStart() throws Exception {
        Thread.sleep(IDLE_SETTLE.toMillis());
        table.atMost(String.format(Locale.ROOT, "idle RSS, embedded default (JVM; its PostgreSQL's PSS %.0f MiB more)",
                server.postgresBytes() / 1048576.0), server.rssBytes() / 1048576.0, 300, "MiB");
        table.atMost("warm start: process start -> /api/v1/health 200 (embedded PostgreSQL)", server.restart() / 1e9, 6,
                "s");
    }

    /** The real agent (engine {@code local}) and, when its Swarm is up, this machine's dockerd beside the synthetic ones. */
    private void realEngines(String swarmService) throws Exception {
        table.info("real agent (embedded, engine local)", "registered", "", "present");
        if (swarmService == null) {
            table.info("real dockerd (Swarm)", "absent: " + Swarm.whyAbsent(DOCKER), "", "absent");
            return;
        }
        Swarm.createService(DOCKER, swarmService);
        server.registerEngine("{\"name\":\"dockerd\",\"kind\":\"swarm\",\"endpoint\":\"unix:///var/run/docker.sock\"}", 1,
                Duration.ofMinutes(2));
        table.info("real dockerd (Swarm, engine dockerd)", "registered", "", "present");
    }

    /**
     * Registers the synthetic engines one after another, each timed from its registration to all P listed. They can be
     * watched ({@code ?watch}), as every real engine kind can: the server then lists them again every
     * {@code gantry.sync.watched-resync}, not every interval.
     */
    private void firstSyncs() throws Exception {
        List<Double> seconds = new ArrayList<>();
        double timerMax = 0;
        for (int e = 0; e < options.engines(); e++) {
            String name = "synthetic-" + e;
            long t0 = System.nanoTime();
            engineIds.add(server.registerEngine("{\"name\":\"" + name + "\",\"kind\":\"synthetic\",\"endpoint\":\"synthetic://"
                    + options.perEngine() + "?watch\"}", options.perEngine(), SYNC_TIMEOUT));
            seconds.add((System.nanoTime() - t0) / 1e9);
            timerMax = Math.max(timerMax, firstSyncTimer("engine=\"" + name + "\""));
            System.out.printf("engine %s: %,d listed in %.2f s%n", name, options.perEngine(), seconds.get(e));
        }
        seconds.sort(Double::compare);
        String what = String.format(Locale.ROOT, "first full sync of each engine (%,d), register -> all listed", options.perEngine());
        table.atMost(what + ", max over " + options.engines(), seconds.get(seconds.size() - 1), 2, "s");
        table.atMost(what + ", p95 over " + options.engines(), seconds.get(Math.max(0,
                (int) Math.ceil(seconds.size() * 0.95) - 1)), 2, "s");
        table.info("first full sync, server-side timer (gantry_sync_duration_seconds), max", ScaleTable.format(timerMax, "s"),
                "", "for scale");
    }

    /**
     * The server's own timer of an engine's first sync (seconds): its rows become visible batch by batch, and the timer
     * is recorded once the whole sync is done, a moment after; {@code _max} is a decaying window, so sum over count.
     */
    private double firstSyncTimer(String label) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        double count;
        while ((count = server.metricSum("gantry_sync_duration_seconds_count{", label)) < 1) {
            if (System.nanoTime() > end) {
                return Double.NaN;
            }
            Thread.sleep(20);
        }
        return server.metricSum("gantry_sync_duration_seconds_sum{", label) / count;
    }

    /** A forced resync of engines that changed nothing, per 20,000 workloads, and the rows it wrote. */
    private void resyncs() throws Exception {
        double worstPer20k = 0;
        double written = 0;
        boolean counted = true;
        for (int e = 0; e < options.resyncs(); e++) {
            String label = "engine=\"synthetic-" + e + "\"";
            double before = rowsWritten(label);
            long t0 = System.nanoTime();
            String op = JsonField.text("id", server.send("POST", "/api/v1/engines/" + engineIds.get(e) + "/sync", null));
            server.awaitOperation(op, SYNC_TIMEOUT);
            double millis = (System.nanoTime() - t0) / 1e6;
            worstPer20k = Math.max(worstPer20k, millis * 20_000 / options.perEngine());
            double after = rowsWritten(label);
            counted &= !Double.isNaN(after);
            written += after - before;
        }
        table.atMost("resync that finds nothing changed, per 20,000 (POST .../sync -> SUCCEEDED), max of "
                + options.resyncs(), worstPer20k, 200, "ms");
        table.info("rows written by those resyncs", counted ? String.format(Locale.ROOT, "%,.0f", written)
                : "n/a (no rows-written metric)", "0", counted ? (written == 0 ? "PASS" : "FAIL") : "n/a");
    }

    /**
     * Rows the server says its syncs of one engine wrote: the sum of its {@code gantry_sync_*rows*} or
     * {@code gantry_sync_*written*} counters, or NaN when it exposes none.
     */
    private double rowsWritten(String engineLabel) throws IOException, InterruptedException {
        Pattern metric = Pattern.compile("^gantry_sync_\\w*(?:rows|written)\\w*\\{[^}]*" + Pattern.quote(engineLabel)
                + "[^}]*} (\\S+)$", Pattern.MULTILINE);
        Matcher m = metric.matcher(server.send("GET", "/actuator/prometheus", null));
        double sum = Double.NaN;
        while (m.find()) {
            sum = (Double.isNaN(sum) ? 0 : sum) + Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** List, workloads page and search latencies over everything synced. */
    private void latencies() {
        String list = "/api/v1/workloads?limit=50";
        String filter = "&engine=synthetic-0&namespace=ns-2&phase=RUNNING&label=tier%3Dweb";
        int deep = (int) Math.min(200, options.workloads() / 50 / 2);
        // the filter keeps about one workload in 20 of one engine: half its pages deep (0, the first, when it has one)
        int deepFiltered = Math.min(50, options.perEngine() / 20 / 50 / 2);
        latency("workloads list, first page (limit=50)", () -> list, 30);
        latency("workloads list, first page, filtered", () -> list + filter, 30);
        latency("workloads list, deep cursor page (page " + deep + ")", () -> server.cursorPage(list, deep), 30);
        latency("workloads list, deep cursor page, filtered (page " + deepFiltered + ")",
                () -> server.cursorPage(list + filter, deepFiltered), 30);
        String page = "UI workloads page (HTML, 50 rows), first page";
        step(page, "p99 < 100 ms", () -> {
            GantryServer.Browser browser = server.signIn();
            table.latency(page, Latency.of(() -> browser.workloadsPage("/workloads")), 100);
        });
        latency("GET /api/v1/search?q=svc-4242&limit=20", () -> "/api/v1/search?limit=20&q=svc-4242", 50);
    }

    /** Where a latency row's calls go: found (a cursor followed) inside the row's step, so a failure is that row's. */
    @FunctionalInterface
    private interface Url {
        String get() throws Exception;
    }

    private void latency(String what, Url url, double targetMillis) {
        step(what, String.format(Locale.ROOT, "p99 < %.0f ms", targetMillis), () -> {
            String target = url.get();
            table.latency(what, Latency.of(() -> server.send("GET", target, null)), targetMillis);
        });
    }

    /** Engine-side changes on the synthetic pushing engine, the agent and dockerd, with the stream clients connected. */
    private void freshness(String swarmService) {
        String target = "p95 < 1000 ms";
        step("freshness (" + options.streamClients() + " stream clients)", target, () -> {
            try (StreamClients streams = StreamClients.open(server, options.streamClients(), Duration.ofMinutes(2))) {
                Freshness freshness = new Freshness(server, streams);
                step("freshness, synthetic-push", target, () -> Freshness.report(table,
                        freshness.synthetic("synthetic-push", Duration.ofSeconds(15), 500), streams.size()));
                step("freshness, local (agent)", target, () -> Freshness.report(table,
                        freshness.agent("local", options.changes()), streams.size()));
                if (swarmService != null) {
                    step("freshness, dockerd", target, () -> Freshness.report(table,
                            freshness.swarm("dockerd", DOCKER, swarmService, options.changes()), streams.size()));
                } else {
                    table.info("freshness, dockerd", "absent: " + Swarm.whyAbsent(DOCKER), target, "absent");
                }
                table.info("stream clients dropped during the freshness rows", Integer.toString(streams.ended()), "0",
                        streams.ended() == 0 ? "PASS" : "FAIL");
            }
        });
    }
}
