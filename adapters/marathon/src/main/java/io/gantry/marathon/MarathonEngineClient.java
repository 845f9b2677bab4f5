package io.gantry.marathon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.gantry.marathon.MarathonAnswers.expectOk;
import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.text;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.Subscription;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WatchListener;
import io.gantry.spi.watch.EventWatch;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import tools.jackson.databind.JsonNode;

/**
 * One Marathon (HA cluster) over its REST API v2. Thread-safe; holds no cache of workloads. Its changes (and how
 * they meet Marathon's deployment locks) are {@link MarathonWrites}'; the listing of a big Marathon is
 * {@link MarathonAppListing}'s.
 */
final class MarathonEngineClient implements EngineClient {
    private static final Logger LOG = LoggerFactory.getLogger(MarathonEngineClient.class);
    private static final Duration NODE_COUNT_TTL = Duration.ofSeconds(30);
    private static final int EVENTS_PER_WORKLOAD = 100;

    private final MarathonSettings settings;
    private final MarathonHttp marathon;
    private final MarathonHttp mesos;
    private final MesosSandbox sandbox;
    private final MesosExecs execs;
    private final MarathonPods pods;
    private final MarathonVersions versions;
    private final MarathonWrites writes;
    private final RecentEvents recentEvents = new RecentEvents(1000, EVENTS_PER_WORKLOAD);
    private final Set<Subscription> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Integer cachedNodeCount;
    private volatile long nodeCountAt;
    private volatile String frameworkId;
    private volatile Duration eventIdleCheck = MarathonEvents.IDLE_CHECK;

    MarathonEngineClient(MarathonSettings settings) {
        this.settings = settings;
        this.marathon = new MarathonHttp(settings, "Marathon", settings.endpoints());
        this.mesos = settings.mesosUrl() == null ? null
                : new MarathonHttp(settings, "Mesos master", List.of(settings.mesosUrl()));
        this.sandbox = mesos == null ? null : new MesosSandbox(settings, mesos);
        this.execs = mesos == null ? null : new MesosExecs(settings, mesos, sandbox);
        this.pods = new MarathonPods(marathon);
        this.versions = new MarathonVersions(marathon);
        this.writes = new MarathonWrites(settings, marathon);
    }

    Duration callTimeout() {
        return settings.callTimeout();
    }

    MarathonHttp http() {
        return marathon;
    }

    /**
     * A native id as Marathon writes it (leading slash). One that Marathon could not hold (upper case,
     * spaces...) names no workload; refusing it here also keeps it out of request URLs.
     */
    private static String id(String nativeId) {
        String id = MarathonIds.normalizeId(nativeId);
        if (!MarathonIds.isValidId(id)) {
            throw new WorkloadNotFoundException(nativeId);
        }
        return id;
    }

    @Override
    public Set<Capability> capabilities() {
        // no SECRETS or CONFIGS: Marathon keeps no secret store (DC/OS's is a plugin beside it); apps only refer to
        // secrets, which the spec's secrets carry
        Set<Capability> caps = EnumSet.of(Capability.DEPLOY, Capability.UPDATE, Capability.SCALE, Capability.RESTART,
                Capability.DELETE, Capability.WATCH, Capability.EVENTS, Capability.LABEL);
        if (mesos != null) {
            caps.addAll(EnumSet.of(Capability.LOGS, Capability.LOGS_FOLLOW, Capability.NODES, Capability.EXEC));
        }
        return caps;
    }

    @Override
    public EngineInfo ping() {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            JsonNode info = expectOk(marathon.get("/v2/info"), "Marathon info", null);
            frameworkId = text(info, "frameworkId");
            EngineInfo marathonInfo = MarathonClusterReader.info(info);
            if (mesos != null && !marathonInfo.degraded()) {
                try {
                    MarathonHttp.Response health = mesos.get("/master/health");
                    if (!health.ok()) {
                        return EngineInfo.degraded(marathonInfo.version(), "Mesos master answered HTTP "
                                + health.status() + ": nodes and logs are unavailable");
                    }
                } catch (EngineUnavailableException e) {
                    return EngineInfo.degraded(marathonInfo.version(), "Mesos master unreachable, nodes and logs are "
                            + "unavailable: " + e.getMessage());
                }
            }
            return marathonInfo;
        }
    }

    // ---- read

    @Override
    public List<Workload> listWorkloads() {
        List<Workload> out = new ArrayList<>();
        listWorkloads(out::addAll);
        return out;
    }

    /**
     * The deployments, launch queue and agents first (small answers), sharing one call timeout with the wait for the
     * apps' answer to begin; then the apps as that answer streams in ({@link MarathonAppListing}), as long as its
     * bytes keep coming; then the pods, in a call timeout of their own.
     */
    @Override
    public void listWorkloads(WorkloadSink sink) {
        String path = "/v2/apps?" + MarathonAppReader.APP_EMBEDS;
        MarathonProgress progress;
        Integer nodes;
        MarathonHttp.Streamed apps;
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            progress = progress();
            nodes = nodeCount();
            apps = marathon.getStreamed(path);
        }
        MarathonAppListing.read(marathon, path, apps, progress, nodes, settings.callTimeout(), sink);
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            List<Workload> podList = pods.list(progress);
            if (!podList.isEmpty()) {
                sink.accept(podList);
            }
        }
    }

    @Override
    public Optional<Workload> getWorkload(String nativeId) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = MarathonIds.normalizeId(nativeId);
            if (!MarathonIds.isValidId(id)) {
                return Optional.empty();
            }
            MarathonHttp.Response r = marathon.get("/v2/apps" + id + "?" + MarathonAppReader.ONE_APP_EMBEDS);
            if (r.status() == 404) {
                return pods.get(id, progress());
            }
            JsonNode app = expectOk(r, "app", id).path("app");
            return Optional.of(MarathonAppReader.app(app, progress(), nodeCount()));
        }
    }

    /** The deployments under way and the launch queue: Marathon's verdict beside the apps and pods. */
    private MarathonProgress progress() {
        return MarathonProgress.of(expectOk(marathon.get("/v2/deployments"), "deployments", null),
                expectOk(marathon.get("/v2/queue"), "launch queue", null));
    }

    private JsonNode queueEntry(String id) {
        return MarathonProgress.of(null, expectOk(marathon.get("/v2/queue"), "launch queue", null)).queueEntry(id);
    }

    /** Active Mesos agents, cached briefly: it only serves to recognise DAEMON apps. */
    Integer nodeCount() {
        if (mesos == null) {
            return null;
        }
        long now = System.nanoTime();
        if (cachedNodeCount != null && now - nodeCountAt < NODE_COUNT_TTL.toNanos()) {
            return cachedNodeCount;
        }
        try {
            int count = (int) listNodes().stream().filter(n -> n.status().equals("READY")).count();
            cachedNodeCount = count;
            nodeCountAt = now;
            return count;
        } catch (EngineUnavailableException e) {
            LOG.warn("Mesos master of engine {} unreachable, DAEMON apps show as "
                    + "SERVICE: {}", settings.engineName(), e.getMessage());
            return cachedNodeCount;
        }
    }

    @Override
    public List<Node> listNodes() {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            if (mesos == null) {
                return List.of();
            }
            JsonNode slaves = expectOk(mesos.get("/master/slaves"), "Mesos agents", null);
            return array(slaves, "slaves").stream().map(MarathonClusterReader::node).toList();
        }
    }

    @Override
    public List<EngineEvent> events(String nativeId, int limit) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = id(nativeId);
            List<EngineEvent> out = recentEvents.of(id);
            MarathonHttp.Response r = marathon.get("/v2/apps" + id + "?embed=app.lastTaskFailure");
            if (r.status() == 200) {
                EngineEvent failure = MarathonEventReader.lastFailure(MarathonAnswers.parseOrEmpty(r.body()).path("app"));
                if (failure != null && out.stream().noneMatch(e -> e.message().equals(failure.message()))) {
                    out.add(failure);
                }
                String queued = MarathonStatusRules.queueMessage(queueEntry(id));
                if (!queued.isEmpty()) {
                    out.add(new EngineEvent(Instant.now(), id, EngineEvent.WARNING, "Queued", queued));
                }
            } else if (r.status() == 404 && out.isEmpty() && pods.get(id, MarathonProgress.NONE).isEmpty()) {
                throw new WorkloadNotFoundException(id);
            }
            out.sort(Comparator.comparing(EngineEvent::time, Comparator.nullsLast(Comparator.reverseOrder())));
            return out.subList(0, Math.min(Math.max(limit, 0), out.size()));
        }
    }

    /**
     * The app's or pod's versions, newest first: at most the {@link MarathonVersions#MOST} newest, read one call
     * each (Marathon gives a version's definition per call). Empty when Marathon has no such app or pod.
     */
    @Override
    public List<EngineRevision> revisions(String nativeId) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = MarathonIds.normalizeId(nativeId);
            if (!MarathonIds.isValidId(id)) {
                return List.of();
            }
            JsonNode app = writes.existingApp(id);
            if (app != null) {
                return versions.ofApp(id, app, nodeCount());
            }
            MarathonHttp.Response pod = marathon.get("/v2/pods" + id);
            if (pod.status() == 404) {
                // no such pod, or a Marathon before 1.4 that has no pods
                return List.of();
            }
            return versions.ofPod(id, expectOk(pod, "pod", id));
        }
    }

    /** Called by the event stream: keeps what Marathon said, since it has no event history to ask for later. */
    void remember(EngineEvent event) {
        recentEvents.remember(event);
    }

    // ---- act: MarathonWrites

    @Override
    public Workload deploy(WorkloadDefinition definition) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            return writes.deploy(definition, definition.kind() == WorkloadKind.DAEMON ? nodeCount() : null);
        }
    }

    @Override
    public void update(String nativeId, WorkloadSpec spec) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            writes.update(id(nativeId), spec);
        }
    }

    @Override
    public void relabel(String nativeId, Map<String, String> labels) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            writes.relabel(id(nativeId), labels);
        }
    }

    @Override
    public void rollback(String nativeId, WorkloadSpec spec, String engineRevision) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            writes.rollback(id(nativeId), spec, engineRevision);
        }
    }

    @Override
    public void scale(String nativeId, int replicas) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            writes.scale(id(nativeId), replicas);
        }
    }

    @Override
    public void restart(String nativeId) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            writes.restart(id(nativeId));
        }
    }

    @Override
    public void delete(String nativeId) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            writes.delete(id(nativeId));
        }
    }

    // ---- logs

    @Override
    public List<LogLine> logs(String nativeId, int tail) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = id(nativeId);
            requireSandbox();
            List<LogLine> out = new ArrayList<>();
            for (JsonNode task : tasks(id, Capability.LOGS)) {
                String taskId = text(task, "id");
                MarathonHttp agent = sandbox.agent(text(task, "slaveId"));
                for (String stream : List.of("stdout", "stderr")) {
                    String path = MesosSandbox.path(frameworkId(), taskId, stream);
                    sandbox.tail(agent, path, tail).forEach(l -> out.add(new LogLine(null, taskId, stream, l)));
                }
            }
            return out;
        }
    }

    @Override
    public Subscription followLogs(String nativeId, int tail, LogSink sink) {
        String id = id(nativeId);
        requireSandbox();
        SandboxFollower follower = new SandboxFollower(this, sandbox, id, tail, sink);
        open.add(follower);
        follower.start();
        return follower;
    }

    /** The app's tasks; a pod refuses {@code capability} (the logs or exec asked for). */
    List<JsonNode> tasks(String id, Capability capability) {
        MarathonHttp.Response r = marathon.get("/v2/apps" + id + "/tasks");
        if (r.status() == 404 && pods.get(id, MarathonProgress.NONE).isPresent()) {
            // a pod's containers run under Mesos' default executor, in nested sandboxes and containers one level
            // deeper than an app's, which are not read here
            throw new UnsupportedCapabilityException(capability, "'" + id + "' is a Marathon pod: Gantry reads "
                    + "logs of apps and runs commands in apps only");
        }
        return array(expectOk(r, "tasks", id), "tasks");
    }

    String frameworkId() {
        if (frameworkId == null) {
            frameworkId = text(expectOk(marathon.get("/v2/info"), "Marathon info", null), "frameworkId");
        }
        return frameworkId;
    }

    private void requireSandbox() {
        if (sandbox == null) {
            throw new UnsupportedCapabilityException(Capability.LOGS, "Marathon keeps no task output: register the "
                    + "engine with the option mesosUrl (the Mesos master) to read logs from the Mesos sandbox");
        }
    }

    // ---- exec

    /** Through the Mesos agent's nested containers: see {@link MesosExecs} and {@link MesosExecSession}. */
    @Override
    public ExecSession exec(String nativeId, String instanceId, ExecRequest request, ExecListener listener) {
        if (execs == null) {
            throw new UnsupportedCapabilityException(Capability.EXEC, "Marathon cannot run commands in its tasks: "
                    + "register the engine with the option mesosUrl (the Mesos master), so that Gantry runs them "
                    + "through the Mesos agent as nested containers");
        }
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = id(nativeId);
            JsonNode task = tasks(id, Capability.EXEC).stream().filter(t -> instanceId.equals(text(t, "id")))
                    .findFirst().orElseThrow(() -> new WorkloadNotFoundException(id + " instance " + instanceId));
            return execs.start(id, task, frameworkId(), request, listener);
        }
    }

    /** The exec sessions' starter, {@code null} without mesosUrl; for tests. */
    MesosExecs execs() {
        return execs;
    }

    // ---- watch

    @Override
    public Subscription watch(WatchListener listener) {
        EventWatch<SseReader.Frame> stream = MarathonEvents.watch(this, settings, listener, eventIdleCheck);
        open.add(stream);
        return stream.start();
    }

    /** How long a silent event stream waits before checking the leader; shortened by tests. */
    void eventIdleCheck(Duration idleCheck) {
        this.eventIdleCheck = idleCheck;
    }

    void forget(Subscription s) {
        open.remove(s);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            new ArrayList<>(open).forEach(Subscription::close);
            open.clear();
            if (execs != null) {
                execs.close();
            }
        }
    }
}
