package io.gantry.kubernetes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonObject;
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
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSink;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.VersionInfo;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** One registered cluster. Thread-safe: its mutable state is the permission cache, the informers' cache and open streams. */
final class KubernetesEngineClient implements EngineClient {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEngineClient.class);
    private static final int WRITE_ATTEMPTS = 5;

    private final String engineName;
    private final KubernetesSettings settings;
    private final KubernetesApi api;
    private final Clock clock;
    private final WorkloadLookup lookup;
    private final KubernetesConfigs configs;
    private final KubernetesHistory history;
    private final List<Subscription> open = new CopyOnWriteArrayList<>();
    private final KubernetesPermissions permissions;
    private ClusterCache cache;
    private boolean closed;

    KubernetesEngineClient(String engineName, KubernetesSettings settings, KubernetesApi api, Clock clock) {
        this.engineName = engineName;
        this.settings = settings;
        this.api = api;
        this.clock = clock;
        this.lookup = new WorkloadLookup(engineName, api, this::cachedKeys);
        this.configs = new KubernetesConfigs(engineName, settings, api, this::cache, clock);
        this.history = new KubernetesHistory(engineName, settings, api, this::cache);
        this.permissions = new KubernetesPermissions(settings, api, clock);
    }

    /** The keys the informers hold of a Secret or ConfigMap, without starting them. */
    private List<String> cachedKeys(String namespace, ConfigKind kind, String name) {
        ClusterCache started;
        synchronized (this) {
            started = cache;
        }
        return started == null ? null : started.configKeys(namespace, kind, name);
    }

    @Override
    public Set<Capability> capabilities() {
        // USAGE would need metrics-server (metrics.k8s.io), which Gantry does not read yet
        Set<Capability> capabilities = EnumSet.complementOf(EnumSet.of(Capability.USAGE));
        ClusterCache started;
        synchronized (this) {
            started = cache;
        }
        // credentials that may not list Secrets (or ConfigMaps) anywhere: the informers found out
        if (started != null && !started.readable(ResourceType.SECRETS)) {
            capabilities.remove(Capability.SECRETS);
        }
        if (started != null && !started.readable(ResourceType.CONFIGMAPS)) {
            capabilities.remove(Capability.CONFIGS);
        }
        return capabilities;
    }

    /** {@code /version}, then the permissions ({@link KubernetesPermissions}): missing ones make the engine degraded. */
    @Override
    public EngineInfo ping() {
        VersionInfo version = KubernetesErrors.call(api::version, null);
        String gitVersion = version == null || version.getGitVersion() == null ? "unknown" : version.getGitVersion();
        List<String> missing = permissions.missing();
        return missing.isEmpty() ? EngineInfo.up(gitVersion) : EngineInfo.degraded(gitVersion, String.join("; ", missing));
    }

    /**
     * Read from the informers' cache (started by the first call), once they have listed everything: a
     * resync costs memory reads, not a list of every object. A resync sends one {@code GET /version}
     * first: the cache must not be reported as the cluster's state when the API server no longer answers
     * (the informers notice only when their streams next reconnect, and the caller would keep stale
     * workloads as fresh).
     */
    @Override
    public List<Workload> listWorkloads() {
        return cache().workloads(settings.callTimeout(), () -> KubernetesErrors.call(api::version, null));
    }

    /**
     * Read from the API server in pages ({@link PagedWorkloadListing}), not from the informers' cache: the caller
     * asked for a listing that follows the server's answers.
     */
    @Override
    public void listWorkloads(WorkloadSink sink) {
        new PagedWorkloadListing(engineName, settings, api, this::cachedKeys).list(sink);
    }

    /** The informers, started on first use; closed with this client. */
    private ClusterCache cache() {
        synchronized (this) {
            if (cache == null) {
                if (closed) {
                    throw new EngineUnavailableException("the client of " + engineName + " is closed");
                }
                cache = new ClusterCache(engineName, api, settings);
            }
        }
        cache.start();
        return cache;
    }

    @Override
    public Optional<Workload> getWorkload(String nativeId) {
        Optional<WorkloadRef> ref = WorkloadRef.parse(nativeId).filter(r -> settings.allows(r.namespace()));
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        try {
            ClusterInventory inventory = lookup.inventoryOf(ref.get());
            return Optional.ofNullable(inventory.workload(ref.get()));
        } catch (WorkloadNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<Node> listNodes() {
        var nodes = KubernetesErrors.call(() -> api.nodes(null), null);
        return nodes.getItems().stream().map(KubernetesWorkloadReader::toNode).toList();
    }

    @Override
    public List<EngineEvent> events(String nativeId, int limit) {
        WorkloadRef ref = existingRef(nativeId);
        ClusterInventory inventory = lookup.inventoryOf(ref);
        Set<String> names = inventory.involvedNames(ref);
        Set<String> kinds = Set.of(ref.kind().name(), "ReplicaSet", "Job", "Pod");
        KubernetesListObject list = KubernetesErrors.call(() -> api.listAll(ResourceType.EVENTS, ref.namespace(), null), null);
        List<EngineEvent> out = new ArrayList<>();
        for (KubernetesObject o : list.getItems()) {
            CoreV1Event e = (CoreV1Event) o;
            var about = e.getInvolvedObject();
            if (about != null && names.contains(about.getName()) && kinds.contains(about.getKind())) {
                out.add(KubernetesWorkloadReader.toEvent(e, ref.nativeId()));
            }
        }
        out.sort(Comparator.comparing(EngineEvent::time, Comparator.nullsLast(Comparator.reverseOrder())));
        return out.subList(0, Math.min(limit, out.size()));
    }

    /**
     * What {@link #deploy} would reject before creating anything (name, kind, spec, a namespace outside
     * the allow-list), and a namespace that does not exist: the API server only says so when the create
     * reaches it. Credentials that may not read namespaces (403) leave that to the create.
     */
    @Override
    public void checkDeploy(WorkloadDefinition definition) {
        String namespace = namespaceOf(definition);
        KubernetesWorkloadWriter.toNative(definition, namespace);
        try {
            api.namespace(namespace);
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                throw InvalidSpecException.of("namespace", "namespace '" + namespace + "' does not exist");
            }
            if (e.getCode() != 403) {
                throw KubernetesErrors.toException(e, null);
            }
        } catch (RuntimeException e) {
            throw KubernetesErrors.unexpected(e);
        }
    }

    /** The definition's namespace, or the engine's default; a valid name within the allow-list. */
    private String namespaceOf(WorkloadDefinition definition) {
        String namespace = definition.namespace().isEmpty() ? settings.defaultNamespace() : definition.namespace();
        KubernetesWorkloadWriter.validateNamespace(namespace);
        if (!settings.allows(namespace)) {
            throw InvalidSpecException.of("namespace", "'" + namespace + "' is not one of this engine's namespaces "
                    + settings.namespaces());
        }
        return namespace;
    }

    @Override
    public Workload deploy(WorkloadDefinition definition) {
        String namespace = namespaceOf(definition);
        KubernetesObject object = KubernetesWorkloadWriter.toNative(definition, namespace);
        WorkloadRef ref = KubernetesWorkloadMapper.refOf(object);
        V1Service service = KubernetesWorkloadWriter.toService(ref, definition.spec(), definition.labels());
        ResourceType type = ResourceType.of(ref.kind());
        KubernetesObject created;
        try {
            created = api.create(type, namespace, object);
        } catch (ApiException e) {
            if (e.getCode() == 409) {
                throw new EngineConflictException("a " + ref.kind() + " named '" + ref.name() + "' already exists in namespace '"
                        + namespace + "'", e);
            }
            if (e.getCode() == 404) {
                throw InvalidSpecException.of("namespace", "namespace '" + namespace + "' does not exist");
            }
            throw KubernetesErrors.toException(e, null);
        }
        V1Service createdService = null;
        if (service != null) {
            try {
                createdService = api.create(ResourceType.SERVICES, namespace, service);
            } catch (ApiException e) {
                // no half-deployed workload: take it back, then report why the Service failed
                deleteQuietly(type, ref);
                throw KubernetesErrors.toException(e, null);
            }
        }
        LOG.info("engine {}: created {}", engineName, ref);
        return KubernetesWorkloadReader.toWorkload(created, List.of(), createdService);
    }

    private void deleteQuietly(ResourceType type, WorkloadRef ref) {
        try {
            api.delete(type, ref.namespace(), ref.name(), "Foreground");
        } catch (ApiException e) {
            LOG.warn("engine {}: could not remove {} after a failed deploy: HTTP {}",
                    engineName, ref, e.getCode());
        }
    }

    @Override
    public void update(String nativeId, WorkloadSpec spec) {
        WorkloadRef ref = existingRef(nativeId);
        ResourceType type = ResourceType.of(ref.kind());
        KubernetesObject current = retryOnConflict(() -> {
            KubernetesObject read = KubernetesErrors.call(() -> api.get(type, ref.namespace(), ref.name()), ref);
            String patch = KubernetesWorkloadWriter.specPatch(read, spec);
            KubernetesErrors.call(() -> api.mergePatch(type, ref.namespace(), ref.name(), patch), ref);
            return read;
        });
        reconcileService(ref, spec, current.getMetadata().getLabels());
        LOG.info("engine {}: updated {}", engineName, ref);
    }

    /** The history Kubernetes keeps ({@link KubernetesHistory}); empty for kinds that keep none. */
    @Override
    public List<EngineRevision> revisions(String nativeId) {
        Optional<WorkloadRef> parsed = WorkloadRef.parse(nativeId).filter(r -> settings.allows(r.namespace()));
        return parsed.isEmpty() ? List.of() : history.revisions(parsed.get());
    }

    /**
     * {@code kubectl rollout undo --to-revision}: the pod template becomes the one Kubernetes kept under
     * {@code engineRevision} (a Deployment's ReplicaSet of that number, a StatefulSet's or DaemonSet's
     * ControllerRevision of that name), so the controller's own history says rollback (a Deployment's old
     * ReplicaSet comes back under a new number). Replicas stay as they are, as with kubectl; the Service follows
     * {@code spec}. Without that revision (pruned by revisionHistoryLimit, or none given) this is {@link #update}.
     */
    @Override
    public void rollback(String nativeId, WorkloadSpec spec, String engineRevision) {
        WorkloadRef ref = existingRef(nativeId);
        V1PodTemplateSpec target = engineRevision == null ? null : history.keptTemplate(ref, engineRevision);
        if (target == null) {
            update(nativeId, spec);
            return;
        }
        ResourceType type = ResourceType.of(ref.kind());
        KubernetesObject current = retryOnConflict(() -> {
            KubernetesObject read = KubernetesErrors.call(() -> api.get(type, ref.namespace(), ref.name()), ref);
            String patch = KubernetesWorkloadWriter.rollbackPatch(read, target, "rollback to revision " + engineRevision);
            KubernetesErrors.call(() -> api.mergePatch(type, ref.namespace(), ref.name(), patch), ref);
            return read;
        });
        reconcileService(ref, spec, current.getMetadata().getLabels());
        LOG.info("engine {}: rolled {} back to revision {}", engineName, ref, engineRevision);
    }

    /** The published-ports Service follows the spec: created, changed or removed. */
    private void reconcileService(WorkloadRef ref, WorkloadSpec spec, Map<String, String> labels) {
        V1Service wanted = KubernetesWorkloadWriter.toService(ref, spec, labels == null ? Map.of() : labels);
        Optional<V1Service> existing = lookup.serviceOf(ref);
        if (wanted == null && existing.isPresent()) {
            KubernetesErrors.call(() -> {
                api.delete(ResourceType.SERVICES, ref.namespace(), ref.name(), "Background");
                return null;
            }, null);
        } else if (wanted != null && existing.isEmpty()) {
            KubernetesErrors.call(() -> api.create(ResourceType.SERVICES, ref.namespace(), wanted), null);
        } else if (wanted != null) {
            JsonObject patch = new JsonObject();
            patch.add("spec", KubernetesJson.gson().toJsonTree(wanted.getSpec()));
            KubernetesErrors.call(() -> api.mergePatch(ResourceType.SERVICES, ref.namespace(), ref.name(), patch.toString()), null);
        }
    }

    @Override
    public void scale(String nativeId, int replicas) {
        WorkloadRef ref = existingRef(nativeId);
        if (replicas < 0) {
            throw InvalidSpecException.of("replicas", "must not be negative");
        }
        String patch = switch (ref.kind()) {
            case Deployment, StatefulSet, ReplicaSet -> KubernetesWorkloadWriter.replicasPatch(replicas);
            case Job -> "{\"spec\":{\"parallelism\":" + replicas + "}}";
            case DaemonSet, CronJob -> throw new UnsupportedCapabilityException(Capability.SCALE,
                    "a " + ref.kind() + " has no replica count to scale");
        };
        retryOnConflict(() -> KubernetesErrors.call(() -> api.mergePatch(ResourceType.of(ref.kind()), ref.namespace(), ref.name(), patch), ref));
        LOG.info("engine {}: scaled {} to {}", engineName, ref, replicas);
    }

    @Override
    public void restart(String nativeId) {
        WorkloadRef ref = existingRef(nativeId);
        if (ref.kind() != NativeKind.Deployment && ref.kind() != NativeKind.StatefulSet
                && ref.kind() != NativeKind.DaemonSet) {
            throw new UnsupportedCapabilityException(Capability.RESTART,
                    "a " + ref.kind() + " does not roll its pods; only Deployments, StatefulSets and DaemonSets restart");
        }
        String patch = KubernetesWorkloadWriter.restartPatch(clock.instant());
        retryOnConflict(() -> KubernetesErrors.call(() -> api.mergePatch(ResourceType.of(ref.kind()), ref.namespace(), ref.name(), patch), ref));
        LOG.info("engine {}: restarted {}", engineName, ref);
    }

    /** The object's {@code metadata.labels} ({@link KubernetesLabels}); the selector and the pod template stay. */
    @Override
    public void relabel(String nativeId, Map<String, String> labels) {
        WorkloadRef ref = existingRef(nativeId);
        ResourceType type = ResourceType.of(ref.kind());
        retryOnConflict(() -> {
            KubernetesObject read = KubernetesErrors.call(() -> api.get(type, ref.namespace(), ref.name()), ref);
            String patch = KubernetesLabels.relabelPatch(read, labels);
            return KubernetesErrors.call(() -> api.mergePatch(type, ref.namespace(), ref.name(), patch), ref);
        });
        LOG.info("engine {}: relabelled {}", engineName, ref);
    }

    /** From the informers' cache, keys only ({@link KubernetesConfigs}). */
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
        return configs.readValues(nativeId);
    }

    @Override
    public void deleteConfig(String nativeId) {
        configs.delete(nativeId);
    }

    /** Foreground propagation: the API server removes the pods (and ReplicaSets) before the object itself. */
    @Override
    public void delete(String nativeId) {
        WorkloadRef ref = existingRef(nativeId);
        KubernetesErrors.call(() -> {
            api.delete(ResourceType.of(ref.kind()), ref.namespace(), ref.name(), "Foreground");
            return null;
        }, ref);
        if (lookup.serviceOf(ref).isPresent()) {
            try {
                api.delete(ResourceType.SERVICES, ref.namespace(), ref.name(), "Background");
            } catch (ApiException e) {
                if (e.getCode() != 404) {
                    throw KubernetesErrors.toException(e, null);
                }
            }
        }
        LOG.info("engine {}: deleted {}", engineName, ref);
    }

    @Override
    public List<LogLine> logs(String nativeId, int tail) {
        WorkloadRef ref = existingRef(nativeId);
        ClusterInventory inventory = lookup.inventoryOf(ref);
        String container = mainContainer(inventory, ref);
        List<LogLine> lines = new ArrayList<>();
        for (V1Pod pod : inventory.pods(ref)) {
            String text = KubernetesErrors.call(() -> api.podLog(ref.namespace(), pod.getMetadata().getName(), container, tail), null);
            lines.addAll(PodLogs.parse(pod.getMetadata().getName(), text));
        }
        return PodLogs.merge(lines);
    }

    @Override
    public Subscription followLogs(String nativeId, int tail, LogSink sink) {
        WorkloadRef ref = existingRef(nativeId);
        ClusterInventory inventory = lookup.inventoryOf(ref);
        PodLogs.Follow follow = PodLogs.follow(api, ref.namespace(), inventory.pods(ref), mainContainer(inventory, ref),
                tail, sink);
        return tracked(follow);
    }

    /**
     * {@code pods/exec} in the instance's pod, in the container whose logs Gantry shows ({@link PodExecSession}). The
     * pod is read from the API server first, so a pod that is not the workload's or does not run is refused clearly.
     * Open sessions are closed with this client.
     */
    @Override
    public ExecSession exec(String nativeId, String instanceId, ExecRequest request, ExecListener listener) {
        WorkloadRef ref = existingRef(nativeId);
        ClusterInventory inventory = lookup.inventoryOf(ref);
        ExecTarget target = ExecTarget.of(inventory, ref, instanceId, mainContainer(inventory, ref));
        AtomicReference<ExecSession> started = new AtomicReference<>();
        Subscription closer = () -> Optional.ofNullable(started.get()).ifPresent(ExecSession::close);
        // tracked before it starts: a session may end (and untrack itself) before open returns
        open.add(closer);
        PodExecSession session;
        try {
            session = PodExecSession.open(api, ref.nativeId(), target, request, listener, settings.callTimeout(),
                    () -> open.remove(closer));
        } catch (RuntimeException e) {
            open.remove(closer);
            throw e;
        }
        started.set(session);
        LOG.info("engine {}: exec in pod {} of {} ({})", engineName, target.pod(), ref, session.protocol());
        return session;
    }

    private static String mainContainer(ClusterInventory inventory, WorkloadRef ref) {
        KubernetesObject object = inventory.object(ref);
        V1PodTemplateSpec template = object == null ? null : KubernetesWorkloadMapper.templateOf(object);
        if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null
                || template.getSpec().getContainers().isEmpty()) {
            return null;
        }
        return template.getSpec().getContainers().get(0).getName();
    }

    /** Listens to the informers' cache (the same one {@link #listWorkloads} reads); closing it leaves them running. */
    @Override
    public Subscription watch(WatchListener listener) {
        return cache().subscribe(listener, settings.callTimeout());
    }

    /** Kept for {@link #close()} until the caller closes it. */
    private Subscription tracked(Subscription subscription) {
        open.add(subscription);
        return () -> {
            open.remove(subscription);
            subscription.close();
        };
    }

    @Override
    public void close() {
        for (Subscription s : open) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a stream failed", e);
            }
        }
        open.clear();
        ClusterCache started;
        synchronized (this) {
            closed = true;
            started = cache;
            // a caller may keep a closed client: it must not keep the informers' objects with it
            cache = null;
        }
        if (started != null) {
            started.close();
        }
        api.shutdown();
    }

    /** A parsable id within the allowed namespaces, or {@link WorkloadNotFoundException}. */
    private WorkloadRef existingRef(String nativeId) {
        return WorkloadRef.parse(nativeId).filter(r -> settings.allows(r.namespace()))
                .orElseThrow(() -> new WorkloadNotFoundException(nativeId));
    }

    /**
     * Runs a write again while the API server answers 409, as client-go's RetryOnConflict does: controllers
     * write status all the time, and a server may refuse a write that raced one (the update's patch carries
     * the resourceVersion it read, so it reads again each time). Only a persistent conflict is reported.
     */
    private static <T> T retryOnConflict(Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (EngineConflictException e) {
                if (attempt == WRITE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

}
