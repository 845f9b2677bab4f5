package io.gantry.swarm;

import io.gantry.spi.json.Json;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.Node;
import io.gantry.spi.Phase;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The only class that sees both the Engine API's JSON (services, tasks, nodes: see the v1.41 spec in
 * {@code testdata/fixtures/swarm}) and Gantry's model.
 *
 * <p>Swarm keeps a history of tasks per slot (replicated) or per node (global). The current instance of
 * a slot is its newest task; a slot whose newest task was shut down on purpose (scale-down, update) is
 * no instance at all. Failures are judged per slot, so a crash-looping replica that is just being
 * restarted still counts as failed.
 */
final class SwarmWorkloadMapper {
    static final String STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";
    static final String PUBLISH_MODE_INGRESS = "ingress";
    static final String PUBLISH_MODE_HOST = "host";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    // The probes Gantry writes for HTTP and TCP checks: Swarm health checks only run commands.
    private static final String HTTP_PROBE = "wget -q -O /dev/null http://127.0.0.1:%d%s || exit 1";
    private static final String TCP_PROBE = "nc -w 2 127.0.0.1 %d </dev/null || exit 1";
    private static final Pattern HTTP_PROBE_READ =
            Pattern.compile("^wget -q -O /dev/null http://127\\.0\\.0\\.1:(\\d{1,5})(/\\S*) \\|\\| exit 1$");
    private static final Pattern TCP_PROBE_READ = Pattern.compile("^nc -w 2 127\\.0\\.0\\.1 (\\d{1,5}) </dev/null \\|\\| exit 1$");
    private static final Set<String> FAILED_STATES = Set.of("failed", "rejected", "orphaned");
    private static final Set<String> STOPPED_STATES = Set.of("shutdown", "remove");

    private final String publishMode;

    /** @param publishMode how new published ports are exposed: {@code ingress} (Swarm's default) or {@code host} */
    SwarmWorkloadMapper(String publishMode) {
        this.publishMode = publishMode;
    }

    /** What a task needs to know of the node it runs on. */
    record NodeRef(String hostname, String address) {
    }

    // ---------------------------------------------------------------- reading

    /** {@code GET /info}: only a swarm manager can list and change services. */
    EngineInfo engineInfo(JsonNode info) {
        String version = Json.text(info, "ServerVersion", "unknown");
        JsonNode swarm = info.path("Swarm");
        String state = Json.text(swarm, "LocalNodeState", "inactive");
        if (!"active".equals(state)) {
            return EngineInfo.degraded(version, "this Docker daemon is not part of a swarm (swarm state '" + state
                    + "'): run 'docker swarm init' or register a manager");
        }
        if (!swarm.path("ControlAvailable").asBoolean(false)) {
            return EngineInfo.degraded(version, "this Docker daemon is a swarm worker, not a swarm manager: services can"
                    + " only be read and changed through a manager node");
        }
        return EngineInfo.up(version);
    }

    String serviceId(JsonNode service) {
        return Json.text(service, "ID");
    }

    /** The stack the service belongs to ({@code docker stack deploy} labels it), or empty. */
    String namespace(JsonNode service) {
        return Json.text(service.path("Spec").path("Labels"), STACK_NAMESPACE_LABEL, "");
    }

    long versionIndex(JsonNode service) {
        return service.path("Version").path("Index").asLong(0);
    }

    Map<String, NodeRef> nodeIndex(JsonNode nodes) {
        Map<String, NodeRef> index = new HashMap<>();
        for (JsonNode node : nodes) {
            index.put(Json.text(node, "ID", ""), new NodeRef(Json.text(node.path("Description"), "Hostname"),
                    Json.text(node.path("Status"), "Addr")));
        }
        return index;
    }

    Node node(JsonNode node) {
        JsonNode resources = node.path("Description").path("Resources");
        Long nanoCpus = Json.longValue(resources, "NanoCPUs");
        return new Node(Json.text(node.path("Description"), "Hostname", Json.text(node, "ID")),
                Json.text(node.path("Status"), "Addr"), nodeStatus(node),
                Json.text(node.path("Spec"), "Role", "worker"),
                nanoCpus == null ? null : Quantities.nanoCpusToMillis(nanoCpus),
                Json.longValue(resources, "MemoryBytes"), Json.stringMap(node.path("Spec").path("Labels")));
    }

    private static String nodeStatus(JsonNode node) {
        String state = Json.text(node.path("Status"), "State", "unknown");
        String availability = Json.text(node.path("Spec"), "Availability", "active");
        return switch (state) {
            case "ready" -> "drain".equals(availability) ? "DRAINING" : "READY";
            case "down", "disconnected" -> "DOWN";
            default -> "UNKNOWN";
        };
    }

    /**
     * @param service a {@code GET /services} element (with {@code ServiceStatus} when listed with {@code status=true})
     * @param tasks   every task of this service, history included
     * @param nodes   node id to node, for instance names and addresses
     */
    Workload workload(JsonNode service, List<JsonNode> tasks, Map<String, NodeRef> nodes) {
        JsonNode spec = service.path("Spec");
        JsonNode mode = spec.path("Mode");
        WorkloadKind kind = kindOf(mode);
        Map<String, String> labels = Json.stringMap(spec.path("Labels"));
        String namespace = namespace(service);
        String fullName = Json.text(spec, "Name", serviceId(service));
        String name = !namespace.isEmpty() && fullName.startsWith(namespace + "_")
                ? fullName.substring(namespace.length() + 1) : fullName;

        WorkloadSpec workloadSpec = spec(service);
        List<Slot> slots = slots(mode, tasks);
        List<Instance> instances = new ArrayList<>();
        for (Slot slot : slots) {
            instances.add(instance(slot.current(), service, nodes));
        }
        return new Workload(serviceId(service), namespace, name, kind, labels, workloadSpec,
                status(service, kind, workloadSpec, slots, tasks), instances, Json.instant(service, "CreatedAt"),
                redacted(service));
    }

    WorkloadSpec spec(JsonNode service) {
        JsonNode spec = service.path("Spec");
        JsonNode container = spec.path("TaskTemplate").path("ContainerSpec");
        JsonNode limits = spec.path("TaskTemplate").path("Resources").path("Limits");
        Long nanoCpus = Json.longValue(limits, "NanoCPUs");
        Long memory = Json.longValue(limits, "MemoryBytes");
        Resources resources = new Resources(nanoCpus == null || nanoCpus == 0 ? null : Quantities.nanoCpusToMillis(nanoCpus),
                memory == null || memory == 0 ? null : memory);
        return new WorkloadSpec(ImageReference.withoutDigest(Json.text(container, "Image")),
                Json.strings(container.path("Command")), Json.strings(container.path("Args")),
                env(container.path("Env")), ports(service), resources, replicasOf(spec.path("Mode")),
                healthCheck(container.path("Healthcheck")),
                Json.strings(spec.path("TaskTemplate").path("Placement").path("Constraints")), null);
    }

    private static WorkloadKind kindOf(JsonNode mode) {
        if (mode.has("Global")) {
            return WorkloadKind.DAEMON;
        }
        if (mode.has("ReplicatedJob") || mode.has("GlobalJob")) {
            return WorkloadKind.JOB;
        }
        return WorkloadKind.SERVICE;
    }

    private static Integer replicasOf(JsonNode mode) {
        if (mode.has("Replicated")) {
            // Go's *uint64 left nil means one replica (daemon/cluster/convert/service.go)
            return mode.path("Replicated").path("Replicas").asInt(1);
        }
        if (mode.has("ReplicatedJob")) {
            JsonNode job = mode.path("ReplicatedJob");
            return job.path("TotalCompletions").asInt(job.path("MaxConcurrent").asInt(1));
        }
        return null;
    }

    private static Map<String, String> env(JsonNode env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : Json.strings(env)) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                out.put(entry, "");
            } else {
                out.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return out;
    }

    /** Ports as asked, with the port Swarm assigned where none was asked ({@code Endpoint.Ports}). */
    private static List<PortMapping> ports(JsonNode service) {
        JsonNode asked = service.path("Spec").path("EndpointSpec").path("Ports");
        JsonNode actual = service.path("Endpoint").path("Ports");
        List<PortMapping> out = new ArrayList<>();
        for (JsonNode port : asked) {
            int target = port.path("TargetPort").asInt(0);
            String protocol = Json.text(port, "Protocol", "tcp");
            Integer published = positive(port.path("PublishedPort").asInt(0));
            if (published == null) {
                for (JsonNode assigned : actual) {
                    if (assigned.path("TargetPort").asInt(0) == target
                            && protocol.equals(Json.text(assigned, "Protocol", "tcp"))) {
                        published = positive(assigned.path("PublishedPort").asInt(0));
                    }
                }
            }
            out.add(new PortMapping(target, published, protocol));
        }
        return out;
    }

    private static Integer positive(int value) {
        return value > 0 ? value : null;
    }

    private static HealthCheck healthCheck(JsonNode healthcheck) {
        List<String> test = Json.strings(healthcheck.path("Test"));
        if (test.isEmpty() || "NONE".equals(test.get(0))) {
            return null;
        }
        Integer interval = seconds(healthcheck.path("Interval").asLong(0));
        Integer timeout = seconds(healthcheck.path("Timeout").asLong(0));
        if ("CMD-SHELL".equals(test.get(0))) {
            String shell = String.join(" ", test.subList(1, test.size()));
            Matcher http = HTTP_PROBE_READ.matcher(shell);
            if (http.matches()) {
                return new HealthCheck(HealthCheck.Type.HTTP, http.group(2), Integer.parseInt(http.group(1)), null,
                        interval, timeout);
            }
            Matcher tcp = TCP_PROBE_READ.matcher(shell);
            if (tcp.matches()) {
                return new HealthCheck(HealthCheck.Type.TCP, null, Integer.parseInt(tcp.group(1)), null, interval, timeout);
            }
            return new HealthCheck(HealthCheck.Type.COMMAND, null, null, List.of("/bin/sh", "-c", shell), interval, timeout);
        }
        List<String> command = "CMD".equals(test.get(0)) ? test.subList(1, test.size()) : test;
        return new HealthCheck(HealthCheck.Type.COMMAND, null, null, command, interval, timeout);
    }

    private static Integer seconds(long nanos) {
        return nanos <= 0 ? null : (int) Math.max(1, Math.round(nanos / (double) NANOS_PER_SECOND));
    }

    /** One scheduling slot: its newest task and what its history says. */
    private record Slot(JsonNode current, JsonNode lastFailure, boolean started) {
    }

    private static List<Slot> slots(JsonNode mode, List<JsonNode> tasks) {
        boolean perNode = mode.has("Global") || mode.has("GlobalJob");
        Map<String, List<JsonNode>> bySlot = new TreeMap<>();
        for (JsonNode task : tasks) {
            long slot = task.path("Slot").asLong(0);
            String node = Json.text(task, "NodeID");
            String key = !perNode && slot > 0 ? String.format("%08d", slot)
                    : perNode && node != null ? "node:" + node : "task:" + Json.text(task, "ID", "");
            bySlot.computeIfAbsent(key, k -> new ArrayList<>()).add(task);
        }
        List<Slot> slots = new ArrayList<>();
        for (List<JsonNode> history : bySlot.values()) {
            history.sort(NEWEST_FIRST);
            JsonNode current = history.get(0);
            if (STOPPED_STATES.contains(state(current)) && STOPPED_STATES.contains(desiredState(current))) {
                continue;
            }
            JsonNode lastFailure = null;
            if (!"running".equals(state(current))) {
                lastFailure = history.stream().filter(t -> FAILED_STATES.contains(state(t))).findFirst().orElse(null);
            }
            boolean started = history.stream().anyMatch(SwarmWorkloadMapper::everStarted);
            slots.add(new Slot(current, lastFailure, started));
        }
        return slots;
    }

    private static final Comparator<JsonNode> NEWEST_FIRST = Comparator
            .comparing((JsonNode t) -> Objects.requireNonNullElse(Json.instant(t, "CreatedAt"), Instant.EPOCH))
            .thenComparingLong(t -> t.path("Version").path("Index").asLong(0))
            .reversed();

    private static boolean everStarted(JsonNode task) {
        return switch (state(task)) {
            case "running", "complete" -> true;
            default -> Json.text(task.path("Status").path("ContainerStatus"), "ContainerID") != null
                    && !"rejected".equals(state(task));
        };
    }

    private static String state(JsonNode task) {
        return Json.text(task.path("Status"), "State", "unknown");
    }

    private static String desiredState(JsonNode task) {
        return Json.text(task, "DesiredState", "unknown");
    }

    private WorkloadStatus status(JsonNode service, WorkloadKind kind, WorkloadSpec spec, List<Slot> slots,
                                  List<JsonNode> tasks) {
        JsonNode mode = service.path("Spec").path("Mode");
        JsonNode serviceStatus = service.path("ServiceStatus");
        int running = (int) slots.stream().filter(s -> "running".equals(state(s.current()))).count();
        int failed = (int) slots.stream().filter(s -> s.lastFailure() != null).count();
        int started = (int) slots.stream().filter(Slot::started).count();
        boolean completed = kind == WorkloadKind.JOB && jobCompleted(mode, slots, tasks);

        int desired;
        if (mode.has("Replicated")) {
            desired = spec.replicas();
        } else if (serviceStatus.has("DesiredTasks")) {
            desired = serviceStatus.path("DesiredTasks").asInt(0);
        } else {
            // without ?status=true (GET /services/{id}) Swarm's own count is missing: count the live slots
            desired = (int) slots.stream().filter(s -> !STOPPED_STATES.contains(desiredState(s.current()))
                    && !"complete".equals(state(s.current()))).count();
        }

        JsonNode update = service.path("UpdateStatus");
        String updateState = Json.text(update, "State", "");
        boolean rolloutInProgress = updateState.equals("updating") || updateState.equals("rollback_started");
        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, running, spec.healthCheck() != null,
                rolloutInProgress, failed, started, completed);
        Phase phase = PhaseRule.phase(facts);
        // A paused rollout needs an operator even when every replica runs (on the old spec): say so.
        boolean paused = updateState.equals("paused") || updateState.equals("rollback_paused");
        String message = (phase == Phase.RUNNING || phase == Phase.STOPPED) && !paused ? "" : message(update, updateState, slots);
        return PhaseRule.status(facts, message, since(service, slots));
    }

    private static boolean jobCompleted(JsonNode mode, List<Slot> slots, List<JsonNode> tasks) {
        if (slots.isEmpty() || !slots.stream().allMatch(s -> "complete".equals(state(s.current())))) {
            return false;
        }
        if (mode.has("ReplicatedJob")) {
            long done = tasks.stream().filter(t -> "complete".equals(state(t))).count();
            Integer total = replicasOf(mode);
            return done >= (total == null ? 1 : total);
        }
        return true;
    }

    /** Why the service is not RUNNING: a paused or rolled-back update first, then the newest task error. */
    private static String message(JsonNode update, String updateState, List<Slot> slots) {
        String updateMessage = Json.text(update, "Message", "no message from Swarm");
        switch (updateState) {
            case "paused" -> {
                return "update paused: " + updateMessage;
            }
            case "rollback_paused" -> {
                return "rollback paused: " + updateMessage;
            }
            case "rollback_started" -> {
                return "rolling back: " + updateMessage;
            }
            case "updating" -> {
                return "updating: " + updateMessage;
            }
            default -> {
            }
        }
        JsonNode newestFailure = slots.stream().map(Slot::lastFailure).filter(Objects::nonNull)
                .min(NEWEST_FIRST).orElse(null);
        if (newestFailure != null) {
            return taskReason(newestFailure);
        }
        return slots.stream().map(Slot::current).filter(t -> !"running".equals(state(t)))
                .min(NEWEST_FIRST).map(SwarmWorkloadMapper::taskReason).orElse("");
    }

    /** A task's error, else its state message ({@code pending task scheduling}, {@code finished}). */
    private static String taskReason(JsonNode task) {
        JsonNode status = task.path("Status");
        String err = Json.text(status, "Err");
        return err != null ? err : Json.text(status, "Message", state(task));
    }

    private static Instant since(JsonNode service, List<Slot> slots) {
        return slots.stream().map(s -> Json.instant(s.current().path("Status"), "Timestamp")).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(Json.instant(service, "UpdatedAt"));
    }

    private static Instance instance(JsonNode task, JsonNode service, Map<String, NodeRef> nodes) {
        JsonNode status = task.path("Status");
        String state = state(task);
        InstanceState instanceState = switch (state) {
            case "new", "allocated", "pending", "assigned" -> InstanceState.PENDING;
            case "accepted", "preparing", "ready", "starting" -> InstanceState.STARTING;
            case "running" -> InstanceState.RUNNING;
            case "failed", "rejected", "orphaned" -> InstanceState.FAILED;
            default -> InstanceState.EXITED;
        };
        String nodeId = Json.text(task, "NodeID");
        NodeRef node = nodeId == null ? null : nodes.get(nodeId);
        String nodeName = node != null && node.hostname() != null ? node.hostname() : nodeId;
        JsonNode container = status.path("ContainerStatus");
        boolean ended = instanceState == InstanceState.EXITED || instanceState == InstanceState.FAILED;
        Integer exitCode = ended && Json.text(container, "ContainerID") != null
                ? container.path("ExitCode").asInt(0) : null;
        boolean isRunning = instanceState == InstanceState.RUNNING;
        String message = isRunning ? "" : taskReason(task);
        return new Instance(Json.text(task, "ID"), nodeName, instanceState,
                isRunning ? Json.instant(status, "Timestamp") : null,
                isRunning ? address(task, service, node) : null, exitCode, message);
    }

    /** Host-mode ports are on the task's node; ingress ports answer on every node, so on this one too. */
    private static String address(JsonNode task, JsonNode service, NodeRef node) {
        if (node == null || node.address() == null) {
            return null;
        }
        for (JsonNode port : task.path("Status").path("PortStatus").path("Ports")) {
            if (port.path("PublishedPort").asInt(0) > 0) {
                return node.address() + ":" + port.path("PublishedPort").asInt();
            }
        }
        for (JsonNode port : service.path("Endpoint").path("Ports")) {
            if (port.path("PublishedPort").asInt(0) > 0
                    && !PUBLISH_MODE_HOST.equals(Json.text(port, "PublishMode", PUBLISH_MODE_INGRESS))) {
                return node.address() + ":" + port.path("PublishedPort").asInt();
            }
        }
        return null;
    }

    /** Registry credentials never leave the adapter, should a daemon ever return them. */
    private static String redacted(JsonNode service) {
        JsonNode copy = service.deepCopy();
        redact(copy);
        return copy.toString();
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String field : List.copyOf(object.propertyNames())) {
                if (field.equalsIgnoreCase("RegistryAuth") || field.equalsIgnoreCase("PullOptions")) {
                    object.put(field, "<redacted>");
                } else {
                    redact(object.get(field));
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(SwarmWorkloadMapper::redact);
        }
    }

    /** The service's task history, newest first: task transitions, failures and rollout steps. */
    List<EngineEvent> events(JsonNode service, List<JsonNode> tasks, Map<String, NodeRef> nodes, int limit) {
        String serviceId = serviceId(service);
        List<EngineEvent> events = new ArrayList<>();
        for (JsonNode task : tasks) {
            JsonNode status = task.path("Status");
            Instant time = Json.instant(status, "Timestamp");
            String state = state(task);
            String nodeId = Json.text(task, "NodeID");
            NodeRef node = nodeId == null ? null : nodes.get(nodeId);
            StringBuilder text = new StringBuilder("task ").append(Json.text(task, "ID", "?"));
            if (task.path("Slot").asInt(0) > 0) {
                text.append(" (slot ").append(task.path("Slot").asInt()).append(')');
            }
            if (nodeId != null) {
                text.append(" on ").append(node != null && node.hostname() != null ? node.hostname() : nodeId);
            }
            text.append(": ").append(state);
            String detail = taskReason(task);
            if (!detail.equals(state)) {
                text.append(", ").append(detail);
            }
            boolean ended = Set.of("complete", "failed", "shutdown").contains(state);
            if (ended && Json.text(status.path("ContainerStatus"), "ContainerID") != null) {
                text.append(" (exit code ").append(status.path("ContainerStatus").path("ExitCode").asInt(0)).append(')');
            }
            events.add(new EngineEvent(time != null ? time : Json.instant(task, "UpdatedAt"), serviceId,
                    FAILED_STATES.contains(state) ? EngineEvent.WARNING : EngineEvent.NORMAL, "Task" + camel(state),
                    text.toString()));
        }
        JsonNode update = service.path("UpdateStatus");
        String updateState = Json.text(update, "State");
        if (updateState != null) {
            Instant time = Objects.requireNonNullElse(Json.instant(update, "CompletedAt"), Json.instant(update, "StartedAt"));
            boolean warning = updateState.contains("paused") || updateState.startsWith("rollback");
            events.add(new EngineEvent(time, serviceId, warning ? EngineEvent.WARNING : EngineEvent.NORMAL,
                    "Update" + camel(updateState), Json.text(update, "Message", updateState)));
        }
        events.add(new EngineEvent(Json.instant(service, "CreatedAt"), serviceId, EngineEvent.NORMAL, "ServiceCreated",
                "service " + Json.text(service.path("Spec"), "Name", serviceId) + " created"));
        events.removeIf(e -> e.time() == null);
        events.sort(Comparator.comparing(EngineEvent::time).reversed());
        return events.size() > limit ? List.copyOf(events.subList(0, Math.max(0, limit))) : events;
    }

    private static String camel(String state) {
        StringBuilder out = new StringBuilder();
        for (String part : state.split("_")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- writing

    /** The service's full name on the engine: Swarm stacks prefix their services with the stack name. */
    static String serviceName(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "_" + name;
    }

    /**
     * A ServiceSpec for {@code POST /services/create}.
     *
     * @throws InvalidSpecException listing every field Swarm would refuse or could not run
     */
    ObjectNode serviceSpec(WorkloadDefinition definition) {
        SwarmSpecRules.check(definition);
        String fullName = serviceName(definition.namespace(), definition.name());

        ObjectNode spec = DockerApi.JSON.createObjectNode();
        spec.put("Name", fullName);
        ObjectNode labels = spec.putObject("Labels");
        definition.labels().forEach(labels::put);
        ObjectNode task = spec.putObject("TaskTemplate");
        ObjectNode container = task.putObject("ContainerSpec");
        if (!definition.namespace().isEmpty()) {
            // what `docker stack deploy` sets, so the CLI lists the service under its stack too
            labels.put(STACK_NAMESPACE_LABEL, definition.namespace());
            container.putObject("Labels").put(STACK_NAMESPACE_LABEL, definition.namespace());
        }
        ObjectNode mode = spec.putObject("Mode");
        Integer replicas = definition.spec().replicas();
        switch (definition.kind()) {
            case DAEMON -> mode.putObject("Global");
            case JOB -> {
                mode.putObject("ReplicatedJob").put("MaxConcurrent", replicas == null ? 1 : replicas)
                        .put("TotalCompletions", replicas == null ? 1 : replicas);
                // a job's task that exits 0 must not be restarted; a failed one is retried (docker CLI default)
                task.putObject("RestartPolicy").put("Condition", "on-failure");
            }
            default -> mode.putObject("Replicated").put("Replicas", replicas == null ? 1 : replicas);
        }
        writeSpec(spec, definition.spec(), null);
        return spec;
    }

    /**
     * Writes the model's fields into an existing ServiceSpec, keeping every field the model does not know
     * (networks, mounts, secrets, update policy, publish modes) and every value that only differs in
     * notation (an image pinned by digest, env order), so that an unchanged spec starts no rolling update.
     *
     * @throws InvalidSpecException when the spec cannot apply to this service
     */
    void updateSpec(ObjectNode serviceSpec, WorkloadSpec spec) {
        JsonNode mode = serviceSpec.path("Mode");
        WorkloadKind kind = kindOf(mode);
        SwarmSpecRules.check(spec, kind);
        if (spec.replicas() != null) {
            setReplicas(serviceSpec, spec.replicas());
        }
        ObjectNode previous = serviceSpec.deepCopy();
        writeSpec(serviceSpec, spec, previous);
    }

    /** @throws InvalidSpecException for services without a replica count (global services, jobs) */
    void setReplicas(ObjectNode serviceSpec, int replicas) {
        if (replicas < 0) {
            throw InvalidSpecException.of("spec.replicas", "must be 0 or more");
        }
        JsonNode mode = serviceSpec.path("Mode");
        if (mode.path("Replicated") instanceof ObjectNode replicated) {
            replicated.put("Replicas", replicas);
        } else if (mode.has("Global") || mode.has("GlobalJob")) {
            throw InvalidSpecException.of("spec.replicas",
                    "a global Swarm service runs one task per eligible node and has no replica count");
        } else if (mode.path("ReplicatedJob") instanceof ObjectNode job) {
            job.put("TotalCompletions", replicas);
            if (job.path("MaxConcurrent").asInt(1) > replicas) {
                job.put("MaxConcurrent", Math.max(replicas, 1));
            }
        }
    }

    /** Swarm replaces every task when ForceUpdate changes, even if nothing else did (a rolling restart). */
    void forceRestart(ObjectNode serviceSpec) {
        ObjectNode task = objectAt(serviceSpec, "TaskTemplate");
        task.put("ForceUpdate", task.path("ForceUpdate").asLong(0) + 1);
    }

    private void writeSpec(ObjectNode serviceSpec, WorkloadSpec spec, JsonNode previous) {
        ObjectNode task = objectAt(serviceSpec, "TaskTemplate");
        ObjectNode container = objectAt(task, "ContainerSpec");
        String oldImage = Json.text(container, "Image");
        if (oldImage == null || !Objects.equals(ImageReference.withoutDigest(oldImage), spec.image())) {
            container.put("Image", spec.image());
        }
        putStrings(container, "Command", spec.command());
        putStrings(container, "Args", spec.args());
        if (!env(container.path("Env")).equals(spec.env())) {
            List<String> env = new ArrayList<>();
            spec.env().forEach((k, v) -> env.add(k + "=" + v));
            putStrings(container, "Env", env);
        }
        writeHealthCheck(container, spec.healthCheck());

        ObjectNode limits = objectAt(objectAt(task, "Resources"), "Limits");
        if (spec.resources().cpuMillis() != null) {
            limits.put("NanoCPUs", Quantities.millisToNanoCpus(spec.resources().cpuMillis()));
        } else {
            limits.remove("NanoCPUs");
        }
        if (spec.resources().memoryBytes() != null) {
            limits.put("MemoryBytes", spec.resources().memoryBytes());
        } else {
            limits.remove("MemoryBytes");
        }
        putStrings(objectAt(task, "Placement"), "Constraints", spec.constraints());
        writePorts(serviceSpec, spec.ports(), previous);
    }

    private void writePorts(ObjectNode serviceSpec, List<PortMapping> ports, JsonNode previous) {
        JsonNode oldPorts = previous == null ? DockerApi.JSON.createArrayNode()
                : previous.path("EndpointSpec").path("Ports");
        if (previous != null && ports.equals(portsAsAsked(oldPorts))) {
            return;
        }
        if (ports.isEmpty()) {
            if (serviceSpec.path("EndpointSpec") instanceof ObjectNode endpoint) {
                endpoint.remove("Ports");
            }
            return;
        }
        ObjectNode endpoint = objectAt(serviceSpec, "EndpointSpec");
        ArrayNode out = endpoint.putArray("Ports");
        for (PortMapping port : ports) {
            String mode = publishMode;
            for (JsonNode old : oldPorts) {
                if (old.path("TargetPort").asInt(0) == port.containerPort()
                        && port.protocol().equals(Json.text(old, "Protocol", "tcp"))) {
                    mode = Json.text(old, "PublishMode", PUBLISH_MODE_INGRESS);
                }
            }
            ObjectNode p = out.addObject().put("Protocol", port.protocol()).put("TargetPort", port.containerPort())
                    .put("PublishMode", mode);
            if (port.publishedPort() != null) {
                p.put("PublishedPort", port.publishedPort());
            }
        }
    }

    private static List<PortMapping> portsAsAsked(JsonNode ports) {
        List<PortMapping> out = new ArrayList<>();
        for (JsonNode port : ports) {
            out.add(new PortMapping(port.path("TargetPort").asInt(0), positive(port.path("PublishedPort").asInt(0)),
                    Json.text(port, "Protocol", "tcp")));
        }
        return out;
    }

    private static void writeHealthCheck(ObjectNode container, HealthCheck check) {
        JsonNode old = container.path("Healthcheck");
        if (Objects.equals(healthCheck(old), check)) {
            return;
        }
        if (check == null) {
            container.remove("Healthcheck");
            return;
        }
        ObjectNode out = container.putObject("Healthcheck");
        ArrayNode test = out.putArray("Test");
        switch (check.type()) {
            case HTTP -> test.add("CMD-SHELL").add(String.format(Locale.ROOT, HTTP_PROBE, check.port(),
                    check.path() == null || check.path().isEmpty() ? "/" : check.path()));
            case TCP -> test.add("CMD-SHELL").add(String.format(Locale.ROOT, TCP_PROBE, check.port()));
            case COMMAND -> {
                List<String> command = check.command();
                if (command.size() == 3 && (command.get(0).equals("/bin/sh") || command.get(0).equals("sh"))
                        && command.get(1).equals("-c")) {
                    test.add("CMD-SHELL").add(command.get(2));
                } else {
                    test.add("CMD");
                    command.forEach(test::add);
                }
            }
            default -> throw new IllegalStateException("unknown health check type " + check.type());
        }
        if (check.intervalSeconds() != null) {
            out.put("Interval", check.intervalSeconds() * NANOS_PER_SECOND);
        }
        if (check.timeoutSeconds() != null) {
            out.put("Timeout", check.timeoutSeconds() * NANOS_PER_SECOND);
        }
    }

    private static ObjectNode objectAt(ObjectNode parent, String field) {
        return parent.path(field) instanceof ObjectNode existing ? existing : parent.putObject(field);
    }

    private static void putStrings(ObjectNode parent, String field, List<String> values) {
        if (values.isEmpty()) {
            parent.remove(field);
        } else {
            ArrayNode array = parent.putArray(field);
            values.forEach(array::add);
        }
    }
}
