package io.gantry.agent.adapter;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.EnvVar;
import io.gantry.agent.api.v1.Event;
import io.gantry.agent.api.v1.HealthCheckSpec;
import io.gantry.agent.api.v1.PortSpec;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import io.gantry.spi.config.SecretRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** The only class that sees both the agent's protobuf types and the spi model. */
final class AgentWorkloadMapper {
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(pass|secret|token|key|credential).*");

    private AgentWorkloadMapper() {
    }

    /** {@code <namespace>/<container id>}: the agent scopes container ids by namespace. */
    static String nativeId(String namespace, String containerId) {
        return namespace + "/" + containerId;
    }

    static ContainerSpec toContainerSpec(WorkloadSpec spec, WorkloadKind kind) {
        ContainerSpec.Builder b = ContainerSpec.newBuilder()
                .setImage(Objects.requireNonNullElse(spec.image(), ""))
                .addAllCommand(spec.command()).addAllArgs(spec.args())
                .setReplicas(spec.replicas() == null ? 1 : spec.replicas())
                .setKind(kind.name())
                .setRuntime(Objects.requireNonNullElse(spec.runtime(), ""))
                .addAllConstraints(spec.constraints());
        spec.env().forEach((k, v) -> b.addEnv(EnvVar.newBuilder().setName(k).setValue(v)));
        for (SecretRef r : spec.secrets()) {
            b.addSecrets(io.gantry.agent.api.v1.SecretRef.newBuilder().setSource(Objects.requireNonNullElse(r.source(), ""))
                    .setKind(AgentConfigs.kind(r.kind())).setKey(Objects.requireNonNullElse(r.key(), ""))
                    .setEnv(Objects.requireNonNullElse(r.env(), "")).setPath(Objects.requireNonNullElse(r.path(), ""))
                    .setMode(Objects.requireNonNullElse(r.mode(), 0)));
        }
        for (PortMapping p : spec.ports()) {
            b.addPorts(PortSpec.newBuilder().setContainerPort(p.containerPort())
                    .setPublishedPort(p.publishedPort() == null ? 0 : p.publishedPort()).setProtocol(p.protocol()));
        }
        if (spec.resources().cpuMillis() != null) {
            b.setCpuMillis(spec.resources().cpuMillis());
        }
        if (spec.resources().memoryBytes() != null) {
            b.setMemoryBytes(spec.resources().memoryBytes());
        }
        HealthCheck hc = spec.healthCheck();
        if (hc != null) {
            b.setHealthCheck(HealthCheckSpec.newBuilder().setType(hc.type().name().toLowerCase(Locale.ROOT))
                    .setPath(Objects.requireNonNullElse(hc.path(), ""))
                    .setPort(Objects.requireNonNullElse(hc.port(), 0)).addAllCommand(hc.command())
                    .setIntervalSeconds(Objects.requireNonNullElse(hc.intervalSeconds(), 0))
                    .setTimeoutSeconds(Objects.requireNonNullElse(hc.timeoutSeconds(), 0)));
        }
        return b.build();
    }

    static WorkloadSpec toSpec(ContainerSpec c) {
        Map<String, String> env = new LinkedHashMap<>();
        c.getEnvList().forEach(v -> env.put(v.getName(), v.getValue()));
        List<PortMapping> ports = c.getPortsList().stream().map(p -> new PortMapping(p.getContainerPort(),
                p.getPublishedPort() == 0 ? null : p.getPublishedPort(), p.getProtocol())).toList();
        HealthCheck hc = null;
        if (c.hasHealthCheck() && !c.getHealthCheck().getType().isEmpty()) {
            HealthCheckSpec h = c.getHealthCheck();
            hc = new HealthCheck(HealthCheck.Type.valueOf(h.getType().toUpperCase(Locale.ROOT)),
                    h.getPath().isEmpty() ? null : h.getPath(), h.getPort() == 0 ? null : h.getPort(),
                    h.getCommandList(), h.getIntervalSeconds() == 0 ? null : h.getIntervalSeconds(),
                    h.getTimeoutSeconds() == 0 ? null : h.getTimeoutSeconds());
        }
        return new WorkloadSpec(c.getImage().isEmpty() ? null : c.getImage(), c.getCommandList(), c.getArgsList(),
                env, ports, new Resources(c.getCpuMillis() == 0 ? null : c.getCpuMillis(),
                c.getMemoryBytes() == 0 ? null : c.getMemoryBytes()),
                c.getReplicas(), hc, c.getConstraintsList(), c.getRuntime().isEmpty() ? null : c.getRuntime(),
                c.getSecretsList().stream().map(AgentWorkloadMapper::toRef).toList());
    }

    private static SecretRef toRef(io.gantry.agent.api.v1.SecretRef r) {
        return new SecretRef(r.getSource(), AgentConfigs.toObjectKind(r.getKind()), blankToNull(r.getKey()),
                blankToNull(r.getEnv()), blankToNull(r.getPath()), r.getMode() == 0 ? null : r.getMode());
    }

    private static String blankToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    static Workload toWorkload(Container c, List<Task> tasks, String node) {
        List<Task> sorted = tasks.stream().sorted(Comparator.comparing(Task::getId)).toList();
        List<Instance> instances = sorted.stream().map(t -> toInstance(t, node)).toList();
        ContainerSpec spec = c.getSpec();
        boolean hasHealthCheck = spec.hasHealthCheck() && !spec.getHealthCheck().getType().isEmpty();
        int healthy = (int) sorted.stream().filter(t -> t.getStatus() == TaskStatus.TASK_STATUS_RUNNING
                && (!hasHealthCheck || t.getHealthy())).count();
        WorkloadStatus status = AgentStatusRules.workload(spec.getReplicas(), "JOB".equals(spec.getKind()),
                hasHealthCheck, healthy, instances, since(c, sorted));
        return new Workload(nativeId(c.getNamespace(), c.getId()), c.getNamespace(), c.getId(), kind(spec),
                c.getLabelsMap(), toSpec(spec), status, instances, instant(c.getCreatedAt()), nativeObject(c, sorted));
    }

    static WorkloadKind kind(ContainerSpec spec) {
        return spec.getKind().isEmpty() ? WorkloadKind.SERVICE : WorkloadKind.valueOf(spec.getKind());
    }

    static Instance toInstance(Task t, String node) {
        boolean ended = t.getStatus() == TaskStatus.TASK_STATUS_EXITED || t.getStatus() == TaskStatus.TASK_STATUS_RESTARTING;
        return new Instance(t.getId(), node, AgentStatusRules.state(t), t.hasStartedAt() ? instant(t.getStartedAt()) : null,
                t.getAddress().isEmpty() ? null : t.getAddress(), ended ? t.getExitCode() : null,
                AgentStatusRules.message(t), AgentStatusRules.reason(t));
    }

    static EngineEvent toEvent(Event e) {
        String nativeId = e.getContainerId().isEmpty() ? null : nativeId(e.getNamespace(), e.getContainerId());
        String task = e.getTaskId().isEmpty() ? "" : "task " + e.getTaskId() + ": ";
        return switch (e.getTopic()) {
            case "/tasks/create" -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.NORMAL, "TaskCreated", task + "created");
            case "/tasks/start" -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.NORMAL, "TaskStarted", task + "started");
            case "/tasks/exit" -> new EngineEvent(instant(e.getTimestamp()), nativeId,
                    e.getExitCode() == 0 || "stopped".equals(e.getMessage()) ? EngineEvent.NORMAL : EngineEvent.WARNING,
                    "TaskExited", task + e.getMessage());
            case "/tasks/health" -> new EngineEvent(instant(e.getTimestamp()), nativeId,
                    "healthy".equals(e.getMessage()) ? EngineEvent.NORMAL : EngineEvent.WARNING, "HealthCheck",
                    task + e.getMessage());
            case "/tasks/oom" -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.WARNING, "OOMKilled", task + e.getMessage());
            case "/tasks/delete" -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.NORMAL, "TaskDeleted", task + "deleted");
            case "/containers/create" -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.NORMAL, "Created", "container created");
            case "/containers/update" -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.NORMAL, "Updated", "container updated");
            case "/containers/delete" -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.NORMAL, "Deleted", "container deleted");
            default -> new EngineEvent(instant(e.getTimestamp()), nativeId, EngineEvent.NORMAL, "Event", e.getTopic());
        };
    }

    /** The container and its tasks as JSON, env values with secret-looking names redacted. */
    private static String nativeObject(Container c, List<Task> tasks) {
        ContainerSpec.Builder spec = c.getSpec().toBuilder().clearEnv();
        for (EnvVar v : c.getSpec().getEnvList()) {
            spec.addEnv(SECRET_NAME.matcher(v.getName()).matches() ? v.toBuilder().setValue("REDACTED").build() : v);
        }
        try {
            StringBuilder json = new StringBuilder("{\"container\": ")
                    .append(JsonFormat.printer().print(c.toBuilder().setSpec(spec).build())).append(", \"tasks\": [");
            List<String> printed = new ArrayList<>();
            for (Task t : tasks) {
                printed.add(JsonFormat.printer().print(t));
            }
            return json.append(String.join(", ", printed)).append("]}").toString();
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static Instant since(Container c, List<Task> tasks) {
        Instant latest = instant(c.getUpdatedAt());
        for (Task t : tasks) {
            for (Timestamp ts : List.of(t.getStartedAt(), t.getExitedAt())) {
                Instant i = instant(ts);
                if (i != null && (latest == null || i.isAfter(latest))) {
                    latest = i;
                }
            }
        }
        return latest;
    }

    static Instant instant(Timestamp ts) {
        return ts == null || (ts.getSeconds() == 0 && ts.getNanos() == 0) ? null
                : Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }
}
