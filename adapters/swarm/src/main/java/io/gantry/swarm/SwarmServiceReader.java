package io.gantry.swarm;

import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Node;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the Engine API's JSON (services, tasks, nodes: see the v1.41 spec in {@code testdata/fixtures/swarm})
 * into the model; {@link SwarmStatusRules} judges a service's status from its task history.
 */
final class SwarmServiceReader {
    static final String STACK_NAMESPACE_LABEL = "com.docker.stack.namespace";

    private SwarmServiceReader() {
    }

    /** What a task needs to know of the node it runs on. */
    record NodeRef(String hostname, String address) {
    }

    /** {@code GET /info}: only a swarm manager can list and change services. */
    static EngineInfo engineInfo(JsonNode info) {
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

    static String serviceId(JsonNode service) {
        return Json.text(service, "ID");
    }

    /** The stack the service belongs to ({@code docker stack deploy} labels it), or empty. */
    static String namespace(JsonNode service) {
        return Json.text(service.path("Spec").path("Labels"), STACK_NAMESPACE_LABEL, "");
    }

    static long versionIndex(JsonNode service) {
        return service.path("Version").path("Index").asLong(0);
    }

    static Map<String, NodeRef> nodeIndex(JsonNode nodes) {
        Map<String, NodeRef> index = new HashMap<>();
        for (JsonNode node : nodes) {
            index.put(Json.text(node, "ID", ""), new NodeRef(Json.text(node.path("Description"), "Hostname"),
                    Json.text(node.path("Status"), "Addr")));
        }
        return index;
    }

    static Node node(JsonNode node) {
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
    static Workload workload(JsonNode service, List<JsonNode> tasks, Map<String, NodeRef> nodes) {
        return workload(service, tasks, nodes, SwarmConfigIndex.EMPTY);
    }

    /** As {@link #workload(JsonNode, List, Map)}, with the engine's secrets and configs naming what the spec references. */
    static Workload workload(JsonNode service, List<JsonNode> tasks, Map<String, NodeRef> nodes, SwarmConfigIndex configs) {
        JsonNode spec = service.path("Spec");
        JsonNode mode = spec.path("Mode");
        WorkloadKind kind = kindOf(mode);
        Map<String, String> labels = Json.stringMap(spec.path("Labels"));
        String namespace = namespace(service);
        String fullName = Json.text(spec, "Name", serviceId(service));
        String name = !namespace.isEmpty() && fullName.startsWith(namespace + "_")
                ? fullName.substring(namespace.length() + 1) : fullName;

        WorkloadSpec workloadSpec = spec(service, configs);
        List<SwarmStatusRules.Slot> slots = SwarmStatusRules.slots(mode, tasks);
        List<Instance> instances = new ArrayList<>();
        for (SwarmStatusRules.Slot slot : slots) {
            instances.add(instance(slot, service, nodes));
        }
        return new Workload(serviceId(service), namespace, name, kind, labels, workloadSpec,
                SwarmStatusRules.status(service, kind, workloadSpec, slots, instances, tasks), instances, Json.instant(service, "CreatedAt"),
                redacted(service));
    }

    /** @param configs the engine's secrets and configs, which name the objects the spec references */
    static WorkloadSpec spec(JsonNode service, SwarmConfigIndex configs) {
        return spec(service, service.path("Spec"), configs);
    }

    /**
     * {@code spec}, the service's {@code Spec} or {@code PreviousSpec}, as the model; ports Swarm assigned are
     * read from the service's {@code Endpoint}, which belongs to its current {@code Spec}: Swarm keeps no
     * endpoint for a {@code PreviousSpec}, and this is the nearest it gives.
     */
    static WorkloadSpec spec(JsonNode service, JsonNode spec, SwarmConfigIndex configs) {
        JsonNode container = spec.path("TaskTemplate").path("ContainerSpec");
        JsonNode limits = spec.path("TaskTemplate").path("Resources").path("Limits");
        Long nanoCpus = Json.longValue(limits, "NanoCPUs");
        Long memory = Json.longValue(limits, "MemoryBytes");
        Resources resources = new Resources(nanoCpus == null || nanoCpus == 0 ? null : Quantities.nanoCpusToMillis(nanoCpus),
                memory == null || memory == 0 ? null : memory);
        return new WorkloadSpec(ImageReference.withoutDigest(Json.text(container, "Image")),
                Json.strings(container.path("Command")), Json.strings(container.path("Args")),
                env(container.path("Env")), ports(spec, service.path("Endpoint")), resources, replicasOf(spec.path("Mode")),
                SwarmHealthChecks.read(container.path("Healthcheck")),
                Json.strings(spec.path("TaskTemplate").path("Placement").path("Constraints")), null,
                SwarmSecretRefs.read(container, configs));
    }

    static WorkloadKind kindOf(JsonNode mode) {
        if (mode.has("Global")) {
            return WorkloadKind.DAEMON;
        }
        if (mode.has("ReplicatedJob") || mode.has("GlobalJob")) {
            return WorkloadKind.JOB;
        }
        return WorkloadKind.SERVICE;
    }

    static Integer replicasOf(JsonNode mode) {
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

    static Map<String, String> env(JsonNode env) {
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
    private static List<PortMapping> ports(JsonNode spec, JsonNode endpoint) {
        JsonNode asked = spec.path("EndpointSpec").path("Ports");
        JsonNode actual = endpoint.path("Ports");
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

    static Integer positive(int value) {
        return value > 0 ? value : null;
    }

    private static Instance instance(SwarmStatusRules.Slot slot, JsonNode service, Map<String, NodeRef> nodes) {
        JsonNode task = slot.current();
        JsonNode status = task.path("Status");
        String state = SwarmStatusRules.state(task);
        InstanceState instanceState = SwarmStatusRules.instanceState(state);
        String nodeId = Json.text(task, "NodeID");
        NodeRef node = nodeId == null ? null : nodes.get(nodeId);
        String nodeName = node != null && node.hostname() != null ? node.hostname() : nodeId;
        JsonNode container = status.path("ContainerStatus");
        boolean ended = instanceState == InstanceState.EXITED || instanceState == InstanceState.FAILED;
        Integer exitCode = ended && Json.text(container, "ContainerID") != null
                ? container.path("ExitCode").asInt(0) : null;
        boolean isRunning = instanceState == InstanceState.RUNNING;
        SwarmStatusRules.Problem problem = SwarmStatusRules.problem(slot);
        return new Instance(Json.text(task, "ID"), nodeName, instanceState,
                isRunning ? Json.instant(status, "Timestamp") : null,
                isRunning ? address(task, service, node) : null, exitCode, problem.message(), problem.reason());
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
                    && !SwarmServiceWriter.PUBLISH_MODE_HOST.equals(Json.text(port, "PublishMode", SwarmServiceWriter.PUBLISH_MODE_INGRESS))) {
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
            array.forEach(SwarmServiceReader::redact);
        }
    }

    /** The service's task history, newest first: task transitions, failures and rollout steps. */
    static List<EngineEvent> events(JsonNode service, List<JsonNode> tasks, Map<String, NodeRef> nodes, int limit) {
        String serviceId = serviceId(service);
        List<EngineEvent> events = new ArrayList<>();
        for (JsonNode task : tasks) {
            JsonNode status = task.path("Status");
            Instant time = Json.instant(status, "Timestamp");
            String state = SwarmStatusRules.state(task);
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
            String detail = SwarmStatusRules.taskReason(task);
            if (!detail.equals(state)) {
                text.append(", ").append(detail);
            }
            boolean ended = Set.of("complete", "failed", "shutdown").contains(state);
            if (ended && Json.text(status.path("ContainerStatus"), "ContainerID") != null) {
                text.append(" (exit code ").append(status.path("ContainerStatus").path("ExitCode").asInt(0)).append(')');
            }
            events.add(new EngineEvent(time != null ? time : Json.instant(task, "UpdatedAt"), serviceId,
                    SwarmStatusRules.FAILED_STATES.contains(state) ? EngineEvent.WARNING : EngineEvent.NORMAL, "Task" + camel(state),
                    text.toString()));
        }
        JsonNode update = service.path("UpdateStatus");
        String updateState = Json.text(update, "State");
        if (updateState != null) {
            Instant time = Objects.requireNonNullElse(Json.instant(update, "CompletedAt"), Json.instant(update, "StartedAt"));
            boolean warning = updateState.contains("paused")
                    || updateState.startsWith("rollback") && !SwarmUpdateVerdict.rollbackRequested(service);
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
}
