package io.gantry.marathon;

import io.gantry.spi.json.Json;
import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.bool;
import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.intOr;
import static io.gantry.spi.json.Json.integer;
import static io.gantry.spi.json.Json.doubleValue;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.present;
import static io.gantry.spi.json.Json.strings;
import static io.gantry.spi.json.Json.text;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.Node;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.Phase;
import io.gantry.spi.WorkloadStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The only class that sees both Marathon's JSON (REST API v2, as the RAML in
 * {@code docs/docs/rest-api/public/api} describes it) and Gantry's model. Stateless.
 *
 * <p>Identity: an app id path {@code /prod/shop/web} is the native id; its group {@code prod/shop}
 * (no leading slash, empty for the root group) is the namespace and {@code web} the name.
 */
final class MarathonWorkloadMapper {
    /** Embeds of {@code GET /v2/apps} that give everything the model needs in one call. */
    static final String APP_EMBEDS =
            "embed=apps.tasks&embed=apps.counts&embed=apps.deployments&embed=apps.lastTaskFailure";
    /** The same for {@code GET /v2/apps/{id}} (singular prefix). */
    static final String ONE_APP_EMBEDS =
            "embed=app.tasks&embed=app.counts&embed=app.deployments&embed=app.lastTaskFailure";

    private static final Set<String> FAILED_TASK_STATES = Set.of("TASK_FAILED", "TASK_ERROR", "TASK_LOST",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNREACHABLE");
    private static final Set<String> ENDED_TASK_STATES = Set.of("TASK_FINISHED", "TASK_KILLED");
    private static final Set<String> SHELLS = Set.of("sh", "/bin/sh", "bash", "/bin/bash");
    /** Fields Marathon reports but refuses (or misreads) in a PUT body: {@code version} would mean "roll back". */
    private static final List<String> READ_ONLY_APP_FIELDS = List.of("version", "versionInfo", "tasks",
            "tasksRunning", "tasksStaged", "tasksHealthy", "tasksUnhealthy", "deployments", "lastTaskFailure",
            "taskStats", "readinessCheckResults");
    private static final Pattern INDEX = Pattern.compile("\\((\\d+)\\)");
    /** Marathon's pathType (schema/AppDefinition.json), absolute and without a trailing slash. */
    private static final Pattern ID = Pattern.compile("^(/(([a-z0-9]|[a-z0-9][a-z0-9\\-.]*[a-z0-9])))+$");

    // ---- identity

    static String normalizeId(String nativeId) {
        String id = nativeId == null ? "" : nativeId.trim();
        return id.startsWith("/") ? id : "/" + id;
    }

    /** A path of Marathon ids: segments of {@code a-z 0-9 - .}, not starting or ending with a dash. */
    static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    static String namespaceOf(String id) {
        String n = normalizeId(id);
        int slash = n.lastIndexOf('/');
        return slash <= 0 ? "" : n.substring(1, slash);
    }

    static String nameOf(String id) {
        String n = normalizeId(id);
        return n.substring(n.lastIndexOf('/') + 1);
    }

    static String appId(String namespace, String name) {
        String ns = namespace == null ? "" : namespace.trim().replaceAll("^/+|/+$", "");
        return ns.isEmpty() ? "/" + name : "/" + ns + "/" + name;
    }

    // ---- ping

    EngineInfo info(JsonNode info) {
        String version = text(info, "version", "unknown");
        String leader = text(info, "leader");
        String framework = text(info, "frameworkId");
        String description = text(info, "name", "marathon") + " " + version + ", leader " + leader
                + (framework == null ? "" : ", framework " + framework);
        if (leader == null || leader.isBlank()) {
            return EngineInfo.degraded(version, "no Marathon leader is elected");
        }
        return new EngineInfo(version, false, description);
    }

    static String leader(JsonNode info) {
        return text(info, "leader");
    }

    // ---- apps

    /**
     * An app from {@code GET /v2/apps} (with the embeds of {@link #APP_EMBEDS}), from {@code GET /v2/groups}
     * or from a write's answer.
     *
     * @param queueEntry its {@code GET /v2/queue} entry, or {@code null}
     * @param nodeCount  number of Mesos agents when known (to recognise a DAEMON), else {@code null}
     */
    Workload app(JsonNode app, JsonNode queueEntry, Integer nodeCount) {
        String id = normalizeId(text(app, "id"));
        boolean daemon = isDaemon(app, nodeCount);
        WorkloadSpec spec = appSpec(app, daemon);
        List<JsonNode> tasks = array(app, "tasks");
        List<Instance> instances = tasks.stream().map(this::task).toList();
        return new Workload(id, namespaceOf(id), nameOf(id), daemon ? WorkloadKind.DAEMON : WorkloadKind.SERVICE,
                stringMap(object(app, "labels")), spec, appStatus(app, tasks, queueEntry), instances, null,
                app.toString());
    }

    /** API.md: an app with a UNIQUE hostname constraint and instances == node count is a DAEMON. */
    static boolean isDaemon(JsonNode app, Integer nodeCount) {
        int instances = intOr(app, "instances", 1);
        return nodeCount != null && nodeCount > 0 && instances == nodeCount && hasUniqueHostname(app);
    }

    private static boolean hasUniqueHostname(JsonNode app) {
        for (JsonNode c : array(app, "constraints")) {
            if (c.isArray() && c.size() >= 2 && "hostname".equals(c.get(0).asString())
                    && "UNIQUE".equalsIgnoreCase(c.get(1).asString())) {
                return true;
            }
        }
        return false;
    }

    WorkloadSpec appSpec(JsonNode app, boolean daemon) {
        JsonNode container = object(app, "container");
        String cmd = text(app, "cmd");
        List<String> command = cmd == null || cmd.isBlank() ? List.of() : List.of("/bin/sh", "-c", cmd);
        List<PortMapping> ports = appPorts(app, container);
        Double cpus = doubleValue(app, "cpus");
        Double mem = doubleValue(app, "mem");
        Resources resources = new Resources(cpus == null ? null : Quantities.coresToMillis(cpus),
                mem == null ? null : Quantities.mebibytesToBytes(mem));
        return new WorkloadSpec(image(container), command, strings(app, "args"), env(object(app, "env")), ports,
                resources, daemon ? null : integer(app, "instances"), appHealthCheck(app, ports),
                constraints(array(app, "constraints")), null);
    }

    private static String image(JsonNode container) {
        if (container == null) {
            return null;
        }
        String docker = text(object(container, "docker"), "image");
        if (docker != null) {
            return docker;
        }
        // UCR (type MESOS) with an AppC image: {"appc": {"image": "..."}}
        return text(object(container, "appc"), "image");
    }

    /** Plain string values only: Marathon env values may also be secret references ({@code {"secret": "..."}}). */
    private static Map<String, String> env(JsonNode env) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env != null) {
            env.forEachEntry((k, v) -> {
                if (v.isValueNode() && !v.isNull()) {
                    out.put(k, v.asString());
                }
            });
        }
        return out;
    }

    private static Map<String, String> stringMap(JsonNode object) {
        return env(object);
    }

    /**
     * Container networking (1.5+: {@code container.portMappings}; before: {@code container.docker.portMappings})
     * gives container ports; host networking ({@code portDefinitions}, or the pre-1.0 {@code ports} list) gives
     * ports the process binds on the host. Port 0 asks Marathon for a random port: there is no fixed port to
     * report, so it is left out.
     */
    private static List<PortMapping> appPorts(JsonNode app, JsonNode container) {
        List<PortMapping> out = new ArrayList<>();
        List<JsonNode> mappings = array(container, "portMappings");
        if (mappings.isEmpty()) {
            mappings = array(object(container, "docker"), "portMappings");
        }
        if (!mappings.isEmpty()) {
            for (JsonNode m : mappings) {
                int containerPort = intOr(m, "containerPort", 0);
                int hostPort = intOr(m, "hostPort", 0);
                if (containerPort > 0) {
                    out.add(new PortMapping(containerPort, hostPort > 0 ? hostPort : null, protocol(m)));
                }
            }
            return out;
        }
        boolean requirePorts = bool(app, "requirePorts");
        List<JsonNode> definitions = array(app, "portDefinitions");
        if (!definitions.isEmpty()) {
            for (JsonNode d : definitions) {
                int port = intOr(d, "port", 0);
                if (port > 0) {
                    out.add(new PortMapping(port, requirePorts ? port : null, protocol(d)));
                }
            }
            return out;
        }
        for (JsonNode p : array(app, "ports")) {
            if (p.isNumber() && p.asInt() > 0) {
                out.add(new PortMapping(p.asInt(), requirePorts ? p.asInt() : null, "tcp"));
            }
        }
        return out;
    }

    /** Marathon writes {@code "udp,tcp"} for a port open on both: the model has one protocol, the first wins. */
    private static String protocol(JsonNode port) {
        return text(port, "protocol", "tcp").split(",")[0].trim();
    }

    private static HealthCheck appHealthCheck(JsonNode app, List<PortMapping> ports) {
        List<JsonNode> checks = array(app, "healthChecks");
        if (!checks.isEmpty()) {
            JsonNode hc = checks.get(0);
            String protocol = text(hc, "protocol", "HTTP").toUpperCase(Locale.ROOT);
            Integer port = integer(hc, "port");
            if (port == null) {
                port = portAt(ports, intOr(hc, "portIndex", 0));
            }
            Integer interval = integer(hc, "intervalSeconds");
            Integer timeout = integer(hc, "timeoutSeconds");
            if (protocol.endsWith("HTTP") || protocol.endsWith("HTTPS")) {
                return new HealthCheck(HealthCheck.Type.HTTP, text(hc, "path", "/"), port, List.of(), interval,
                        timeout);
            }
            if (protocol.endsWith("TCP")) {
                return new HealthCheck(HealthCheck.Type.TCP, null, port, List.of(), interval, timeout);
            }
            String value = text(object(hc, "command"), "value");
            return new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                    value == null ? List.of() : List.of("/bin/sh", "-c", value), interval, timeout);
        }
        // Marathon 1.6+ "check": a Mesos check that is reported but does not make instances unhealthy
        JsonNode check = object(app, "check");
        if (check == null) {
            return null;
        }
        Integer interval = integer(check, "intervalSeconds");
        Integer timeout = integer(check, "timeoutSeconds");
        JsonNode http = object(check, "http");
        if (http != null) {
            return new HealthCheck(HealthCheck.Type.HTTP, text(http, "path", "/"),
                    portAt(ports, intOr(http, "portIndex", 0)), List.of(), interval, timeout);
        }
        JsonNode tcp = object(check, "tcp");
        if (tcp != null) {
            return new HealthCheck(HealthCheck.Type.TCP, null, portAt(ports, intOr(tcp, "portIndex", 0)), List.of(),
                    interval, timeout);
        }
        String shell = text(object(object(check, "exec"), "command"), "shell");
        return new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                shell == null ? List.of() : List.of("/bin/sh", "-c", shell), interval, timeout);
    }

    private static Integer portAt(List<PortMapping> ports, int index) {
        return index >= 0 && index < ports.size() ? ports.get(index).containerPort() : null;
    }

    /** {@code ["hostname","LIKE","srv2.*"]} becomes {@code hostname:LIKE:srv2.*}, the DC/OS CLI notation. */
    private static List<String> constraints(List<JsonNode> constraints) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : constraints) {
            List<String> parts = new ArrayList<>();
            if (c.isArray()) {
                c.values().forEach(p -> parts.add(p.asString()));
            } else if (c.isObject()) {
                // pods: {"fieldName": "hostname", "operator": "UNIQUE", "value": ...}
                parts.add(text(c, "fieldName", ""));
                parts.add(text(c, "operator", ""));
                String v = text(c, "value");
                if (v != null) {
                    parts.add(v);
                }
            }
            while (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty()) {
                parts.remove(parts.size() - 1);
            }
            if (!parts.isEmpty()) {
                out.add(String.join(":", parts));
            }
        }
        return out;
    }

    private WorkloadStatus appStatus(JsonNode app, List<JsonNode> tasks, JsonNode queueEntry) {
        int desired = intOr(app, "instances", 1);
        boolean hasCounts = app.has("tasksRunning");
        int runningTasks = 0;
        int healthyTasks = 0;
        int failedTasks = 0;
        int startedTasks = 0;
        for (JsonNode t : tasks) {
            String state = taskState(t);
            if (state.equals("TASK_RUNNING")) {
                runningTasks++;
                startedTasks++;
                List<JsonNode> results = array(t, "healthCheckResults");
                if (!results.isEmpty() && results.stream().allMatch(r -> bool(r, "alive"))) {
                    healthyTasks++;
                }
            } else if (FAILED_TASK_STATES.contains(state)) {
                failedTasks++;
                startedTasks++;
            } else if (ENDED_TASK_STATES.contains(state)) {
                startedTasks++;
            }
        }
        int running = hasCounts ? intOr(app, "tasksRunning", 0) : runningTasks;
        int healthy = hasCounts ? intOr(app, "tasksHealthy", 0) : healthyTasks;
        boolean hasHealthCheck = !array(app, "healthChecks").isEmpty();
        List<String> deployments = new ArrayList<>();
        array(app, "deployments").forEach(d -> deployments.add(text(d, "id", "?")));
        JsonNode failure = object(app, "lastTaskFailure");
        int failed = failedTasks + (failure != null ? 1 : 0);
        int started = Math.max(startedTasks, running) + (failure != null ? 1 : 0);
        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, healthy, hasHealthCheck,
                !deployments.isEmpty(), failed, started, false);
        boolean fine = PhaseRule.phase(facts) == Phase.RUNNING;
        String message = fine ? "" : appMessage(deployments, failure, queueEntry, intOr(app, "tasksStaged", 0));
        Instant since = failure != null && running == 0 ? instant(failure, "timestamp") : null;
        if (since == null) {
            JsonNode versionInfo = object(app, "versionInfo");
            Instant scaled = instant(versionInfo, "lastScalingAt");
            since = scaled != null ? scaled : instant(app, "version");
        }
        return PhaseRule.status(facts, message, since);
    }

    private static String appMessage(List<String> deployments, JsonNode failure, JsonNode queueEntry, int staged) {
        List<String> parts = new ArrayList<>();
        if (!deployments.isEmpty()) {
            parts.add("deployment " + String.join(", ", deployments) + " in progress");
        }
        String queued = queueMessage(queueEntry);
        if (!queued.isEmpty()) {
            parts.add(queued);
        } else if (staged > 0) {
            parts.add(staged + " task(s) staging");
        }
        if (failure != null) {
            String m = text(failure, "message", "");
            parts.add("last task failure: " + text(failure, "state", "failed")
                    + (text(failure, "host") == null ? "" : " on " + text(failure, "host"))
                    + (m.isBlank() ? "" : ": " + m)
                    + (text(failure, "timestamp") == null ? "" : " (" + text(failure, "timestamp") + ")"));
        }
        return String.join("; ", parts);
    }

    /**
     * A {@code GET /v2/queue} entry as text: a launch back-off after failures ({@code overdue: false}
     * with time left) or a wait for offers, with the reasons offers were declined.
     */
    static String queueMessage(JsonNode entry) {
        if (entry == null) {
            return "";
        }
        int count = intOr(entry, "count", 0);
        JsonNode delay = object(entry, "delay");
        int left = intOr(delay, "timeLeftSeconds", 0);
        if (delay != null && !bool(delay, "overdue") && left > 0) {
            return count + " instance(s) to launch, delayed " + left + " s (back-off after failed launches)";
        }
        List<String> declined = new ArrayList<>();
        for (JsonNode r : array(object(entry, "processedOffersSummary"), "rejectSummaryLastOffers")) {
            if (intOr(r, "declined", 0) > 0) {
                declined.add(text(r, "reason", "?") + " " + intOr(r, "declined", 0) + "/"
                        + intOr(r, "processed", 0));
            }
        }
        return count + " instance(s) waiting for Mesos offers"
                + (declined.isEmpty() ? "" : " (offers declined: " + String.join(", ", declined) + ")");
    }

    /** A task's Mesos state; tasks of Marathon before 1.0 carry none, and started means running. */
    private static String taskState(JsonNode task) {
        String state = text(task, "state");
        if (state != null) {
            return state;
        }
        return text(task, "startedAt") != null ? "TASK_RUNNING" : "TASK_STAGING";
    }

    Instance task(JsonNode task) {
        String state = taskState(task);
        InstanceState mapped = switch (state) {
            case "TASK_RUNNING", "TASK_KILLING" -> InstanceState.RUNNING;
            case "TASK_STAGING", "TASK_STARTING" -> InstanceState.STARTING;
            case "TASK_FINISHED", "TASK_KILLED" -> InstanceState.EXITED;
            default -> FAILED_TASK_STATES.contains(state) ? InstanceState.FAILED : InstanceState.PENDING;
        };
        String host = text(task, "host");
        List<JsonNode> ports = array(task, "ports");
        String address = host != null && !ports.isEmpty() ? host + ":" + ports.get(0).asInt() : null;
        String message = "";
        for (JsonNode r : array(task, "healthCheckResults")) {
            if (!bool(r, "alive")) {
                message = "health check failing (" + intOr(r, "consecutiveFailures", 0) + " consecutive failures"
                        + (text(r, "lastFailureCause") == null ? "" : ": " + text(r, "lastFailureCause")) + ")";
            }
        }
        if (mapped != InstanceState.RUNNING && mapped != InstanceState.STARTING && message.isEmpty()) {
            message = state;
        }
        return new Instance(text(task, "id"), host, mapped, instant(task, "startedAt"), address, null, message);
    }

    // ---- pods

    /**
     * A pod from {@code GET /v2/pods/::status} (a PodStatus with its {@code spec}) or a bare pod definition.
     * Pods are SERVICE workloads; the first container gives image, command and health check.
     *
     * @param deploying whether a deployment in {@code GET /v2/deployments} affects this pod
     */
    Workload pod(JsonNode podStatus, boolean deploying) {
        JsonNode spec = object(podStatus, "spec") != null ? object(podStatus, "spec") : podStatus;
        String id = normalizeId(text(spec, "id"));
        List<JsonNode> containers = array(spec, "containers");
        JsonNode first = containers.isEmpty() ? null : containers.get(0);
        Map<String, String> env = new LinkedHashMap<>(env(object(spec, "environment")));
        env.putAll(env(object(first, "environment")));
        List<PortMapping> ports = new ArrayList<>();
        long cpu = 0;
        long mem = 0;
        boolean anyCpu = false;
        boolean anyMem = false;
        HealthCheck health = null;
        for (JsonNode c : containers) {
            for (JsonNode e : array(c, "endpoints")) {
                int containerPort = intOr(e, "containerPort", 0);
                int hostPort = intOr(e, "hostPort", 0);
                List<String> protocols = strings(e, "protocol");
                int port = containerPort > 0 ? containerPort : hostPort;
                if (port > 0) {
                    ports.add(new PortMapping(port, hostPort > 0 ? hostPort : null,
                            protocols.isEmpty() ? "tcp" : protocols.get(0)));
                }
            }
            JsonNode res = object(c, "resources");
            if (doubleValue(res, "cpus") != null) {
                cpu += Quantities.coresToMillis(doubleValue(res, "cpus"));
                anyCpu = true;
            }
            if (doubleValue(res, "mem") != null) {
                mem += Quantities.mebibytesToBytes(doubleValue(res, "mem"));
                anyMem = true;
            }
            if (health == null && object(c, "healthCheck") != null) {
                health = podHealthCheck(c, object(c, "healthCheck"));
            }
        }
        JsonNode exec = object(object(first, "exec"), "command");
        List<String> command = List.of();
        if (text(exec, "shell") != null) {
            command = List.of("/bin/sh", "-c", text(exec, "shell"));
        } else if (exec != null) {
            command = strings(exec, "argv");
        }
        JsonNode scaling = object(spec, "scaling");
        int desired = intOr(scaling, "instances", 1);
        WorkloadSpec workloadSpec = new WorkloadSpec(text(object(first, "image"), "id"), command, List.of(), env,
                ports, new Resources(anyCpu ? cpu : null, anyMem ? mem : null), desired, health,
                constraints(array(object(object(spec, "scheduling"), "placement"), "constraints")), null);

        List<Instance> instances = new ArrayList<>();
        int running = 0;
        int stable = 0;
        int started = 0;
        for (JsonNode i : array(podStatus, "instances")) {
            Instance instance = podInstance(i);
            instances.add(instance);
            String s = text(i, "status", "");
            if (s.equals("STABLE") || s.equals("DEGRADED")) {
                running++;
                started++;
            }
            if (s.equals("STABLE")) {
                stable++;
            }
            if (s.equals("TERMINAL")) {
                started++;
            }
        }
        int failed = 0;
        for (JsonNode h : array(podStatus, "terminationHistory")) {
            for (JsonNode c : array(h, "containers")) {
                if (intOr(object(c, "termination"), "exitCode", 0) != 0) {
                    failed++;
                }
            }
        }
        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, stable, health != null, deploying, failed,
                started + failed, false);
        boolean fine = PhaseRule.phase(facts) == Phase.RUNNING;
        String message = fine ? "" : text(podStatus, "message", deploying ? "deployment in progress" : "");
        WorkloadStatus status = PhaseRule.status(facts, message, instant(podStatus, "statusSince"));
        return new Workload(id, namespaceOf(id), nameOf(id), WorkloadKind.SERVICE, stringMap(object(spec, "labels")),
                workloadSpec, status, instances, null, podStatus.toString());
    }

    private static HealthCheck podHealthCheck(JsonNode container, JsonNode hc) {
        Integer interval = integer(hc, "intervalSeconds");
        Integer timeout = integer(hc, "timeoutSeconds");
        JsonNode http = object(hc, "http");
        if (http != null) {
            return new HealthCheck(HealthCheck.Type.HTTP, text(http, "path", "/"),
                    endpointPort(container, text(http, "endpoint")), List.of(), interval, timeout);
        }
        JsonNode tcp = object(hc, "tcp");
        if (tcp != null) {
            return new HealthCheck(HealthCheck.Type.TCP, null, endpointPort(container, text(tcp, "endpoint")),
                    List.of(), interval, timeout);
        }
        String shell = text(object(object(hc, "exec"), "command"), "shell");
        return new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                shell == null ? List.of() : List.of("/bin/sh", "-c", shell), interval, timeout);
    }

    private static Integer endpointPort(JsonNode container, String endpointName) {
        for (JsonNode e : array(container, "endpoints")) {
            if (endpointName != null && endpointName.equals(text(e, "name"))) {
                int port = intOr(e, "containerPort", intOr(e, "hostPort", 0));
                return port > 0 ? port : null;
            }
        }
        return null;
    }

    Instance podInstance(JsonNode i) {
        String s = text(i, "status", "");
        InstanceState state = switch (s) {
            case "STABLE", "DEGRADED" -> InstanceState.RUNNING;
            case "STAGING" -> InstanceState.STARTING;
            case "TERMINAL" -> InstanceState.EXITED;
            default -> InstanceState.PENDING;
        };
        String host = text(i, "agentHostname");
        Integer port = null;
        for (JsonNode c : array(i, "containers")) {
            for (JsonNode e : array(c, "endpoints")) {
                if (port == null && integer(e, "allocatedHostPort") != null) {
                    port = integer(e, "allocatedHostPort");
                }
            }
        }
        String message = text(i, "message", s.equals("DEGRADED") ? "DEGRADED" : "");
        return new Instance(text(i, "id"), host, state, instant(i, "statusSince"),
                host != null && port != null ? host + ":" + port : null, null, message);
    }

    // ---- nodes (Mesos master /master/slaves)

    Node node(JsonNode slave) {
        String pid = text(slave, "pid");
        String address = text(slave, "hostname");
        if (pid != null && pid.contains("@")) {
            String hostPort = pid.substring(pid.indexOf('@') + 1);
            address = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        }
        JsonNode resources = object(slave, "resources");
        Double cpus = doubleValue(resources, "cpus");
        Double mem = doubleValue(resources, "mem");
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode attributes = object(slave, "attributes");
        if (attributes != null) {
            attributes.forEachEntry((k, v) -> labels.put(k, v.isValueNode() ? v.asString() : v.toString()));
        }
        boolean active = !present(slave.get("active")) || bool(slave, "active");
        return new Node(text(slave, "hostname", text(slave, "id")), address, active ? "READY" : "DOWN", "agent",
                cpus == null ? null : Quantities.coresToMillis(cpus),
                mem == null ? null : Quantities.mebibytesToBytes(mem), labels);
    }

    // ---- events (GET /v2/events)

    /**
     * Ids of the apps and pods an event concerns, to re-read them. Empty for events about the stream
     * itself. Deployment plans name their apps in {@code steps[].actions[].app|pod} (light format, 1.6+)
     * or directly in {@code steps[]} (older docs).
     */
    Set<String> affectedIds(String type, JsonNode data) {
        Set<String> ids = new LinkedHashSet<>();
        switch (type) {
            case "status_update_event", "app_terminated_event", "health_status_changed_event",
                 "failed_health_check_event", "add_health_check_event", "remove_health_check_event",
                 "unhealthy_instance_kill_event", "unhealthy_task_kill_event" -> addId(ids, text(data, "appId"));
            case "instance_changed_event", "instance_health_changed_event", "unknown_instance_terminated_event" ->
                    addId(ids, text(data, "runSpecId"));
            case "api_post_event" -> {
                addId(ids, text(object(data, "appDefinition"), "id"));
                String uri = text(data, "uri");
                if (ids.isEmpty() && uri != null && uri.startsWith("/v2/apps/")) {
                    addId(ids, uri.substring("/v2/apps".length()));
                }
            }
            case "pod_created_event", "pod_updated_event", "pod_deleted_event" -> {
                String uri = text(data, "uri");
                if (uri != null && uri.startsWith("/v2/pods/")) {
                    addId(ids, uri.substring("/v2/pods".length()));
                }
            }
            case "deployment_info", "deployment_success", "deployment_failed", "deployment_step_success",
                 "deployment_step_failure" -> {
                JsonNode plan = object(data, "plan");
                for (JsonNode step : array(plan, "steps")) {
                    collectActions(ids, step);
                }
                collectActions(ids, object(data, "currentStep"));
                strings(plan, "affectedApps").forEach(a -> addId(ids, a));
                strings(plan, "affectedPods").forEach(p -> addId(ids, p));
            }
            default -> {
            }
        }
        return ids;
    }

    private static void collectActions(Set<String> ids, JsonNode step) {
        if (step == null) {
            return;
        }
        List<JsonNode> actions = array(step, "actions");
        for (JsonNode a : actions.isEmpty() ? List.of(step) : actions) {
            addId(ids, text(a, "app"));
            addId(ids, text(a, "pod"));
        }
    }

    private static void addId(Set<String> ids, String id) {
        if (id != null && !id.isBlank() && !id.equals("/")) {
            ids.add(normalizeId(id));
        }
    }

    /** What an event tells an operator, one per concerned workload; empty for pure bookkeeping events. */
    List<EngineEvent> observed(String type, JsonNode data) {
        Instant time = instant(data, "timestamp");
        Instant at = time == null ? Instant.now() : time;
        List<EngineEvent> out = new ArrayList<>();
        Set<String> ids = affectedIds(type, data);
        switch (type) {
            case "status_update_event" -> {
                String status = text(data, "taskStatus", "TASK_UNKNOWN");
                String m = text(data, "message", "");
                boolean bad = FAILED_TASK_STATES.contains(status);
                ids.forEach(id -> out.add(new EngineEvent(at, id, bad ? EngineEvent.WARNING : EngineEvent.NORMAL,
                        camel(status), "task " + text(data, "taskId", "?") + " on " + text(data, "host", "?")
                        + " is " + status + (m.isBlank() ? "" : ": " + m))));
            }
            case "deployment_info" -> ids.forEach(id -> out.add(new EngineEvent(at, id, EngineEvent.NORMAL,
                    "DeploymentStarted", "deployment " + deploymentId(data) + " started")));
            case "deployment_success" -> ids.forEach(id -> out.add(new EngineEvent(at, id, EngineEvent.NORMAL,
                    "DeploymentSucceeded", "deployment " + deploymentId(data) + " succeeded")));
            case "deployment_failed" -> ids.forEach(id -> out.add(new EngineEvent(at, id, EngineEvent.WARNING,
                    "DeploymentFailed", "deployment " + deploymentId(data) + " failed"
                    + (text(data, "reason") == null ? "" : ": " + text(data, "reason")))));
            case "deployment_step_failure" -> ids.forEach(id -> out.add(new EngineEvent(at, id,
                    EngineEvent.WARNING, "DeploymentStepFailed", "a step of deployment " + deploymentId(data)
                    + " failed")));
            case "failed_health_check_event" -> ids.forEach(id -> out.add(new EngineEvent(at, id,
                    EngineEvent.WARNING, "HealthCheckFailed", "health check failed for "
                    + text(data, "instanceId", text(data, "taskId", "an instance")))));
            case "unhealthy_instance_kill_event", "unhealthy_task_kill_event" -> ids.forEach(id -> out.add(
                    new EngineEvent(at, id, EngineEvent.WARNING, "UnhealthyInstanceKilled", "killed unhealthy "
                            + text(data, "instanceId", text(data, "taskId", "instance")) + " on "
                            + text(data, "host", "?") + ": " + text(data, "reason", ""))));
            case "instance_health_changed_event", "health_status_changed_event" -> {
                JsonNode flag = data.has("healthy") ? data.get("healthy") : data.get("alive");
                if (present(flag)) {
                    boolean healthy = flag.asBoolean();
                    String instance = text(data, "instanceId", text(data, "taskId", "instance"));
                    ids.forEach(id -> out.add(new EngineEvent(at, id,
                            healthy ? EngineEvent.NORMAL : EngineEvent.WARNING, healthy ? "Healthy" : "Unhealthy",
                            instance + (healthy ? " is healthy" : " is unhealthy"))));
                }
            }
            case "api_post_event" -> ids.forEach(id -> out.add(new EngineEvent(at, id, EngineEvent.NORMAL,
                    "Changed", "changed through the Marathon API (" + text(data, "uri", "?") + ")")));
            case "app_terminated_event" -> ids.forEach(id -> out.add(new EngineEvent(at, id, EngineEvent.NORMAL,
                    "Terminated", "app removed from Marathon")));
            case "pod_created_event", "pod_updated_event", "pod_deleted_event" -> ids.forEach(id -> out.add(
                    new EngineEvent(at, id, EngineEvent.NORMAL, camel(type.replace("_event", "")),
                            "pod changed through the Marathon API")));
            default -> {
            }
        }
        return out;
    }

    private static String deploymentId(JsonNode data) {
        String id = text(data, "id");
        return id != null ? id : text(object(data, "plan"), "id", "?");
    }

    /** {@code TASK_FAILED} becomes {@code TaskFailed}, the model's CamelCase reasons. */
    static String camel(String snake) {
        StringBuilder b = new StringBuilder();
        for (String part : snake.toLowerCase(Locale.ROOT).split("_")) {
            if (!part.isEmpty()) {
                b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return b.toString();
    }

    /** The failure recorded in an app's {@code lastTaskFailure}, as an event. */
    EngineEvent lastFailure(JsonNode app) {
        JsonNode failure = object(app, "lastTaskFailure");
        if (failure == null) {
            return null;
        }
        return new EngineEvent(instant(failure, "timestamp"), normalizeId(text(app, "id")), EngineEvent.WARNING,
                camel(text(failure, "state", "TASK_FAILED")), "task " + text(failure, "taskId", "?") + " on "
                + text(failure, "host", "?") + ": " + text(failure, "message", ""));
    }

    // ---- writes

    /**
     * The body of {@code POST /v2/apps}. Marathon has no jobs (that is Metronome) and no StatefulSet
     * equivalent; a DAEMON becomes one instance per agent with a {@code hostname:UNIQUE} constraint.
     *
     * @param nodeCount number of Mesos agents when known
     */
    ObjectNode newApp(WorkloadDefinition definition, Integer nodeCount) {
        if (definition.kind() == WorkloadKind.JOB || definition.kind() == WorkloadKind.STATEFUL) {
            throw InvalidSpecException.of("kind", "Marathon runs long-running apps only (SERVICE or DAEMON), not "
                    + definition.kind());
        }
        if (definition.name() == null || definition.name().isBlank()) {
            throw InvalidSpecException.of("name", "is required");
        }
        ObjectNode app = Json.MAPPER.createObjectNode();
        app.put("id", appId(definition.namespace(), definition.name()));
        WorkloadSpec spec = definition.spec();
        Integer instances = spec.replicas();
        List<String> constraints = new ArrayList<>(spec.constraints());
        if (definition.kind() == WorkloadKind.DAEMON) {
            if (constraints.stream().noneMatch(c -> c.equals("hostname:UNIQUE"))) {
                constraints.add("hostname:UNIQUE");
            }
            instances = nodeCount != null ? nodeCount : instances;
            if (instances == null) {
                throw InvalidSpecException.of("spec.replicas", "a DAEMON on Marathon needs the engine option "
                        + "mesosUrl (to count the agents) or an explicit replica count");
            }
        }
        apply(app, spec, instances == null ? 1 : instances, constraints);
        ObjectNode labels = app.putObject("labels");
        definition.labels().forEach(labels::put);
        return app;
    }

    /**
     * The body of {@code PUT /v2/apps/{id}}: the current definition with the model's fields replaced, so
     * that what the model does not know (volumes, fetch URIs, secrets, upgrade strategy) is kept.
     */
    ObjectNode updatedApp(JsonNode current, WorkloadSpec spec) {
        ObjectNode app = (ObjectNode) current.deepCopy();
        READ_ONLY_APP_FIELDS.forEach(app::remove);
        Integer instances = spec.replicas() != null ? spec.replicas() : integer(current, "instances");
        apply(app, spec, instances == null ? 1 : instances, spec.constraints());
        return app;
    }

    private static void apply(ObjectNode app, WorkloadSpec spec, int instances, List<String> constraints) {
        if (spec.image() == null && spec.command().isEmpty() && spec.args().isEmpty()) {
            throw InvalidSpecException.of("spec.command", "an app without an image needs a command");
        }
        if (spec.image() == null && spec.command().isEmpty()) {
            throw InvalidSpecException.of("spec.command", "Marathon runs args only against a container image");
        }
        app.remove(List.of("cmd", "args"));
        if (!spec.command().isEmpty()) {
            List<String> cmd = spec.command();
            if (cmd.size() == 3 && SHELLS.contains(cmd.get(0)) && cmd.get(1).equals("-c") && spec.args().isEmpty()) {
                app.put("cmd", cmd.get(2));
            } else {
                List<String> all = new ArrayList<>(cmd);
                all.addAll(spec.args());
                app.put("cmd", shellJoin(all));
            }
        } else if (!spec.args().isEmpty()) {
            ArrayNode args = app.putArray("args");
            spec.args().forEach(args::add);
        }
        ObjectNode env = Json.MAPPER.createObjectNode();
        JsonNode oldEnv = object(app, "env");
        if (oldEnv != null) {
            // secret references are not in the model: keep them
            oldEnv.forEachEntry((k, v) -> {
                if (v.isObject()) {
                    env.set(k, v);
                }
            });
        }
        spec.env().forEach(env::put);
        app.set("env", env);
        app.put("instances", instances);
        Resources r = spec.resources();
        if (r.cpuMillis() != null) {
            app.put("cpus", Quantities.millisToCores(r.cpuMillis()));
        }
        if (r.memoryBytes() != null) {
            app.put("mem", Quantities.bytesToMebibytes(r.memoryBytes()));
        }
        app.remove(List.of("ports", "portDefinitions", "requirePorts"));
        if (spec.image() != null) {
            ObjectNode container = object(app, "container") instanceof ObjectNode c ? c : app.putObject("container");
            if (!"MESOS".equals(text(container, "type"))) {
                container.put("type", "DOCKER");
            }
            ObjectNode docker = object(container, "docker") instanceof ObjectNode d ? d : container.putObject("docker");
            docker.put("image", spec.image());
            docker.remove(List.of("portMappings", "network"));
            ArrayNode mappings = container.putArray("portMappings");
            for (PortMapping p : spec.ports()) {
                mappings.addObject().put("containerPort", p.containerPort())
                        .put("hostPort", p.publishedPort() == null ? 0 : p.publishedPort())
                        .put("protocol", p.protocol());
            }
            if (!spec.ports().isEmpty() && !app.has("networks")) {
                app.putArray("networks").addObject().put("mode", "container/bridge");
            }
        } else {
            app.remove("container");
            ArrayNode definitions = app.putArray("portDefinitions");
            boolean pinned = false;
            for (PortMapping p : spec.ports()) {
                int port = p.publishedPort() != null ? p.publishedPort() : p.containerPort();
                pinned |= p.publishedPort() != null;
                definitions.addObject().put("port", port).put("protocol", p.protocol());
            }
            app.put("requirePorts", pinned);
        }
        ArrayNode checks = app.putArray("healthChecks");
        HealthCheck hc = spec.healthCheck();
        if (hc != null) {
            ObjectNode check = checks.addObject();
            switch (hc.type()) {
                case HTTP -> check.put("protocol", "HTTP").put("path", hc.path() == null ? "/" : hc.path());
                case TCP -> check.put("protocol", "TCP");
                case COMMAND -> check.put("protocol", "COMMAND").putObject("command")
                        .put("value", commandText(hc.command()));
            }
            if (hc.type() != HealthCheck.Type.COMMAND) {
                int index = portIndex(spec.ports(), hc.port());
                if (index >= 0) {
                    check.put("portIndex", index);
                } else if (hc.port() != null) {
                    check.put("port", hc.port());
                }
            }
            if (hc.intervalSeconds() != null) {
                check.put("intervalSeconds", hc.intervalSeconds());
            }
            if (hc.timeoutSeconds() != null) {
                check.put("timeoutSeconds", hc.timeoutSeconds());
            }
        }
        ArrayNode cons = app.putArray("constraints");
        for (int i = 0; i < constraints.size(); i++) {
            String[] parts = constraints.get(i).split(":", 3);
            if (parts.length < 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw InvalidSpecException.of("spec.constraints[" + i + "]",
                        "Marathon constraints are field:OPERATOR[:value], e.g. hostname:UNIQUE");
            }
            ArrayNode c = cons.addArray();
            for (String p : parts) {
                c.add(p);
            }
        }
    }

    private static int portIndex(List<PortMapping> ports, Integer port) {
        for (int i = 0; port != null && i < ports.size(); i++) {
            if (ports.get(i).containerPort() == port) {
                return i;
            }
        }
        return -1;
    }

    private static String commandText(List<String> command) {
        if (command.size() == 3 && SHELLS.contains(command.get(0)) && command.get(1).equals("-c")) {
            return command.get(2);
        }
        return shellJoin(command);
    }

    /** Marathon's {@code cmd} is one shell string: quote every word that needs it. */
    static String shellJoin(Collection<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            out.add(w.matches("[A-Za-z0-9_@%+=:,./-]+") ? w : "'" + w.replace("'", "'\"'\"'") + "'");
        }
        return String.join(" ", out);
    }

    // ---- errors

    /**
     * Field errors of a 422 (or 400) answer. Marathon 1.x writes
     * {@code {"message", "details": [{"path": "/container/portMappings(0)/hostPort", "errors": [...]}]}};
     * 0.x wrote {@code {"errors": [{"attribute", "error"}]}}. Paths are translated to model fields where
     * there is one; Marathon's own path is kept in the message otherwise.
     */
    List<FieldError> fieldErrors(JsonNode body) {
        List<FieldError> out = new ArrayList<>();
        for (JsonNode d : array(body, "details")) {
            String path = text(d, "path", "/");
            List<String> errors = strings(d, "errors");
            String message = String.join("; ", errors.isEmpty() ? List.of(text(body, "message", "invalid")) : errors);
            String field = modelField(path);
            out.add(new FieldError(field, field.equals("spec") && !path.equals("/") ? message + " (at " + path + ")"
                    : message));
        }
        for (JsonNode e : array(body, "errors")) {
            if (e.isObject()) {
                out.add(new FieldError(modelField("/" + text(e, "attribute", "")), text(e, "error", "invalid")));
            }
        }
        return out;
    }

    static String modelField(String marathonPath) {
        Matcher m = INDEX.matcher(marathonPath == null ? "" : marathonPath);
        String path = m.replaceAll("[$1]").replaceAll("^/+", "");
        String[] segments = path.split("/");
        String head = segments[0];
        String rest = segments.length > 1 ? segments[1] : "";
        if (head.equals("id")) {
            return "name";
        }
        if (head.equals("instances")) {
            return "spec.replicas";
        }
        if (head.equals("cpus")) {
            return "spec.resources.cpuMillis";
        }
        if (head.equals("mem")) {
            return "spec.resources.memoryBytes";
        }
        if (head.equals("cmd")) {
            return "spec.command";
        }
        if (head.equals("args")) {
            return "spec.args";
        }
        if (head.equals("env") && !rest.isEmpty()) {
            return "spec.env." + rest;
        }
        if (head.equals("labels") && !rest.isEmpty()) {
            return "labels." + rest;
        }
        if (head.startsWith("constraints")) {
            return "spec." + head;
        }
        if (head.startsWith("healthChecks")) {
            return "spec.healthCheck";
        }
        if (path.equals("container/docker/image")) {
            return "spec.image";
        }
        Matcher port = Pattern.compile("^(?:container/(?:docker/)?portMappings|portDefinitions)\\[(\\d+)](?:/(\\w+))?")
                .matcher(path);
        if (port.find()) {
            String field = port.group(2) == null ? ""
                    : port.group(2).equals("hostPort") ? ".publishedPort"
                    : port.group(2).equals("protocol") ? ".protocol" : ".containerPort";
            return "spec.ports[" + port.group(1) + "]" + field;
        }
        return "spec";
    }
}
