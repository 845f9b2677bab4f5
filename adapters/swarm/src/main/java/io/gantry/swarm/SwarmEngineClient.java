package io.gantry.swarm;

import io.gantry.spi.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.gantry.spi.watch.EventWatch;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Docker Swarm manager, through the Engine API. Workloads are services, addressed by service id,
 * limited to the configured stacks; their instances are the services' tasks. Writes are read-modify-write on the whole ServiceSpec with the
 * service's {@code Version.Index}, so Swarm refuses a write based on a stale read instead of losing the
 * change made in between.
 */
final class SwarmEngineClient implements EngineClient {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmEngineClient.class);
    private static final long NODE_CACHE_MILLIS = 10_000;

    private final EngineConnection connection;
    private final DockerApi api;
    private final SwarmServiceWriter writer;
    private final SwarmSettings settings;
    private final SwarmExec execs;
    private final SwarmConfigs configs;
    private final SwarmServiceListing listing;
    private final Set<AutoCloseable> open = new CopyOnWriteArraySet<>();
    private volatile NodeCache nodeCache = new NodeCache(Map.of(), 0);

    private record NodeCache(Map<String, SwarmServiceReader.NodeRef> nodes, long fetchedAtMillis) {
    }

    SwarmEngineClient(EngineConnection connection, SwarmEndpoint endpoint, SwarmSettings settings) {
        this.connection = connection;
        this.api = new DockerApi(connection.name(), endpoint, connection.callTimeout());
        this.writer = new SwarmServiceWriter(settings.publishMode());
        this.settings = settings;
        this.execs = new SwarmExec(connection.name(), api, endpoint, () -> nodes(false), open);
        this.configs = new SwarmConfigs(connection.name(), api, settings);
        this.listing = new SwarmServiceListing(api, settings, SwarmServiceListing.BATCH_SIZE);
    }

    @Override
    public Set<Capability> capabilities() {
        // USAGE would need a docker stats stream per task container, which Gantry does not read yet;
        // EXEC reaches the tasks on the node of this endpoint's daemon only (SwarmExecTarget)
        return EnumSet.complementOf(EnumSet.of(Capability.USAGE));
    }

    @Override
    public EngineInfo ping() {
        api.ping();
        return SwarmServiceReader.engineInfo(api.get("/info"));
    }

    @Override
    public List<Workload> listWorkloads() {
        List<Workload> out = new ArrayList<>();
        listWorkloads(out::addAll);
        return out;
    }

    /** Streamed ({@link SwarmServiceListing}): batches as services are parsed, a deadline on silence only. */
    @Override
    public void listWorkloads(WorkloadSink sink) {
        listing.list(nodes(true), configs.index(), sink);
    }

    @Override
    public Optional<Workload> getWorkload(String nativeId) {
        return findService(nativeId).map(service -> SwarmServiceReader.workload(service, tasksOf(SwarmServiceReader.serviceId(service)),
                nodes(false), configs.indexFor(service.path("Spec"))));
    }

    @Override
    public List<Node> listNodes() {
        List<Node> out = new ArrayList<>();
        for (JsonNode node : api.get("/nodes")) {
            out.add(SwarmServiceReader.node(node));
        }
        return out;
    }

    @Override
    public List<EngineEvent> events(String nativeId, int limit) {
        JsonNode service = findService(nativeId).orElseThrow(() -> new WorkloadNotFoundException(nativeId));
        return SwarmServiceReader.events(service, tasksOf(SwarmServiceReader.serviceId(service)), nodes(false), limit);
    }

    @Override
    public void checkDeploy(WorkloadDefinition definition) {
        checkNamespace(definition);
        SwarmSpecRules.check(definition);
        configs.writeReferences(writer.serviceSpec(definition), definition.spec());
        SwarmPortCheck.check(api, definition.spec(), null);
    }

    @Override
    public void checkUpdate(String nativeId, WorkloadSpec spec) {
        JsonNode service = inspect(nativeId);
        ObjectNode serviceSpec = (ObjectNode) service.path("Spec").deepCopy();
        writer.updateSpec(serviceSpec, spec);
        configs.writeReferences(serviceSpec, spec);
        SwarmPortCheck.check(api, spec, SwarmServiceReader.serviceId(service));
    }

    @Override
    public void checkScale(String nativeId, int replicas) {
        try {
            writer.setReplicas((ObjectNode) inspect(nativeId).path("Spec").deepCopy(), replicas);
        } catch (InvalidSpecException e) {
            // a scale request has one field, "replicas", not a spec
            throw InvalidSpecException.of("replicas", e.errors().get(0).message());
        }
    }

    @Override
    public Workload deploy(WorkloadDefinition definition) {
        checkNamespace(definition);
        ObjectNode spec = writer.serviceSpec(definition);
        configs.writeReferences(spec, definition.spec());
        JsonNode created = api.post("/services/create", spec, null);
        String id = Json.text(created, "ID");
        LOG.info("Swarm engine {}: created service {} ({})", connection.name(), spec.path("Name").asString(""), id);
        return getWorkload(id).orElseThrow(() -> new WorkloadNotFoundException(id));
    }

    @Override
    public void update(String nativeId, WorkloadSpec spec) {
        JsonNode service = inspect(nativeId);
        update(service, spec, SwarmServiceReader.versionIndex(service));
    }

    /**
     * Replaces the spec if the service is still at {@code expectedVersion} (its {@code Version.Index} when the
     * caller read it); a change made since then gives {@link io.gantry.spi.EngineConflictException}
     * (swarmkit's "update out of sequence"), never a silent overwrite.
     */
    void update(String nativeId, WorkloadSpec spec, long expectedVersion) {
        update(inspect(nativeId), spec, expectedVersion);
    }

    private void update(JsonNode service, WorkloadSpec spec, long expectedVersion) {
        ObjectNode serviceSpec = (ObjectNode) service.path("Spec").deepCopy();
        writer.updateSpec(serviceSpec, spec);
        configs.writeReferences(serviceSpec, spec);
        write(SwarmServiceReader.serviceId(service), serviceSpec, expectedVersion, "updated");
    }

    /** From one {@code GET /services/{id}}; a service that is gone (or outside the stacks) has none. */
    @Override
    public List<EngineRevision> revisions(String nativeId) {
        try {
            JsonNode service = inspect(nativeId);
            return SwarmRevisions.of(service, configs.indexFor(service.path("Spec"), service.path("PreviousSpec")));
        } catch (WorkloadNotFoundException e) {
            return List.of();
        }
    }

    /**
     * Swarm's own rollback ({@code rollback=previous}: Spec and PreviousSpec swap, and {@code UpdateStatus} says
     * {@code rollback_started}, "manually requested rollback", then {@code rollback_completed}) when the service
     * still holds {@code spec} as its PreviousSpec; otherwise an update to {@code spec}. Both at the
     * {@code Version.Index} just read, so a change made in between is an {@link io.gantry.spi.EngineConflictException}.
     */
    @Override
    public void rollback(String nativeId, WorkloadSpec spec, String engineRevision) {
        JsonNode service = inspect(nativeId);
        rollback(service, spec, engineRevision, SwarmServiceReader.versionIndex(service));
    }

    /** {@link #rollback(String, WorkloadSpec, String)} if the service is still at {@code expectedVersion}, as {@link #update(String, WorkloadSpec, long)}. */
    void rollback(String nativeId, WorkloadSpec spec, String engineRevision, long expectedVersion) {
        rollback(inspect(nativeId), spec, engineRevision, expectedVersion);
    }

    private void rollback(JsonNode service, WorkloadSpec spec, String engineRevision, long expectedVersion) {
        if (!SwarmRevisions.rollsBackTo(service, spec, engineRevision,
                configs.indexFor(service.path("Spec"), service.path("PreviousSpec")))) {
            update(service, spec, expectedVersion);
            return;
        }
        String id = SwarmServiceReader.serviceId(service);
        // the Engine API wants a body but ignores it for rollback=previous: the current spec is the honest one
        api.post("/services/" + DockerApi.encode(id) + "/update?version=" + expectedVersion + "&rollback=previous",
                service.path("Spec"), id);
        LOG.info("Swarm engine {}: service {} rolled back to its previous spec", connection.name(), id);
    }

    @Override
    public void scale(String nativeId, int replicas) {
        JsonNode service = inspect(nativeId);
        ObjectNode serviceSpec = (ObjectNode) service.path("Spec").deepCopy();
        writer.setReplicas(serviceSpec, replicas);
        write(SwarmServiceReader.serviceId(service), serviceSpec, SwarmServiceReader.versionIndex(service), "scaled to " + replicas);
    }

    /**
     * Only {@code Spec.Labels}, at the service's Version.Index; the stack label, which places the service in its
     * namespace, and Gantry's own {@code io.gantry.*} labels are kept.
     */
    @Override
    public void relabel(String nativeId, Map<String, String> labels) {
        JsonNode service = inspect(nativeId);
        ObjectNode serviceSpec = (ObjectNode) service.path("Spec").deepCopy();
        writer.relabel(serviceSpec, labels);
        write(SwarmServiceReader.serviceId(service), serviceSpec, SwarmServiceReader.versionIndex(service), "relabelled");
    }

    @Override
    public List<ConfigObject> listConfigs() {
        return configs.list();
    }

    @Override
    public ConfigObject createConfig(ConfigDefinition definition) {
        return configs.create(definition);
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
    public void restart(String nativeId) {
        JsonNode service = inspect(nativeId);
        ObjectNode serviceSpec = (ObjectNode) service.path("Spec").deepCopy();
        writer.forceRestart(serviceSpec);
        write(SwarmServiceReader.serviceId(service), serviceSpec, SwarmServiceReader.versionIndex(service), "restarted");
    }

    @Override
    public void delete(String nativeId) {
        String id = SwarmServiceReader.serviceId(inspect(nativeId));
        api.delete("/services/" + DockerApi.encode(id), nativeId);
        LOG.info("Swarm engine {}: removed service {}", connection.name(), id);
    }

    @Override
    public List<LogLine> logs(String nativeId, int tail) {
        String id = SwarmServiceReader.serviceId(inspect(nativeId));
        byte[] body = api.getBytes(logsPath(id, tail, false), nativeId);
        List<LogLine> lines = new ArrayList<>();
        try {
            DockerLogFrames.read(new java.io.ByteArrayInputStream(body), lines::add);
        } catch (IOException e) {
            throw api.unavailable("sent logs that cannot be read", e);
        }
        // dockerd applies tail per task and sends the tasks one after another: merge by time, keep the newest
        if (lines.stream().allMatch(l -> l.time() != null)) {
            lines.sort(Comparator.comparing(LogLine::time));
        }
        return tail >= 0 && lines.size() > tail ? List.copyOf(lines.subList(lines.size() - tail, lines.size())) : lines;
    }

    @Override
    public Subscription followLogs(String nativeId, int tail, LogSink sink) {
        String id = SwarmServiceReader.serviceId(inspect(nativeId));
        DockerApi.Stream stream = api.openStream(logsPath(id, tail, true), nativeId);
        open.add(stream);
        Thread follower = new Thread(() -> {
            Throwable failure = null;
            try (InputStream body = stream.body()) {
                DockerLogFrames.read(body, sink::onLine);
            } catch (IOException | RuntimeException e) {
                failure = stream.isClosed() ? null : e;
            } finally {
                open.remove(stream);
                stream.close();
            }
            sink.onEnd(failure);
        }, "gantry-swarm-logs-" + id);
        follower.setDaemon(true);
        follower.start();
        return stream::close;
    }

    /** In the task's container, through this endpoint's daemon: a task on another node is refused ({@link SwarmExec}). */
    @Override
    public ExecSession exec(String nativeId, String instanceId, ExecRequest request, ExecListener listener) {
        return execs.start(SwarmServiceReader.serviceId(inspect(nativeId)), instanceId, request, listener);
    }

    @Override
    public Subscription watch(WatchListener listener) {
        EventWatch<JsonNode> watch = SwarmEvents.watch(connection.name(), api, listener, this::getWorkload,
                this::listWorkloads, open::remove);
        open.add(watch);
        return watch.start();
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : open) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("closing a Swarm stream failed", e);
            }
        }
        open.clear();
        api.close();
    }

    private void checkNamespace(WorkloadDefinition definition) {
        if (!settings.shows(definition.namespace())) {
            throw InvalidSpecException.of("namespace", "'" + definition.namespace() + "' is not among this engine's stacks "
                    + settings.namespaces());
        }
    }

    private static String logsPath(String serviceId, int tail, boolean follow) {
        return "/services/" + DockerApi.encode(serviceId) + "/logs?stdout=1&stderr=1&timestamps=1&details=1"
                + "&tail=" + (tail < 0 ? "all" : Integer.toString(tail)) + (follow ? "&follow=1" : "");
    }

    private void write(String serviceId, ObjectNode serviceSpec, long version, String what) {
        api.post("/services/" + DockerApi.encode(serviceId) + "/update?version=" + version, serviceSpec, serviceId);
        LOG.info("Swarm engine {}: service {} {}", connection.name(), serviceId, what);
    }

    /** {@code GET /services/{id}}, which also matches names and id prefixes: only the exact id counts. */
    private JsonNode inspect(String nativeId) {
        if (nativeId == null || nativeId.isBlank()) {
            throw new WorkloadNotFoundException(String.valueOf(nativeId));
        }
        JsonNode service = api.getWorkloadObject("/services/" + DockerApi.encode(nativeId), nativeId);
        if (!nativeId.equals(SwarmServiceReader.serviceId(service)) || !settings.shows(SwarmServiceReader.namespace(service))) {
            throw new WorkloadNotFoundException(nativeId);
        }
        return service;
    }

    /** The service with its ServiceStatus counts, which only the list call gives. */
    private Optional<JsonNode> findService(String nativeId) {
        if (nativeId == null || nativeId.isBlank()) {
            return Optional.empty();
        }
        ObjectNode filters = Json.MAPPER.createObjectNode();
        filters.putObject("id").put(nativeId, true);
        for (JsonNode service : api.get("/services?status=true&" + DockerApi.query("filters", filters))) {
            if (nativeId.equals(SwarmServiceReader.serviceId(service)) && settings.shows(SwarmServiceReader.namespace(service))) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    private List<JsonNode> tasksOf(String serviceId) {
        ObjectNode filters = Json.MAPPER.createObjectNode();
        filters.putObject("service").put(serviceId, true);
        List<JsonNode> tasks = new ArrayList<>();
        for (JsonNode task : api.get("/tasks?" + DockerApi.query("filters", filters))) {
            if (serviceId.equals(Json.text(task, "ServiceID"))) {
                tasks.add(task);
            }
        }
        return tasks;
    }

    /** Node names for instances; cached briefly because every service re-read needs them. */
    private Map<String, SwarmServiceReader.NodeRef> nodes(boolean fresh) {
        NodeCache cache = nodeCache;
        long now = System.currentTimeMillis();
        if (fresh || now - cache.fetchedAtMillis() > NODE_CACHE_MILLIS) {
            cache = new NodeCache(SwarmServiceReader.nodeIndex(api.get("/nodes")), now);
            nodeCache = cache;
        }
        return cache.nodes();
    }
}
