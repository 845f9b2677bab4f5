package io.gantry.bench;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Subscription;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.WorkloadSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Engine kind {@code synthetic}, loaded into the real server only by the benchmark: endpoint
 * {@code synthetic://N} reports N generated workloads, so that a full sync exercises everything
 * from the port inwards (batched upserts, indexes, totals) with no engine latency in the figure.
 * The listing is handed over in batches of {@link #BATCH} ({@link EngineClient#listWorkloads(WorkloadSink)}), as a
 * big engine's streamed answer is.
 *
 * <p>{@code synthetic://N?push=MS} also pushes, every MS milliseconds on its watch, a change of its first workload
 * whose label {@link #PUSHED_AT} holds the wall-clock time of the push (epoch milliseconds): the benchmark, on the
 * same machine and clock, reads from it how long the change took to reach the API and the live stream.
 * {@code synthetic://N?watch} can be watched, as every real engine kind can, and pushes nothing: an engine at rest,
 * which the server watches instead of listing it every interval.
 */
public class SyntheticEngineAdapter implements EngineAdapter {
    /** The label of a pushed change: when it was pushed, in epoch milliseconds. */
    static final String PUSHED_AT = "bench-pushed-at";
    static final int BATCH = 1_000;
    /** Constants rather than parsed per workload: the engine stands for one that costs nothing, so its own CPU
     * must not weigh in the sync figures. */
    private static final Instant STARTED_AT = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant CREATED_AT = Instant.parse("2026-10-01T00:00:00Z");
    private static final Pattern ENDPOINT = Pattern.compile("synthetic://(\\d{1,7})(?:\\?(watch|push=(\\d{1,6})))?");

    @Override
    public String kind() {
        return "synthetic";
    }

    @Override
    public void validate(EngineConnection connection) {
        count(connection);
    }

    @Override
    public EngineClient connect(EngineConnection connection) {
        Matcher m = endpoint(connection);
        return new SyntheticClient(Integer.parseInt(m.group(1)), m.group(2) != null,
                m.group(3) == null ? 0 : Long.parseLong(m.group(3)), connection.name());
    }

    private static int count(EngineConnection connection) {
        return Integer.parseInt(endpoint(connection).group(1));
    }

    private static Matcher endpoint(EngineConnection connection) {
        Matcher m = ENDPOINT.matcher(String.valueOf(connection.endpoint()));
        if (!m.matches()) {
            throw InvalidSpecException.of("endpoint", "must look like synthetic://<workload count>[?watch|?push=<ms>]");
        }
        return m;
    }

    /** Workload 0 as pushed at {@code epochMillis}: only its {@link #PUSHED_AT} label differs. */
    static Workload pushed(long epochMillis) {
        Workload w = workload(0);
        Map<String, String> labels = new HashMap<>(w.labels());
        labels.put(PUSHED_AT, Long.toString(epochMillis));
        return new Workload(w.nativeId(), w.namespace(), w.name(), w.kind(), labels, w.spec(), w.status(),
                w.instances(), w.createdAt(), w.nativeObject());
    }

    /** Workload {@code i} is the same on every call, so a second sync finds nothing changed. */
    static Workload workload(int i) {
        int replicas = 1 + i % 3;
        boolean degraded = i % 17 == 0;
        int running = degraded ? replicas - 1 : replicas;
        WorkloadSpec spec = new WorkloadSpec("registry.example/team-" + (i % 40) + "/svc:" + (i % 30),
                List.of("/bin/server"), List.of("--port", "8080"),
                env(i),
                List.of(PortMapping.tcp(8080)), new Resources(250L + (i % 4) * 250, 268_435_456L),
                replicas, null, List.of(), null);
        List<Instance> instances = new ArrayList<>();
        for (int r = 0; r < running; r++) {
            instances.add(new Instance("svc-" + i + "-" + r, "node-" + ((i + r) % 50), InstanceState.RUNNING,
                    STARTED_AT, "10.0." + (r % 250) + "." + (i % 250) + ":8080",
                    null, "", ""));
        }
        return new Workload("ns-" + (i % 20) + "/svc-" + i, "ns-" + (i % 20), "svc-" + i,
                i % 10 == 9 ? WorkloadKind.DAEMON : WorkloadKind.SERVICE,
                Map.of("app", "app-" + (i % 50), "tier", i % 2 == 0 ? "web" : "worker"), spec,
                PhaseRule.status(PhaseRule.Facts.of(replicas, running), degraded ? "1 replica crash-looping" : "",
                        null),
                instances, CREATED_AT, null);
    }

    /** In the same order in every run, as an engine's answer is (Map.of's order changes from one JVM to the next). */
    private static Map<String, String> env(int i) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LOG_LEVEL", "info");
        env.put("SHARD", Integer.toString(i % 8));
        return env;
    }

    private static final class SyntheticClient implements EngineClient {
        private final int count;
        private final boolean watched;
        private final long pushMillis;
        private final String name;
        private final List<Thread> pushers = new CopyOnWriteArrayList<>();

        SyntheticClient(int count, boolean watched, long pushMillis, String name) {
            this.count = count;
            this.watched = watched;
            this.pushMillis = pushMillis;
            this.name = name;
        }

        @Override
        public Set<Capability> capabilities() {
            // the server watches only engines that say they can be watched
            return watched ? Set.of(Capability.WATCH) : Set.of();
        }

        @Override
        public EngineInfo ping() {
            return EngineInfo.up("synthetic-1");
        }

        @Override
        public List<Workload> listWorkloads() {
            List<Workload> all = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                all.add(workload(i));
            }
            return all;
        }

        @Override
        public void listWorkloads(WorkloadSink sink) {
            sink.expect(count);
            for (int from = 0; from < count; from += BATCH) {
                List<Workload> batch = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(count, from + BATCH); i++) {
                    batch.add(workload(i));
                }
                sink.accept(batch);
            }
        }

        @Override
        public Optional<Workload> getWorkload(String nativeId) {
            int slash = nativeId.lastIndexOf("/svc-");
            if (slash < 0) {
                return Optional.empty();
            }
            try {
                int i = Integer.parseInt(nativeId.substring(slash + 5));
                return i < count ? Optional.of(workload(i)) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        @Override
        public List<Node> listNodes() {
            return List.of();
        }

        @Override
        public List<EngineEvent> events(String nativeId, int limit) {
            return List.of();
        }

        @Override
        public Workload deploy(WorkloadDefinition definition) {
            throw readOnly(Capability.DEPLOY);
        }

        @Override
        public void update(String nativeId, WorkloadSpec spec) {
            throw readOnly(Capability.UPDATE);
        }

        @Override
        public void scale(String nativeId, int replicas) {
            throw readOnly(Capability.SCALE);
        }

        @Override
        public void restart(String nativeId) {
            throw readOnly(Capability.RESTART);
        }

        @Override
        public void delete(String nativeId) {
            throw readOnly(Capability.DELETE);
        }

        @Override
        public List<LogLine> logs(String nativeId, int tail) {
            throw readOnly(Capability.LOGS);
        }

        @Override
        public Subscription followLogs(String nativeId, int tail, LogSink sink) {
            throw readOnly(Capability.LOGS_FOLLOW);
        }

        @Override
        public Subscription watch(WatchListener listener) {
            if (pushMillis == 0) {
                return () -> { };
            }
            Thread pusher = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(pushMillis);
                        listener.onChange(new EngineChange.WorkloadChanged(pushed(System.currentTimeMillis())));
                    }
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
            }, "synthetic-push-" + name);
            pusher.setDaemon(true);
            pushers.add(pusher);
            pusher.start();
            return () -> {
                pusher.interrupt();
                pushers.remove(pusher);
            };
        }

        @Override
        public void close() {
            pushers.forEach(Thread::interrupt);
            pushers.clear();
        }

        private static UnsupportedCapabilityException readOnly(Capability c) {
            return new UnsupportedCapabilityException(c, "the synthetic benchmark engine is read-only");
        }
    }
}
