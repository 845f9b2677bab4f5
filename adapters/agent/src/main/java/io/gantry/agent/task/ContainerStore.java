package io.gantry.agent.task;

import com.google.protobuf.Timestamp;
import io.gantry.agent.api.v1.ConfigKind;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.EnvVar;
import io.gantry.agent.api.v1.PortSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Containers (desired configuration) by namespace, persisted one JSON file each. */
public final class ContainerStore {
    private static final Set<String> KINDS = Set.of("SERVICE", "DAEMON", "STATEFUL", "JOB");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final StateFiles<Container> files;
    private final Map<String, Container> containers = new ConcurrentHashMap<>();
    private final Set<String> runtimes;
    private final Predicate<String> imageImported;
    private final EventBus events;
    private final SecretSource secrets;

    /**
     * @param runtimes      runtimes this agent can use
     * @param imageImported whether an image name is in the agent's image store (decides the default runtime)
     * @param secrets       checks the specs' references to secrets and configs
     */
    public ContainerStore(Path dir, Set<String> runtimes, Predicate<String> imageImported, EventBus events,
                          SecretSource secrets) {
        this.files = new StateFiles<>(dir, Container::newBuilder);
        this.secrets = secrets;
        this.runtimes = runtimes;
        this.imageImported = imageImported;
        this.events = events;
        for (Container c : files.readAll()) {
            containers.put(key(c.getNamespace(), c.getId()), c);
        }
    }

    public synchronized Container create(String namespace, String id, Map<String, String> labels, ContainerSpec spec) {
        Names.require("container id", id);
        if (containers.containsKey(key(namespace, id))) {
            throw AgentFailure.alreadyExists("container '" + id + "' already exists in namespace '" + namespace + "'");
        }
        Timestamp now = now();
        Container c = Container.newBuilder().setId(id).setNamespace(namespace).putAllLabels(labels)
                .setSpec(validated(namespace, spec)).setCreatedAt(now).setUpdatedAt(now).setGeneration(1).build();
        save(c);
        events.publish(namespace, "/containers/create", id, null, 0, "");
        return c;
    }

    public Container get(String namespace, String id) {
        Container c = containers.get(key(namespace, id));
        if (c == null) {
            throw AgentFailure.notFound("container '" + id + "' does not exist in namespace '" + namespace + "'");
        }
        return c;
    }

    /** Containers of {@code namespace}, or of every namespace when it is null. */
    public List<Container> list(String namespace) {
        return containers.values().stream()
                .filter(c -> namespace == null || namespace.equals(c.getNamespace()))
                .sorted(Comparator.comparing(Container::getNamespace).thenComparing(Container::getId))
                .toList();
    }

    public synchronized Container update(String namespace, String id, Map<String, String> labels, ContainerSpec spec,
                                         long expectedGeneration) {
        Container current = get(namespace, id);
        if (expectedGeneration != 0 && expectedGeneration != current.getGeneration()) {
            throw AgentFailure.aborted("container '" + id + "' changed meanwhile: generation " + current.getGeneration()
                    + ", expected " + expectedGeneration);
        }
        Container c = current.toBuilder().clearLabels().putAllLabels(labels).setSpec(validated(namespace, spec))
                .setUpdatedAt(now()).setGeneration(current.getGeneration() + 1).build();
        save(c);
        events.publish(namespace, "/containers/update", id, null, 0, "");
        return c;
    }

    synchronized void delete(String namespace, String id) {
        get(namespace, id);
        containers.remove(key(namespace, id));
        files.delete(namespace, id);
        events.publish(namespace, "/containers/delete", id, null, 0, "");
    }

    private void save(Container c) {
        files.write(c.getNamespace(), c.getId(), c);
        containers.put(key(c.getNamespace(), c.getId()), c);
    }

    /**
     * Checks what can be checked before anything runs, and settles the runtime when the client left it open.
     *
     * @param namespace where the spec's secret references must exist; null checks only their shape
     */
    private ContainerSpec validated(String namespace, ContainerSpec spec) {
        if (spec.getCommandCount() == 0 && spec.getArgsCount() == 0) {
            throw AgentFailure.invalid("spec.command: a command is required (the agent reads no image defaults)");
        }
        if (spec.getCommandCount() > 0 && spec.getCommand(0).isBlank()) {
            throw AgentFailure.invalid("spec.command[0] must not be blank");
        }
        if (spec.getMemoryBytes() < 0) {
            throw AgentFailure.invalid("spec.resources.memoryBytes must not be negative, got " + spec.getMemoryBytes());
        }
        if (spec.getCpuMillis() < 0) {
            throw AgentFailure.invalid("spec.resources.cpuMillis must not be negative, got " + spec.getCpuMillis());
        }
        if (spec.getReplicas() < 0) {
            throw AgentFailure.invalid("spec.replicas must not be negative, got " + spec.getReplicas());
        }
        if (!spec.getKind().isEmpty() && !KINDS.contains(spec.getKind())) {
            throw AgentFailure.invalid("spec.kind must be one of " + KINDS + ", got '" + spec.getKind() + "'");
        }
        Set<Integer> published = new HashSet<>();
        for (int i = 0; i < spec.getPortsCount(); i++) {
            PortSpec port = spec.getPorts(i);
            if (port.getContainerPort() < 1 || port.getContainerPort() > 65535) {
                throw AgentFailure.invalid("spec.ports[" + i + "].containerPort must be 1..65535");
            }
            if (port.getPublishedPort() < 0 || port.getPublishedPort() > 65535) {
                throw AgentFailure.invalid("spec.ports[" + i + "].publishedPort must be 0..65535");
            }
            if (port.getPublishedPort() > 0 && !published.add(port.getPublishedPort())) {
                throw AgentFailure.invalid("spec.ports[" + i + "].publishedPort " + port.getPublishedPort()
                        + " is used twice");
            }
        }
        for (EnvVar var : spec.getEnvList()) {
            if (!ENV_NAME.matcher(var.getName()).matches()) {
                throw AgentFailure.invalid("spec.env: '" + var.getName() + "' is not a valid variable name");
            }
        }
        String runtime = spec.getRuntime();
        if (runtime.isEmpty()) {
            // API.md: runc when an image is set and runc is usable; an image not imported here can only be a label
            runtime = runtimes.contains("runc") && imageImported.test(spec.getImage()) ? "runc" : "raw";
        } else if (!Set.of("raw", "runc").contains(runtime)) {
            throw AgentFailure.invalid("spec.runtime must be raw or runc, got '" + runtime + "'");
        }
        if (!runtimes.contains(runtime)) {
            // short enough to pass EngineMessages' 120-character cut whole: the flag is the point of the message
            throw AgentFailure.invalid("spec.runtime: " + runtime + " is not available on this agent" + ("raw".equals(runtime)
                    ? " (it runs host processes: start the agent with --allow-raw-runtime)"
                    : " (it needs the runc binary and an agent running as root)"));
        }
        if ("runc".equals(runtime) && !imageImported.test(spec.getImage())) {
            throw AgentFailure.invalid("spec.image: '" + spec.getImage() + "' is not imported on this agent;"
                    + " the runc runtime runs imported images only");
        }
        ContainerSpec settled = spec.toBuilder().setRuntime(runtime).build();
        secrets.check(namespace, settled);
        return settled;
    }

    /**
     * The spec as {@link #create} would store it (its runtime settled), without storing anything.
     *
     * @param namespace where its secret references must exist, or null to check only their shape
     */
    public ContainerSpec check(String namespace, ContainerSpec spec) {
        return validated(namespace, spec);
    }

    /** Containers of {@code namespace} whose spec references the object. */
    public List<Container> using(String namespace, String name, ConfigKind kind) {
        return list(namespace).stream().filter(c -> c.getSpec().getSecretsList().stream().anyMatch(r ->
                r.getSource().equals(name) && sameKind(r.getKind(), kind))).toList();
    }

    private static boolean sameKind(ConfigKind a, ConfigKind b) {
        return (a == ConfigKind.CONFIG_KIND_CONFIG) == (b == ConfigKind.CONFIG_KIND_CONFIG);
    }

    static String key(String namespace, String id) {
        return namespace + "/" + id;
    }

    private static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }
}
