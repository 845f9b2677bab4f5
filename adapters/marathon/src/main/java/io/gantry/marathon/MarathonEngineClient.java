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
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * One Marathon (HA cluster) over its REST API v2. Thread-safe; holds no cache of workloads.
 *
 * <p>Locks: Marathon refuses a change to an app that a running deployment touches (409 with the
 * deployment ids). The port has no per-call force flag, so the engine option {@code force=true}
 * decides: without it the 409 becomes an {@link EngineConflictException} naming the deployments;
 * with it the change is retried once with {@code ?force=true}, which cancels those deployments.
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
            JsonNode app = existingApp(id);
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

    // ---- act

    @Override
    public Workload deploy(WorkloadDefinition definition) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            Integer nodes = definition.kind() == WorkloadKind.DAEMON ? nodeCount() : null;
            ObjectNode body = MarathonAppWriter.newApp(definition, nodes);
            String id = text(body, "id");
            MarathonHttp.Response r = marathon.send("POST", "/v2/apps", body.toString());
            if (r.status() == 409) {
                throw new EngineConflictException("'" + id + "' already exists on Marathon engine "
                        + settings.engineName() + ": " + MarathonAnswers.reason(r));
            }
            JsonNode created = expectOk(r, "app", id);
            LOG.info("deployed app {} on Marathon engine {}", id, settings.engineName());
            return MarathonAppReader.app(created, MarathonProgress.NONE, nodes);
        }
    }

    @Override
    public void update(String nativeId, WorkloadSpec spec) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = id(nativeId);
            JsonNode current = existingApp(id);
            if (current == null) {
                existingPod(id);
                // a pod's containers, volumes and networks have no place in the model: a rewrite would lose them
                throw new UnsupportedCapabilityException(Capability.UPDATE, "'" + id + "' is a Marathon pod: Gantry "
                        + "scales, restarts and deletes pods; edit their containers in Marathon");
            }
            write("PUT", "/v2/apps" + id, MarathonAppWriter.updatedApp(current, spec).toString(), id);
        }
    }

    /** {@code PUT} of the app's (or pod's) own definition with only its labels replaced. */
    @Override
    public void relabel(String nativeId, Map<String, String> labels) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            labels.forEach((key, value) -> {
                if (key == null || key.isBlank() || value == null) {
                    throw InvalidSpecException.of("labels", "Marathon labels need a key and a value (got '" + key
                            + "')");
                }
            });
            String id = id(nativeId);
            JsonNode app = existingApp(id);
            if (app != null) {
                write("PUT", "/v2/apps" + id, MarathonAppWriter.relabeled(app, labels).toString(), id);
            } else {
                write("PUT", "/v2/pods" + id, MarathonPodWriter.relabeled(existingPod(id), labels).toString(), id);
            }
        }
    }

    /**
     * Marathon's own rollback when {@code engineRevision} is a version the app still has: {@code PUT /v2/apps/{id}}
     * with {@code {"version": ...}} (REST docs, "version rollback"), which makes a new version of that version's
     * definition with a deployment, so that Marathon's history says what happened. A pod is put back to its own
     * old definition ({@code GET /v2/pods/{id}::versions/{version}}, then {@code PUT}): its containers, volumes and
     * networks are Marathon's, never rewritten from the model. A version Marathon no longer has (404), or no
     * version: {@link #update}.
     */
    @Override
    public void rollback(String nativeId, WorkloadSpec spec, String engineRevision) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = id(nativeId);
            if (MarathonVersionReader.instantOf(engineRevision) == null) {
                update(nativeId, spec);
                return;
            }
            boolean app = existingApp(id) != null;
            MarathonHttp.Response r = app
                    ? writeResponse("PUT", "/v2/apps" + id, MarathonAppWriter.rollbackTo(engineRevision).toString())
                    : marathon.get("/v2/pods" + id + "::versions/" + engineRevision);
            if (r.status() == 404) {
                LOG.info("Marathon engine {} has no version {} of {}: rolling back by an update",
                        settings.engineName(), engineRevision, id);
                update(nativeId, spec);
            } else if (app) {
                LOG.info("rolled back {} to version {} on Marathon engine {}: deployment {}", id, engineRevision,
                        settings.engineName(), MarathonAnswers.deploymentId(expectOk(r, "workload", id)));
            } else {
                write("PUT", "/v2/pods" + id, MarathonPodWriter.restored(expectOk(r, "pod version", id)).toString(), id);
            }
        }
    }

    @Override
    public void scale(String nativeId, int replicas) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            if (replicas < 0) {
                throw InvalidSpecException.of("replicas", "must be 0 or more");
            }
            String id = id(nativeId);
            // PUT on an unknown app id creates the app (Marathon REST docs): check that it exists first
            if (existingApp(id) == null) {
                write("PUT", "/v2/pods" + id, MarathonPodWriter.scaled(existingPod(id), replicas).toString(), id);
                return;
            }
            write("PUT", "/v2/apps" + id, "{\"instances\":" + replicas + "}", id);
        }
    }

    @Override
    public void restart(String nativeId) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = id(nativeId);
            MarathonHttp.Response r = writeResponse("POST", "/v2/apps" + id + "/restart", null);
            if (r.status() == 404) {
                write("PUT", "/v2/pods" + id, MarathonPodWriter.restarted(existingPod(id), Instant.now()).toString(), id);
                return;
            }
            expectOk(r, "workload", id);
        }
    }

    @Override
    public void delete(String nativeId) {
        try (CallBudget ignored = CallBudget.start(settings.callTimeout())) {
            String id = id(nativeId);
            MarathonHttp.Response r = writeResponse("DELETE", "/v2/apps" + id, null);
            if (r.status() == 404) {
                r = writeResponse("DELETE", "/v2/pods" + id, null);
            }
            JsonNode result = expectOk(r, "workload", id);
            LOG.info("deleted {} on Marathon engine {}: deployment {}", id,
                    settings.engineName(), MarathonAnswers.deploymentId(result));
        }
    }

    /** The app's definition, or {@code null} when Marathon has no app by that id. */
    private JsonNode existingApp(String id) {
        MarathonHttp.Response r = marathon.get("/v2/apps" + id);
        if (r.status() == 404) {
            return null;
        }
        return expectOk(r, "app", id).path("app");
    }

    private JsonNode existingPod(String id) {
        return expectOk(marathon.get("/v2/pods" + id), "pod", id);
    }

    private void write(String method, String path, String body, String id) {
        JsonNode result = expectOk(writeResponse(method, path, body), "workload", id);
        LOG.info("{} {} on Marathon engine {}: deployment {}", method, id,
                settings.engineName(), MarathonAnswers.deploymentId(result));
    }

    private MarathonHttp.Response writeResponse(String method, String path, String body) {
        MarathonHttp.Response r = marathon.send(method, path, body);
        if (r.status() == 409 && settings.force() && !MarathonAnswers.deployments(r).isEmpty()) {
            LOG.warn("{} {} is locked by deployment(s) {}: retrying with force=true "
                    + "(engine option force), which cancels them", method, path, MarathonAnswers.deployments(r));
            r = marathon.send(method, path + (path.contains("?") ? "&" : "?") + "force=true", body);
        }
        return r;
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
