package io.gantry.support;

import io.gantry.spi.Capability;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InstanceUsage;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.WorkloadSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-memory engine for tests: its workloads are a map; it can be made to fail (every call
 * throws "connection refused") or to hang (every call blocks until it is healed), and it counts
 * the calls it got.
 */
public final class FakeEngine {
    private static final Map<String, FakeEngine> ENGINES = new ConcurrentHashMap<>();

    public enum Mode { OK, FAIL, HANG }

    private final String name;
    private final Map<String, Workload> workloads = new ConcurrentHashMap<>();
    private final Map<String, List<InstanceUsage>> usage = new ConcurrentHashMap<>();
    private final Map<String, List<EngineRevision>> revisions = new ConcurrentHashMap<>();
    private final List<WatchListener> watchers = new CopyOnWriteArrayList<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<String> resizes = new CopyOnWriteArrayList<>();
    private final List<Long> pingTimes = new CopyOnWriteArrayList<>();
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
    private final AtomicReference<EngineConnection> lastConnection = new AtomicReference<>();
    private final AtomicReference<Runnable> beforeNextListReads = new AtomicReference<>();
    private final AtomicReference<Runnable> afterNextListRead = new AtomicReference<>();
    private final AtomicReference<Runnable> afterNextWatch = new AtomicReference<>();
    private final AtomicReference<Runnable> beforeNextDeployReturns = new AtomicReference<>();
    private volatile boolean startsNothing;
    private volatile Set<Capability> missing = Set.of();
    private volatile List<Node> nodes = List.of(new Node("node-1", "10.0.0.1", "READY", "worker", 2000L, 4L << 30,
            Map.of("zone", "a")));
    private final Set<String> failingScales = ConcurrentHashMap.newKeySet();
    private volatile Duration rollout = Duration.ZERO;
    private final FakeConfigs configs;
    private volatile int listBatch;
    private volatile Duration listPause = Duration.ZERO;
    private volatile int silentAfterBatches = -1;

    private FakeEngine(String name) {
        this.name = name;
        this.configs = new FakeConfigs(name, this::enter);
    }

    /** The engine behind endpoint {@code test://<name>}; created empty on first use. */
    public static FakeEngine named(String name) {
        return ENGINES.computeIfAbsent(name, FakeEngine::new);
    }

    /** From now on the engine lists {@code these} as its nodes. */
    public void nodes(Node... these) {
        nodes = List.of(these);
    }

    /** From now on the engine does not advertise {@code capabilities} (an engine that cannot restart, say). */
    public void without(Capability... capabilities) {
        missing = Set.of(capabilities);
    }

    /** From now on a scale of {@code nativeId} fails on the engine (after its checks passed), as a node running out would. */
    public void failScalesOf(String nativeId) {
        failingScales.add(nativeId);
    }

    /** From now on, deployed workloads never start an instance: they stay PENDING (a target that never gets RUNNING). */
    public void startNothing() {
        startsNothing = true;
    }

    public void mode(Mode newMode) {
        mode.set(newMode);
    }

    /** Adds or replaces a workload without telling watchers (seen at the next resync). */
    public void putQuietly(Workload workload) {
        workloads.put(workload.nativeId(), workload);
    }

    /** Adds or replaces a workload and pushes it on the watch stream. */
    public void put(Workload workload) {
        putQuietly(workload);
        watchers.forEach(w -> w.onChange(new EngineChange.WorkloadChanged(workload)));
    }

    /** What {@code usage(nativeId)} answers from now on (nothing until this is called). */
    public void reportUsage(String nativeId, List<InstanceUsage> measured) {
        usage.put(nativeId, List.copyOf(measured));
    }

    /** What {@code revisions(nativeId)} answers from now on, newest first (nothing until this is called). */
    public void keepRevisions(String nativeId, List<EngineRevision> kept) {
        revisions.put(nativeId, List.copyOf(kept));
    }

    /** The next create, rotation or delete of a config object fails with {@code failure} (an engine refusing it). */
    public void failNextConfigWrite(RuntimeException failure) {
        configs.failNextWrite(failure);
    }

    /** The values the engine holds for an object (as a container using it would read them). */
    public Optional<Map<String, String>> configData(String namespace, String name, ConfigKind kind) {
        return configs.data(namespace, name, kind);
    }

    /** The workload as the engine holds it now. */
    public Optional<Workload> current(String nativeId) {
        return Optional.ofNullable(workloads.get(nativeId));
    }

    /** The workload with {@code spec} instead of its own, all its replicas running. */
    /**
     * From now on an update or a rollback reads DEPLOYING ("rolling out") for {@code takes}, then RUNNING,
     * announced through the watch, as an engine's rolling update does.
     */
    public void rolloutsTake(Duration takes) {
        rollout = takes;
    }

    private void rollOut(String nativeId, Workload updated) {
        if (rollout.isZero()) {
            workloads.put(nativeId, updated);
            return;
        }
        int replicas = updated.status().desired();
        workloads.put(nativeId, new Workload(updated.nativeId(), updated.namespace(), updated.name(), updated.kind(),
                updated.labels(), updated.spec(), PhaseRule.status(new PhaseRule.Facts(replicas, replicas, replicas,
                false, Rollout.PROGRESSING, 0, replicas, false), "rolling out", null), updated.instances(),
                updated.createdAt(), updated.nativeObject()));
        CompletableFuture.delayedExecutor(rollout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> put(updated));
    }

    public static Workload withSpec(Workload w, WorkloadSpec spec) {
        int replicas = spec.replicas() == null ? 1 : spec.replicas();
        Workload shape = workload(w.namespace(), w.name(), spec.image(), replicas, w.labels());
        return new Workload(w.nativeId(), w.namespace(), w.name(), w.kind(), w.labels(), spec, shape.status(),
                shape.instances(), w.createdAt(), w.nativeObject());
    }

    public void removeQuietly(String nativeId) {
        workloads.remove(nativeId);
    }

    public void emit(EngineChange change) {
        watchers.forEach(w -> w.onChange(change));
    }

    /**
     * From now on listings hand their workloads over in batches of {@code size}, in native id order, {@code pause}
     * apart, as an adapter reading a big answer as a stream does; {@code size} 0 lists in one batch (the default).
     */
    public void listInBatches(int size, Duration pause) {
        listBatch = size;
        listPause = pause;
    }

    /**
     * From now on a listing goes silent after {@code batches} batches (it blocks until interrupted, as a stuck
     * connection would); -1 lists to the end (the default).
     */
    public void listGoesSilentAfter(int batches) {
        silentAfterBatches = batches;
    }

    /** Runs {@code action} once, inside the next list call before it reads the workloads: the list sees its effect. */
    public void beforeNextListReads(Runnable action) {
        beforeNextListReads.set(action);
    }

    /** Runs {@code action} once, inside the next list call after it read the workloads: the list misses its effect. */
    public void afterNextListRead(Runnable action) {
        afterNextListRead.set(action);
    }

    /** Runs {@code action} once, right after the next watch subscription is made, before {@code watch} returns. */
    public void afterNextWatch(Runnable action) {
        afterNextWatch.set(action);
    }

    /** Runs {@code action} once, inside the next deploy after the workload exists, before {@code deploy} returns. */
    public void beforeNextDeployReturns(Runnable action) {
        beforeNextDeployReturns.set(action);
    }

    private static void runOnce(AtomicReference<Runnable> hook) {
        Runnable action = hook.getAndSet(null);
        if (action != null) {
            action.run();
        }
    }

    /** The terminal sizes its execs started with or were resized to, {@code "COLSxROWS"}, in order. */
    public List<String> resizes() {
        return resizes;
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** Wall-clock times (ms) of every ping, including failed ones. */
    public List<Long> pingTimes() {
        return List.copyOf(pingTimes);
    }

    public int watcherCount() {
        return watchers.size();
    }

    public EngineConnection lastConnection() {
        return lastConnection.get();
    }

    void connectedWith(EngineConnection connection) {
        lastConnection.set(connection);
    }

    public static Workload workload(String namespace, String name, String image, int replicas, Map<String, String> labels) {
        return workload(namespace, name, image, replicas, replicas, labels);
    }

    /** A SERVICE with {@code running} of {@code replicas} instances up; the phase follows {@link PhaseRule}. */
    public static Workload workload(String namespace, String name, String image, int replicas, int running,
                                    Map<String, String> labels) {
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < running; i++) {
            instances.add(new Instance(name + "-" + i, "node-1", InstanceState.RUNNING, Instant.parse("2026-01-01T00:00:00Z"),
                    "10.0.0." + (i + 1) + ":8080", null, "", ""));
        }
        return new Workload(namespace + "/" + name, namespace, name, WorkloadKind.SERVICE, labels,
                WorkloadSpec.of(image, replicas),
                PhaseRule.status(PhaseRule.Facts.of(replicas, running), "", null),
                instances, Instant.parse("2026-01-01T00:00:00Z"),
                "{\"id\":\"" + name + "\",\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"hunter2\"}],\"apiToken\":\"abc\"}");
    }

    EngineClient client() {
        return new EngineClient() {
            @Override
            public Set<Capability> capabilities() {
                Set<Capability> all = EnumSet.allOf(Capability.class);
                all.removeAll(missing);
                return all;
            }

            @Override
            public EngineInfo ping() {
                pingTimes.add(System.currentTimeMillis());
                enter("ping");
                return EngineInfo.up("fake-1");
            }

            @Override
            public List<Workload> listWorkloads() {
                enter("list");
                runOnce(beforeNextListReads);
                List<Workload> read = List.copyOf(workloads.values());
                runOnce(afterNextListRead);
                return read;
            }

            @Override
            public void listWorkloads(WorkloadSink sink) {
                int size = listBatch;
                if (size <= 0 && silentAfterBatches < 0) {
                    sink.accept(listWorkloads());
                    return;
                }
                List<Workload> read = new ArrayList<>(listWorkloads());
                read.sort(Comparator.comparing(Workload::nativeId));
                sink.expect(read.size());
                size = size <= 0 ? Math.max(1, read.size()) : size;
                for (int from = 0, batch = 0; from < read.size(); from += size, batch++) {
                    if (batch == silentAfterBatches) {
                        pause(Duration.ofDays(1));
                    }
                    if (batch > 0) {
                        pause(listPause);
                    }
                    sink.accept(read.subList(from, Math.min(read.size(), from + size)));
                }
            }

            private void pause(Duration pause) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineUnavailableException(name + ": the listing was interrupted");
                }
            }

            @Override
            public Optional<Workload> getWorkload(String nativeId) {
                enter("get " + nativeId);
                return Optional.ofNullable(workloads.get(nativeId));
            }

            @Override
            public List<Node> listNodes() {
                enter("nodes");
                return nodes;
            }

            @Override
            public List<EngineEvent> events(String nativeId, int limit) {
                enter("events " + nativeId);
                return List.of();
            }

            /** What the test reported; asks nothing, so no failure mode applies (the sampler calls it in the background). */
            @Override
            public List<InstanceUsage> usage(String nativeId) {
                return usage.getOrDefault(nativeId, List.of());
            }

            /** A name already taken is refused, as real engines refuse it; asks nothing, so no failure mode applies. */
            @Override
            public void checkDeploy(WorkloadDefinition d) {
                if (workloads.containsKey(d.namespace() + "/" + d.name())) {
                    throw InvalidSpecException.of("name", "'" + d.namespace() + "/" + d.name() + "' already exists");
                }
            }

            @Override
            public Workload deploy(WorkloadDefinition d) {
                enter("deploy " + d.name());
                int replicas = d.spec().replicas() == null ? 1 : d.spec().replicas();
                Workload shape = workload(d.namespace(), d.name(), d.spec().image(), replicas, startsNothing ? 0 : replicas,
                        d.labels());
                WorkloadSpec s = d.spec();
                // the spec as asked, with the replica count the engine settled, as real engines read it back
                Workload w = new Workload(shape.nativeId(), shape.namespace(), shape.name(), shape.kind(), shape.labels(),
                        s.withReplicas(replicas),
                        shape.status(), shape.instances(), shape.createdAt(), shape.nativeObject());
                workloads.put(w.nativeId(), w);
                runOnce(beforeNextDeployReturns);
                return w;
            }

            @Override
            public void update(String nativeId, WorkloadSpec spec) {
                enter("update " + nativeId);
                Workload w = existing(nativeId);
                rollOut(nativeId, withSpec(w, spec.replicas() == null ? spec.withReplicas(w.spec().replicas()) : spec));
            }

            @Override
            public void relabel(String nativeId, Map<String, String> labels) {
                enter("relabel " + nativeId);
                Workload w = existing(nativeId);
                put(new Workload(w.nativeId(), w.namespace(), w.name(), w.kind(), labels, w.spec(), w.status(),
                        w.instances(), w.createdAt(), w.nativeObject()));
            }

            /** What the test said the engine keeps; asks nothing, so no failure mode applies (read in the background). */
            @Override
            public List<EngineRevision> revisions(String nativeId) {
                calls.add("revisions " + nativeId);
                return revisions.getOrDefault(nativeId, List.of());
            }

            @Override
            public void rollback(String nativeId, WorkloadSpec spec, String engineRevision) {
                enter("rollback " + nativeId + " " + engineRevision);
                update(nativeId, spec);
            }

            @Override
            public void scale(String nativeId, int replicas) {
                enter("scale " + nativeId + " " + replicas);
                if (failingScales.contains(nativeId)) {
                    throw new EngineUnavailableException(name + ": no room for " + replicas + " replicas of " + nativeId);
                }
                Workload w = existing(nativeId);
                workloads.put(nativeId, withSpec(w, w.spec().withReplicas(replicas)));
            }

            @Override
            public void restart(String nativeId) {
                enter("restart " + nativeId);
                existing(nativeId);
            }

            @Override
            public void delete(String nativeId) {
                enter("delete " + nativeId);
                existing(nativeId);
                workloads.remove(nativeId);
            }

            @Override
            public List<LogLine> logs(String nativeId, int tail) {
                enter("logs " + nativeId);
                existing(nativeId);
                return List.of(new LogLine(Instant.now(), nativeId + "-0", "stdout", "hello from " + nativeId));
            }

            @Override
            public Subscription followLogs(String nativeId, int tail, LogSink sink) {
                enter("follow " + nativeId);
                sink.onLine(new LogLine(Instant.now(), nativeId + "-0", "stdout", "first line"));
                return () -> { };
            }

            @Override
            public ExecSession exec(String nativeId, String instanceId, ExecRequest request, ExecListener listener) {
                enter("exec " + nativeId + " " + instanceId + " " + String.join(" ", request.command()));
                if (existing(nativeId).instances().stream().noneMatch(i -> i.id().equals(instanceId))) {
                    throw new WorkloadNotFoundException(nativeId + "/" + instanceId);
                }
                return LocalProcessExec.start(request, listener, resizes);
            }

            @Override
            public List<ConfigObject> listConfigs() {
                return configs.list();
            }

            @Override
            public ConfigObject createConfig(ConfigDefinition d) {
                return configs.create(d);
            }

            @Override
            public ConfigObject rotateConfig(String nativeId, Map<String, String> data) {
                return configs.rotate(nativeId, data);
            }

            @Override
            public Map<String, String> readConfig(String nativeId) {
                return configs.read(nativeId);
            }

            @Override
            public void deleteConfig(String nativeId) {
                configs.delete(nativeId);
            }

            @Override
            public Subscription watch(WatchListener listener) {
                enter("watch");
                watchers.add(listener);
                runOnce(afterNextWatch);
                return () -> watchers.remove(listener);
            }

            @Override
            public void close() {
                watchers.clear();
            }

            private Workload existing(String nativeId) {
                Workload w = workloads.get(nativeId);
                if (w == null) {
                    throw new WorkloadNotFoundException(nativeId);
                }
                return w;
            }
        };
    }

    /** Applies the failure mode: FAIL throws, HANG blocks until healed or interrupted (as a stuck socket would). */
    private void enter(String call) {
        calls.add(call);
        while (mode.get() == Mode.HANG) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException(name + ": interrupted while hanging");
            }
        }
        if (mode.get() == Mode.FAIL) {
            throw new EngineUnavailableException(name + ": connection refused");
        }
    }

    @Override
    public String toString() {
        return "FakeEngine[" + name + "]";
    }
}
