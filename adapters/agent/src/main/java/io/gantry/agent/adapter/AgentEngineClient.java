package io.gantry.agent.adapter;

import io.gantry.agent.api.v1.CheckContainerRequest;
import io.gantry.agent.api.v1.CheckContainerResponse;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.CreateContainerRequest;
import io.gantry.agent.api.v1.CreateTaskRequest;
import io.gantry.agent.api.v1.DeleteContainerRequest;
import io.gantry.agent.api.v1.DeleteTaskRequest;
import io.gantry.agent.api.v1.Event;
import io.gantry.agent.api.v1.GetContainerRequest;
import io.gantry.agent.api.v1.HealthRequest;
import io.gantry.agent.api.v1.HealthResponse;
import io.gantry.agent.api.v1.KillTaskRequest;
import io.gantry.agent.api.v1.ListContainersRequest;
import io.gantry.agent.api.v1.ListEventsRequest;
import io.gantry.agent.api.v1.ListTasksRequest;
import io.gantry.agent.api.v1.LogEntry;
import io.gantry.agent.api.v1.NodeInfoRequest;
import io.gantry.agent.api.v1.NodeInfoResponse;
import io.gantry.agent.api.v1.StartTaskRequest;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskLogsRequest;
import io.gantry.agent.api.v1.TaskMetricsRequest;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.api.v1.UpdateContainerRequest;
import io.gantry.agent.api.v1.WaitTaskRequest;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineRuntime;
import io.gantry.spi.InstanceUsage;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.gantry.spi.watch.EventWatch;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One agent as an {@link EngineClient}: a workload is a container plus one task per replica, named
 * {@code <container>-<index>}. The client drives replicas (create, start, delete tasks); the agent
 * restarts a task whose process exits.
 */
final class AgentEngineClient implements EngineClient {
    /** What a stop may take on the agent: its SIGTERM grace period, then the SIGKILL wait. */
    private static final Duration STOP_ALLOWANCE = Duration.ofSeconds(12);
    private static final String DEFAULT_NAMESPACE = "default";

    record Ref(String namespace, String id) {
        String nativeId() {
            return AgentWorkloadMapper.nativeId(namespace, id);
        }
    }

    private final EngineConnection connection;
    private final AgentStubs stubs;
    private final List<EventWatch<Event>> watches = new CopyOnWriteArrayList<>();
    private volatile String nodeName;
    /** The agent's runtimes as its last Node.Info told; null until asked. */
    private volatile List<EngineRuntime> runtimes;
    /** The {@code namespaces} option: agent namespaces this engine shows; empty for all. */
    private final Set<String> namespaces;
    private final AgentConfigs configs;

    AgentEngineClient(EngineConnection connection, AgentEngineAdapter.Target target) {
        this.connection = connection;
        this.stubs = new AgentStubs(target, connection.credential("token"), connection.credential("caCert"),
                connection.credential("clientCert"), connection.credential("clientKey"), connection.callTimeout());
        String only = connection.option("namespaces");
        this.namespaces = only == null || only.isBlank() ? Set.of()
                : Set.copyOf(java.util.Arrays.asList(only.trim().split("\\s*,\\s*")));
        this.configs = new AgentConfigs(stubs, connection.name(), namespaces);
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public EngineInfo ping() {
        return call(null, () -> {
            NodeInfoResponse info = stubs.node().info(NodeInfoRequest.getDefaultInstance());
            HealthResponse health = stubs.node().health(HealthRequest.getDefaultInstance());
            nodeName = info.getName();
            runtimes = runtimesOf(info);
            return new EngineInfo(info.getVersion(), !health.getServing(), String.join("; ", health.getNotesList()));
        });
    }

    @Override
    public List<EngineRuntime> runtimes() {
        List<EngineRuntime> known = runtimes;
        if (known == null) {
            known = call(null, () -> runtimesOf(stubs.node().info(NodeInfoRequest.getDefaultInstance())));
            runtimes = known;
        }
        return known;
    }

    /** The agent settles the runtime itself (Containers.Check), so that its default rule lives in one place. */
    @Override
    public Optional<String> privilegedRuntime(WorkloadSpec spec) {
        ContainerSpec wanted = AgentWorkloadMapper.toContainerSpec(spec, WorkloadKind.SERVICE);
        CheckContainerResponse checked;
        try {
            // no namespace: the port does not say where the workload goes, and the deploy checks its references there
            checked = stubs.containers(null).check(CheckContainerRequest.newBuilder().setSpec(wanted).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                // an agent older than Check: every runtime it may pick by default counts, raw being privileged
                boolean maybeRaw = wanted.getRuntime().isEmpty() || "raw".equals(wanted.getRuntime());
                return maybeRaw && runtimes().stream().anyMatch(r -> r.name().equals("raw"))
                        ? Optional.of("raw") : Optional.empty();
            }
            throw AgentErrors.map(e, connection.name(), null);
        }
        return checked.getPrivileged() ? Optional.of(checked.getSpec().getRuntime()) : Optional.empty();
    }

    private static List<EngineRuntime> runtimesOf(NodeInfoResponse info) {
        return info.getRuntimesList().stream()
                // raw by name too: an agent older than privileged_runtimes runs raw tasks as host processes all the same
                .map(r -> new EngineRuntime(r, info.getPrivilegedRuntimesList().contains(r) || "raw".equals(r)))
                .toList();
    }

    @Override
    public List<Workload> listWorkloads() {
        return call(null, () -> {
            List<Container> containers = stubs.containers(null).list(ListContainersRequest.getDefaultInstance())
                    .getContainersList();
            Map<String, List<Task>> tasks = stubs.tasks(null).list(ListTasksRequest.getDefaultInstance()).getTasksList()
                    .stream().collect(Collectors.groupingBy(t -> AgentWorkloadMapper.nativeId(t.getNamespace(),
                            t.getContainerId())));
            String node = nodeName();
            return containers.stream().filter(c -> namespaces.isEmpty() || namespaces.contains(c.getNamespace()))
                    .map(c -> AgentWorkloadMapper.toWorkload(c,
                    tasks.getOrDefault(AgentWorkloadMapper.nativeId(c.getNamespace(), c.getId()), List.of()), node))
                    .toList();
        });
    }

    @Override
    public Optional<Workload> getWorkload(String nativeId) {
        Optional<Ref> ref = parse(nativeId);
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(ref.get()));
        } catch (WorkloadNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<Node> listNodes() {
        return call(null, () -> {
            NodeInfoResponse info = stubs.node().info(NodeInfoRequest.getDefaultInstance());
            HealthResponse health = stubs.node().health(HealthRequest.getDefaultInstance());
            return List.of(new Node(info.getName(), info.getAddress(), health.getServing() ? "READY" : "DOWN", "agent",
                    info.getCpuMillis(), info.getMemoryBytes(), info.getLabelsMap()));
        });
    }

    @Override
    public List<EngineEvent> events(String nativeId, int limit) {
        Ref ref = ref(nativeId);
        return call(nativeId, () -> stubs.events(ref.namespace()).list(ListEventsRequest.newBuilder()
                        .setContainerId(ref.id()).setLimit(Math.max(1, limit)).build()).getEventsList().stream()
                .map(AgentWorkloadMapper::toEvent).toList());
    }

    @Override
    public Workload deploy(WorkloadDefinition definition) {
        String namespace = definition.namespace().isEmpty() ? DEFAULT_NAMESPACE : definition.namespace();
        Ref ref = new Ref(namespace, definition.name());
        ContainerSpec spec = AgentWorkloadMapper.toContainerSpec(definition.spec(), definition.kind());
        call(ref.nativeId(), () -> stubs.containers(namespace).create(CreateContainerRequest.newBuilder()
                .setId(definition.name()).putAllLabels(definition.labels()).setSpec(spec).build()));
        try {
            reconcile(ref, spec.getReplicas());
        } catch (EngineException startFailed) {
            // nothing half-deployed stays behind: the caller gets the reason (command not found, port taken...)
            deleteQuietly(ref);
            throw startFailed instanceof InvalidSpecException ? startFailed : AgentErrors.invalid(startFailed.getMessage());
        }
        return read(ref);
    }

    @Override
    public void update(String nativeId, WorkloadSpec spec) {
        Ref ref = ref(nativeId);
        Container current = container(ref);
        ContainerSpec wanted = AgentWorkloadMapper.toContainerSpec(spec, AgentWorkloadMapper.kind(current.getSpec()));
        Container updated = call(nativeId, () -> stubs.containers(ref.namespace()).update(UpdateContainerRequest
                .newBuilder().setId(ref.id()).putAllLabels(current.getLabelsMap()).setSpec(wanted)
                .setExpectedGeneration(current.getGeneration()).build()).getContainer());
        boolean processChanged = !current.getSpec().toBuilder().setReplicas(0).build()
                .equals(updated.getSpec().toBuilder().setReplicas(0).build());
        reconcile(ref, updated.getSpec().getReplicas());
        if (processChanged) {
            rollingRestart(ref, updated.getGeneration());
        }
    }

    @Override
    public void scale(String nativeId, int replicas) {
        if (replicas < 0) {
            throw InvalidSpecException.of("replicas", "must not be negative");
        }
        Ref ref = ref(nativeId);
        Container current = container(ref);
        if (current.getSpec().getReplicas() != replicas) {
            call(nativeId, () -> stubs.containers(ref.namespace()).update(UpdateContainerRequest.newBuilder()
                    .setId(ref.id()).putAllLabels(current.getLabelsMap())
                    .setSpec(current.getSpec().toBuilder().setReplicas(replicas))
                    .setExpectedGeneration(current.getGeneration()).build()));
        }
        reconcile(ref, replicas);
    }

    @Override
    public void restart(String nativeId) {
        Ref ref = ref(nativeId);
        container(ref);
        rollingRestart(ref, Long.MAX_VALUE);
    }

    @Override
    public void delete(String nativeId) {
        Ref ref = ref(nativeId);
        container(ref);
        for (Task task : tasksOf(ref)) {
            deleteTask(ref, task.getId());
        }
        call(nativeId, () -> stubs.containers(ref.namespace()).delete(DeleteContainerRequest.newBuilder()
                .setId(ref.id()).build()));
    }

    @Override
    public List<LogLine> logs(String nativeId, int tail) {
        Ref ref = ref(nativeId);
        container(ref);
        List<LogLine> lines = new ArrayList<>();
        for (Task task : tasksOf(ref)) {
            call(nativeId, () -> {
                Iterator<LogEntry> entries = stubs.tasks(ref.namespace()).logs(TaskLogsRequest.newBuilder()
                        .setTaskId(task.getId()).setTail(Math.max(0, tail)).build());
                entries.forEachRemaining(e -> lines.add(new LogLine(null, e.getTaskId(), e.getStream(), e.getLine())));
                return null;
            });
        }
        return lines;
    }

    /** Instance ids are task ids; the agent checks that the task is one of the workload's container. */
    @Override
    public ExecSession exec(String nativeId, String instanceId, ExecRequest request, ExecListener listener) {
        Ref ref = ref(nativeId);
        return AgentExec.start(stubs, connection.name(), nativeId, ref.namespace(), ref.id(), instanceId, request,
                listener);
    }

    /** From the agent's Tasks.Metrics: each running task's whole process tree, read from /proc. */
    @Override
    public List<InstanceUsage> usage(String nativeId) {
        Optional<Ref> parsed = parse(nativeId);
        if (parsed.isEmpty()) {
            return List.of();
        }
        Ref ref = parsed.get();
        List<String> running = tasksOf(ref).stream().filter(t -> t.getStatus() == TaskStatus.TASK_STATUS_RUNNING)
                .map(Task::getId).toList();
        if (running.isEmpty()) {
            // an empty request would mean every task of the namespace
            return List.of();
        }
        Instant at = Instant.now();
        return call(nativeId, () -> stubs.tasks(ref.namespace()).metrics(TaskMetricsRequest.newBuilder()
                        .addAllTaskIds(running).build()).getMetricsList().stream()
                .map(m -> new InstanceUsage(m.getTaskId(), m.getCpuSeconds(), m.getMemoryBytes(), at)).toList());
    }

    @Override
    public Subscription followLogs(String nativeId, int tail, LogSink sink) {
        Ref ref = ref(nativeId);
        container(ref);
        return new LogFollow(stubs, ref.namespace(), tasksOf(ref).stream().map(Task::getId).toList(), tail, sink);
    }

    @Override
    public Subscription watch(WatchListener listener) {
        EventWatch<Event> watch = AgentEvents.watch(stubs, this::changed, listener, connection.name(), watches::remove);
        watches.add(watch);
        return watch.start();
    }

    @Override
    public void close() {
        watches.forEach(EventWatch::close);
        watches.clear();
        stubs.close();
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

    /**
     * Only the container's labels change: its tasks go on (a relabel changes no spec, so no task is restarted).
     * Gantry's own labels ({@code gantry.io/...}, the pool's replica count among them) stay unless given.
     */
    @Override
    public void relabel(String nativeId, Map<String, String> labels) {
        Ref ref = ref(nativeId);
        Container current = container(ref);
        Map<String, String> wanted = new java.util.HashMap<>(labels);
        current.getLabelsMap().forEach((k, v) -> {
            if (k.startsWith("gantry.io/")) {
                wanted.putIfAbsent(k, v);
            }
        });
        writeLabels(ref, current, wanted);
    }

    AgentConfigs configs() {
        return configs;
    }

    /** Sets one label of a workload's container (the pool keeps its total replica count there). */
    void label(String nativeId, String key, String value) {
        Ref ref = ref(nativeId);
        Container current = container(ref);
        Map<String, String> wanted = new java.util.HashMap<>(current.getLabelsMap());
        wanted.put(key, value);
        writeLabels(ref, current, wanted);
    }

    private void writeLabels(Ref ref, Container current, Map<String, String> labels) {
        if (labels.equals(current.getLabelsMap())) {
            return;
        }
        call(ref.nativeId(), () -> stubs.containers(ref.namespace()).update(UpdateContainerRequest.newBuilder()
                .setId(ref.id()).putAllLabels(labels).setSpec(current.getSpec())
                .setExpectedGeneration(current.getGeneration()).build()));
    }

    /** The workload's current state after an event about it; empty when it is gone. */
    private Optional<Workload> changed(String namespace, String containerId) {
        return getWorkload(AgentWorkloadMapper.nativeId(namespace, containerId));
    }

    /** Creates and starts missing replicas, starts stopped ones, deletes extra ones. */
    private void reconcile(Ref ref, int replicas) {
        Map<String, Task> existing = tasksOf(ref).stream().collect(Collectors.toMap(Task::getId, t -> t));
        boolean job = "JOB".equals(container(ref).getSpec().getKind());
        for (int i = 0; i < replicas; i++) {
            String taskId = taskId(ref, i);
            Task task = existing.get(taskId);
            if (task == null) {
                call(ref.nativeId(), () -> stubs.tasks(ref.namespace()).create(CreateTaskRequest.newBuilder()
                        .setContainerId(ref.id()).setTaskId(taskId).build()));
                start(ref, taskId);
            } else if (task.getStatus() == TaskStatus.TASK_STATUS_CREATED
                    || (task.getStatus() == TaskStatus.TASK_STATUS_EXITED && !job)) {
                start(ref, taskId);
            }
        }
        for (Task task : existing.values()) {
            if (replicaIndex(ref, task.getId()) >= replicas) {
                deleteTask(ref, task.getId());
            }
        }
    }

    /** One task at a time: stop it, wait for it to end, start it again with the current spec. */
    private void rollingRestart(Ref ref, long olderThanGeneration) {
        for (Task task : tasksOf(ref)) {
            if (task.getSpecGeneration() >= olderThanGeneration && task.getStatus() == TaskStatus.TASK_STATUS_RUNNING) {
                continue;
            }
            call(ref.nativeId(), () -> stubs.tasks(ref.namespace()).kill(KillTaskRequest.newBuilder()
                    .setTaskId(task.getId()).build()));
            call(ref.nativeId(), () -> stubs.tasks(ref.namespace(), STOP_ALLOWANCE).wait(WaitTaskRequest.newBuilder()
                    .setTaskId(task.getId()).build()));
            start(ref, task.getId());
        }
    }

    private void start(Ref ref, String taskId) {
        try {
            stubs.tasks(ref.namespace()).start(StartTaskRequest.newBuilder().setTaskId(taskId).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION && e.getStatus().getDescription() != null
                    && e.getStatus().getDescription().endsWith("is already running")) {
                return;
            }
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                throw AgentErrors.invalid(e.getStatus().getDescription());
            }
            throw AgentErrors.map(e, connection.name(), ref.nativeId());
        }
    }

    private void deleteTask(Ref ref, String taskId) {
        try {
            stubs.tasks(ref.namespace(), STOP_ALLOWANCE).delete(DeleteTaskRequest.newBuilder().setTaskId(taskId).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw AgentErrors.map(e, connection.name(), ref.nativeId());
            }
        }
    }

    private void deleteQuietly(Ref ref) {
        try {
            delete(ref.nativeId());
        } catch (EngineException ignored) {
            // best effort: the deploy failure is what the caller must see
        }
    }

    private Workload read(Ref ref) {
        Container container = container(ref);
        return AgentWorkloadMapper.toWorkload(container, tasksOf(ref), nodeName());
    }

    private Container container(Ref ref) {
        return call(ref.nativeId(), () -> stubs.containers(ref.namespace()).get(GetContainerRequest.newBuilder()
                .setId(ref.id()).build()).getContainer());
    }

    private List<Task> tasksOf(Ref ref) {
        return call(ref.nativeId(), () -> stubs.tasks(ref.namespace()).list(ListTasksRequest.newBuilder()
                        .setContainerId(ref.id()).build()).getTasksList().stream()
                .sorted(Comparator.comparingInt(t -> replicaIndex(ref, t.getId()))).toList());
    }

    private String nodeName() {
        String name = nodeName;
        if (name == null) {
            name = call(null, () -> stubs.node().info(NodeInfoRequest.getDefaultInstance()).getName());
            nodeName = name;
        }
        return name;
    }

    private <T> T call(String nativeId, Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw AgentErrors.map(e, connection.name(), nativeId);
        }
    }

    private static String taskId(Ref ref, int index) {
        return ref.id() + "-" + index;
    }

    /** The replica index of one of this workload's tasks; MAX_VALUE for a task not named by this client. */
    private static int replicaIndex(Ref ref, String taskId) {
        String prefix = ref.id() + "-";
        if (taskId.startsWith(prefix)) {
            try {
                return Integer.parseInt(taskId.substring(prefix.length()));
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static Ref ref(String nativeId) {
        return parse(nativeId).orElseThrow(() -> new WorkloadNotFoundException(nativeId));
    }

    static Optional<Ref> parse(String nativeId) {
        int slash = nativeId == null ? -1 : nativeId.indexOf('/');
        if (slash < 1 || slash == nativeId.length() - 1 || nativeId.indexOf('/', slash + 1) >= 0) {
            return Optional.empty();
        }
        return Optional.of(new Ref(nativeId.substring(0, slash), nativeId.substring(slash + 1)));
    }
}
