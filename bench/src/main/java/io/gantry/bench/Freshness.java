package io.gantry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How long an engine-side change takes to reach the API ({@code GET /api/v1/workloads/{id}} polled every few
 * milliseconds) and each client of the live stream (issue 22: within 1 s p95 with 1,000 clients). Each change is
 * made outside Gantry, on the engine: a pushed change of a synthetic engine (stamped with its own time), a label
 * added to a Swarm service with the docker CLI, the process of an agent task killed (the agent restarts it).
 */
final class Freshness {
    static final double TARGET_MILLIS = 1_000;
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern PUSHED_AT = Pattern.compile(
            "\"" + SyntheticEngineAdapter.PUSHED_AT + "\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern SEQ = Pattern.compile("(bseq-[0-9a-f]{12})");
    private static final Pattern INSTANCE_FACTS = Pattern.compile("\"(?:state|startedAt)\"\\s*:\\s*\"[^\"]*\"");
    /** The agent task's command: a sleep no other process on the machine runs, so that its pid can be found. */
    private static final List<String> AGENT_TASK = List.of("/bin/sleep", "3607.25");

    private final GantryServer server;
    private final StreamClients streams;

    /** What one engine's changes measured: delays in milliseconds, and changes that never arrived. */
    record Samples(String engine, List<Long> api, List<Long> stream, int changes, int apiMissed, int streamMissed,
                   int streamEarly) {
        Samples(String engine, List<Long> api, List<Long> stream, int changes, int apiMissed, int streamMissed) {
            this(engine, api, stream, changes, apiMissed, streamMissed, 0);
        }
    }

    Freshness(GantryServer server, StreamClients streams) {
        this.server = server;
        this.streams = streams;
    }

    /**
     * A synthetic engine registered as {@code synthetic://10?push=MS}: every push carries its time, so both delays
     * are read from the change itself, for {@code window}.
     */
    Samples synthetic(String engine, Duration window, long pushMillis) throws Exception {
        streams.watch(PUSHED_AT);
        String engineId = server.registerEngine("{\"name\":\"" + engine
                + "\",\"kind\":\"synthetic\",\"endpoint\":\"synthetic://10?push=" + pushMillis + "\"}", 10,
                Duration.ofMinutes(2));
        String id = awaitWorkload(engine, "svc-0");
        long since = System.currentTimeMillis();
        List<Long> api = new ArrayList<>();
        List<Long> pushes = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            Matcher m = PUSHED_AT.matcher(server.send("GET", "/api/v1/workloads/" + id, null));
            long seen = System.currentTimeMillis();
            if (m.find()) {
                long pushed = Long.parseLong(m.group(1));
                if (pushed >= since && !pushes.contains(pushed)) {
                    pushes.add(pushed);
                    api.add(seen - pushed);
                }
            }
            Thread.sleep(5);
        }
        // the pushes the API poll saw are the ones to follow on the stream; give the last one time to arrive
        Thread.sleep(CHANGE_TIMEOUT.toMillis() / 5);
        List<Long> stream = new ArrayList<>();
        int missed = 0;
        for (long pushed : pushes) {
            List<Long> d = streams.delays(Long.toString(pushed), pushed, pushed);
            stream.addAll(d);
            missed += streams.size() - d.size();
        }
        server.send("DELETE", "/api/v1/engines/" + engineId, null);
        // a push the poll did not see was superseded by the next one before a poll came (a slow answer), not lost:
        // the changes counted are those the poll saw
        return new Samples(engine, api, stream, pushes.size(), 0, missed);
    }

    /** {@code changes} labels added one after another to a Swarm service (replicas 0) by {@code docker}. */
    Samples swarm(String engine, String docker, String service, int changes) throws Exception {
        streams.watch(SEQ);
        String id = awaitWorkload(engine, service);
        List<Long> api = new ArrayList<>();
        List<Long> stream = new ArrayList<>();
        int apiMissed = 0;
        int streamMissed = 0;
        int early = 0;
        for (int i = 0; i < changes; i++) {
            String seq = "bseq-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            long issued = System.currentTimeMillis();
            Swarm.run(docker, "service", "update", "--detach", "--label-add", "bench-seq=" + seq, service);
            long changed = System.currentTimeMillis();
            long seen = awaitApi(id, body -> body.contains(seq));
            if (seen < 0) {
                apiMissed++;
            } else {
                api.add(seen - changed);
            }
            // the label is new with this change, so any event naming it is this change's, even one that came before
            // the CLI returned (dockerd announces the update before the CLI exits): counted from the CLI's start
            int missed = awaitStream(seq, issued, changed, stream);
            early += (int) streams.delays(seq, issued, changed).stream().filter(d -> d < 0).count();
            if (missed == streams.size()) {
                System.err.println("freshness, " + engine + ": no stream client saw " + seq + " within "
                        + CHANGE_TIMEOUT.toSeconds() + " s; the API " + (seen < 0 ? "did not show it either"
                        : "showed it after " + (seen - changed) + " ms") + "; the first client's last events: "
                        + streams.recent());
            }
            streamMissed += missed;
        }
        return new Samples(engine, api, stream, changes, apiMissed, streamMissed, early);
    }

    /**
     * A raw task deployed on the agent through the API, then its process killed {@code changes} times from outside
     * (as a crash would): the agent restarts it and pushes the exit and the new instance.
     */
    Samples agent(String engine, int changes) throws Exception {
        String operation = JsonField.text("id", server.send("POST", "/api/v1/workloads", "{\"engine\":\"" + engine
                + "\",\"namespace\":\"bench-scale\",\"name\":\"fresh\",\"spec\":{\"command\":[\"" + AGENT_TASK.get(0)
                + "\",\"" + AGENT_TASK.get(1) + "\"],\"replicas\":1,\"runtime\":\"raw\"}}"));
        String id = JsonField.text("workloadId", server.awaitOperation(operation, Duration.ofMinutes(1)));
        streams.watch(Pattern.compile("(" + Pattern.quote(id) + ")"));
        List<Long> api = new ArrayList<>();
        List<Long> stream = new ArrayList<>();
        int apiMissed = 0;
        int streamMissed = 0;
        long pid = awaitTaskProcess(-1);
        for (int i = 0; i < changes; i++) {
            String before = facts(server.send("GET", "/api/v1/workloads/" + id, null));
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            long changed = System.currentTimeMillis();
            long seen = awaitApi(id, body -> !facts(body).equals(before));
            if (seen < 0) {
                apiMissed++;
            } else {
                api.add(seen - changed);
            }
            streamMissed += awaitStream(id, changed, changed, stream);
            pid = awaitTaskProcess(pid);
            // the restart's own changes settle before the next kill, so they are not taken for the next one's
            Thread.sleep(500);
        }
        server.send("DELETE", "/api/v1/workloads/" + id, null);
        return new Samples(engine, api, stream, changes, apiMissed, streamMissed);
    }

    /** Rows for one engine's samples: API p95 and stream p95 against the target. */
    static void report(ScaleTable table, Samples s, int clients) {
        String what = "freshness, " + s.engine() + " (" + s.changes() + " changes)";
        if (s.api().isEmpty()) {
            table.info(what + ": API", "no change arrived", "p95 < 1000 ms", "FAIL");
        } else {
            table.atMost(what + ": API p95" + missed(s.apiMissed()), p95(s.api()), TARGET_MILLIS, "ms");
        }
        if (s.stream().isEmpty()) {
            table.info(what + ": stream", "no change arrived", "p95 < 1000 ms", "FAIL");
        } else {
            String early = s.streamEarly() == 0 ? "" : String.format(Locale.ROOT,
                    " (%d arrivals before the CLI returned, as 0 ms)", s.streamEarly());
            table.atMost(what + ": stream p95 over " + clients + " clients" + missed(s.streamMissed()) + early,
                    p95(s.stream()), TARGET_MILLIS, "ms");
        }
    }

    private static String missed(int missed) {
        return missed == 0 ? "" : String.format(Locale.ROOT, " (%d not arrived in %d s)", missed,
                CHANGE_TIMEOUT.toSeconds());
    }

    static double p95(List<Long> delays) {
        long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.95) - 1)];
    }

    /**
     * Waits until every client has {@code key} since {@code since} (or the change timeout); adds their delays from
     * {@code changed} (an arrival before it counts as 0); returns the misses.
     */
    private int awaitStream(String key, long since, long changed, List<Long> into) throws InterruptedException {
        long end = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (streams.reached(key, since) < streams.size() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        List<Long> d = streams.delays(key, since, changed);
        d.forEach(delay -> into.add(Math.max(0, delay)));
        return streams.size() - d.size();
    }

    /** Polls the workload until {@code arrived} holds; the wall-clock millis it did, or -1 after the timeout. */
    private long awaitApi(String id, Predicate<String> arrived) throws Exception {
        long end = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            String body = server.send("GET", "/api/v1/workloads/" + id, null);
            if (arrived.test(body)) {
                return System.currentTimeMillis();
            }
            Thread.sleep(5);
        }
        return -1;
    }

    private static String facts(String body) {
        StringBuilder b = new StringBuilder();
        Matcher m = INSTANCE_FACTS.matcher(body);
        while (m.find()) {
            b.append(m.group()).append(';');
        }
        return b.toString();
    }

    /** The pid of the agent task's process other than {@code not}, waiting for it (the agent's restart). */
    private static long awaitTaskProcess(long not) throws Exception {
        long end = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (pid != not && cmdline(p).equals(String.join("\0", AGENT_TASK))) {
                        return pid;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no process " + AGENT_TASK + " within " + CHANGE_TIMEOUT);
    }

    private static String cmdline(Path proc) {
        try {
            String s = new String(Files.readAllBytes(proc.resolve("cmdline")));
            return s.endsWith("\0") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException gone) {
            return "";
        }
    }

    /** Waits (at most a minute) until the server lists workload {@code name} of {@code engine}; returns its id. */
    String awaitWorkload(String engine, String name) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < end) {
            String body = server.send("GET", "/api/v1/workloads?limit=5&engine=" + engine + "&q=" + name, null);
            // an item is {"id":..,"engine":{"id":..,"name":..,"kind":..},"nativeId":..,"namespace":..,"name":..}
            Matcher m = Pattern.compile("\"id\":\"([0-9a-f-]{36})\",\"engine\":\\{[^}]*},\"nativeId\":\"[^\"]*\","
                    + "\"namespace\":\"[^\"]*\",\"name\":\"" + Pattern.quote(name) + "\"").matcher(body);
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("engine " + engine + " did not list " + name + " within a minute");
    }
}
