package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.SIDECARS_LABEL;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.firstNonNull;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.instant;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.refOf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.Node;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1ExecAction;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads client-java's objects into the model (engine -> model); the status comes from
 * {@link KubernetesStatusRules}.
 *
 * <p>Reading a pod template: the first entry of {@code spec.containers} (init containers are a
 * separate list) is the main container and fills the spec; the names of the other containers are
 * listed, comma-separated, in the synthetic label {@value KubernetesWorkloadMapper#SIDECARS_LABEL}. A CronJob's schedule is in
 * the synthetic label {@value KubernetesWorkloadMapper#SCHEDULE_LABEL}. Synthetic labels ({@code gantry.io/*}) are never
 * written back to Kubernetes. Resources come from the main container's limits, or its requests when
 * it has no limit. The health check comes from the readiness probe, or the liveness probe when
 * there is no readiness probe. Pod restarts and waiting reasons are in each instance's message.
 */
final class KubernetesWorkloadReader {
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|token|key|credential).*");

    private KubernetesWorkloadReader() {
    }

    /**
     * Maps a workload object with the pods it owns and the Service Gantry created for it.
     *
     * @param pods    pods owned by the object (directly or through its ReplicaSets or Jobs); may be empty
     * @param service the published-ports Service, or {@code null}
     */
    static Workload toWorkload(KubernetesObject object, List<V1Pod> pods, V1Service service) {
        return toWorkload(object, pods, service, ConfigKeys.UNKNOWN);
    }

    /**
     * As {@link #toWorkload(KubernetesObject, List, V1Service)}, with the keys of the Secrets and ConfigMaps known
     * (the informers' cache), so that {@code envFrom} reads as one reference per key.
     */
    static Workload toWorkload(KubernetesObject object, List<V1Pod> pods, V1Service service, ConfigKeys keys) {
        WorkloadRef ref = Objects.requireNonNull(refOf(object), "not a workload object");
        List<Instance> instances = pods.stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .map(KubernetesPodRules::toInstance)
                .toList();
        return workload(ref, object, KubernetesStatusRules.observe(object), instances, service, keys);
    }

    private static Workload workload(WorkloadRef ref, KubernetesObject object, KubernetesStatusRules.Observed observed,
                                     List<Instance> instances, V1Service service, ConfigKeys keys) {
        V1ObjectMeta meta = object.getMetadata();
        V1PodSpec podSpec = observed.podSpec();
        V1Container main = podSpec == null || podSpec.getContainers() == null || podSpec.getContainers().isEmpty()
                ? null : podSpec.getContainers().get(0);
        Map<String, String> labels = new LinkedHashMap<>(nullSafe(meta.getLabels()));
        labels.putAll(observed.extraLabels());
        if (podSpec != null && podSpec.getContainers() != null && podSpec.getContainers().size() > 1) {
            labels.put(SIDECARS_LABEL, String.join(",", podSpec.getContainers().subList(1, podSpec.getContainers().size())
                    .stream().map(V1Container::getName).toList()));
        }
        WorkloadSpec spec = specOf(podSpec, main, observed.replicas(), observed.publishes() ? service : null,
                ref.namespace(), keys);
        WorkloadStatus status = KubernetesStatusRules.status(observed, instances, spec.healthCheck() != null);
        return new Workload(ref.nativeId(), ref.namespace(), ref.name(), ref.kind().modelKind(), labels, spec, status,
                instances, instant(meta.getCreationTimestamp()), redactedJson(object));
    }

    /**
     * The spec a pod template stands for (a ReplicaSet's, a ControllerRevision's), read as a workload's own
     * template is: the same main container, env, ports and probe rules. Its {@code envFrom} is not expanded (the
     * keys a past template saw are not known).
     *
     * @param replicas the workload's count (a past template keeps none of its own)
     * @param service  the workload's published-ports Service, or {@code null}: it is not part of any template
     */
    static WorkloadSpec specOf(V1PodTemplateSpec template, Integer replicas, V1Service service) {
        V1PodSpec podSpec = template == null ? null : template.getSpec();
        V1Container main = podSpec == null || podSpec.getContainers() == null || podSpec.getContainers().isEmpty()
                ? null : podSpec.getContainers().get(0);
        return specOf(podSpec, main, replicas, service, null, ConfigKeys.UNKNOWN);
    }

    private static WorkloadSpec specOf(V1PodSpec podSpec, V1Container main, Integer replicas, V1Service service,
                                       String namespace, ConfigKeys keys) {
        if (main == null) {
            return WorkloadSpec.of(null, replicas);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (V1EnvVar e : nullSafe(main.getEnv())) {
            V1EnvVarSource from = e.getValueFrom();
            if (from != null && (from.getSecretKeyRef() != null || from.getConfigMapKeyRef() != null)) {
                // a reference, read into spec.secrets by KubernetesSecretRefs
                continue;
            }
            env.put(e.getName(), from == null ? Objects.requireNonNullElse(e.getValue(), "") : describe(from));
        }
        List<PortMapping> ports = new ArrayList<>();
        for (V1ContainerPort p : nullSafe(main.getPorts())) {
            ports.add(new PortMapping(p.getContainerPort(), publishedPort(service, p), p.getProtocol()));
        }
        List<String> constraints = new ArrayList<>();
        nullSafe(podSpec.getNodeSelector()).forEach((k, v) -> constraints.add("node.labels." + k + "==" + v));
        return new WorkloadSpec(main.getImage(), main.getCommand(), main.getArgs(), env, ports,
                resourcesOf(main.getResources()), replicas, healthCheckOf(main), constraints, null,
                KubernetesSecretRefs.read(podSpec, main, namespace, keys));
    }

    /** Where an env value comes from, without the value itself: {@code <secretKeyRef db/password>}. */
    static String describe(V1EnvVarSource source) {
        if (source.getSecretKeyRef() != null) {
            return "<secretKeyRef " + source.getSecretKeyRef().getName() + "/" + source.getSecretKeyRef().getKey() + ">";
        }
        if (source.getConfigMapKeyRef() != null) {
            return "<configMapKeyRef " + source.getConfigMapKeyRef().getName() + "/"
                    + source.getConfigMapKeyRef().getKey() + ">";
        }
        if (source.getFieldRef() != null) {
            return "<fieldRef " + source.getFieldRef().getFieldPath() + ">";
        }
        if (source.getResourceFieldRef() != null) {
            return "<resourceFieldRef " + source.getResourceFieldRef().getResource() + ">";
        }
        return "<valueFrom>";
    }

    private static Integer publishedPort(V1Service service, V1ContainerPort port) {
        if (service == null || service.getSpec() == null) {
            return null;
        }
        for (V1ServicePort sp : nullSafe(service.getSpec().getPorts())) {
            IntOrString target = sp.getTargetPort();
            boolean matches = target == null ? sp.getPort().equals(port.getContainerPort())
                    : target.isInteger() ? target.getIntValue().equals(port.getContainerPort())
                    : target.getStrValue().equals(port.getName());
            if (matches) {
                return sp.getNodePort() != null && "NodePort".equals(service.getSpec().getType())
                        ? sp.getNodePort() : sp.getPort();
            }
        }
        return null;
    }

    static Resources resourcesOf(V1ResourceRequirements r) {
        if (r == null) {
            return Resources.NONE;
        }
        Map<String, Quantity> limits = nullSafe(r.getLimits());
        Map<String, Quantity> requests = nullSafe(r.getRequests());
        Quantity cpu = limits.getOrDefault("cpu", requests.get("cpu"));
        Quantity memory = limits.getOrDefault("memory", requests.get("memory"));
        return new Resources(cpu == null ? null : Quantities.parseCpuMillis(cpu.toSuffixedString()),
                memory == null ? null : Quantities.parseMemoryBytes(memory.toSuffixedString()));
    }

    private static HealthCheck healthCheckOf(V1Container c) {
        V1Probe probe = c.getReadinessProbe() != null ? c.getReadinessProbe() : c.getLivenessProbe();
        if (probe == null) {
            return null;
        }
        V1HTTPGetAction http = probe.getHttpGet();
        if (http != null) {
            return new HealthCheck(HealthCheck.Type.HTTP, http.getPath() == null ? "/" : http.getPath(),
                    portNumber(c, http.getPort()), List.of(), probe.getPeriodSeconds(), probe.getTimeoutSeconds());
        }
        V1TCPSocketAction tcp = probe.getTcpSocket();
        if (tcp != null) {
            return new HealthCheck(HealthCheck.Type.TCP, null, portNumber(c, tcp.getPort()), List.of(),
                    probe.getPeriodSeconds(), probe.getTimeoutSeconds());
        }
        V1ExecAction exec = probe.getExec();
        if (exec != null) {
            return new HealthCheck(HealthCheck.Type.COMMAND, null, null, exec.getCommand(), probe.getPeriodSeconds(),
                    probe.getTimeoutSeconds());
        }
        return null;
    }

    /** A probe port may name a container port ({@code port: http}); resolve it to its number. */
    private static Integer portNumber(V1Container c, IntOrString port) {
        if (port == null) {
            return null;
        }
        if (port.isInteger()) {
            return port.getIntValue();
        }
        return nullSafe(c.getPorts()).stream().filter(p -> port.getStrValue().equals(p.getName()))
                .map(V1ContainerPort::getContainerPort).findFirst().orElse(null);
    }

    /**
     * A core Event about a workload.
     *
     * @param workloadNativeId the workload it concerns, resolved by the caller from {@code involvedObject}
     */
    static EngineEvent toEvent(CoreV1Event e, String workloadNativeId) {
        Instant time = firstNonNull(instant(e.getLastTimestamp()), instant(e.getEventTime()),
                instant(e.getFirstTimestamp()), e.getMetadata() == null ? null : instant(e.getMetadata().getCreationTimestamp()));
        V1ObjectReference about = e.getInvolvedObject();
        String subject = about == null ? "" : about.getKind() + " " + about.getName() + ": ";
        return new EngineEvent(time, workloadNativeId, e.getType(), e.getReason(), subject + Objects.requireNonNullElse(e.getMessage(), ""));
    }

    static Node toNode(V1Node n) {
        String status = "UNKNOWN";
        if (n.getStatus() != null) {
            for (V1NodeCondition c : nullSafe(n.getStatus().getConditions())) {
                if ("Ready".equals(c.getType())) {
                    status = "True".equals(c.getStatus()) ? "READY" : "DOWN";
                }
            }
        }
        if (n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable()) && "READY".equals(status)) {
            status = "DRAINING";
        }
        Map<String, String> labels = nullSafe(n.getMetadata().getLabels());
        String role = labels.keySet().stream().filter(k -> k.startsWith("node-role.kubernetes.io/"))
                .map(k -> k.substring("node-role.kubernetes.io/".length())).sorted().findFirst().orElse("worker");
        String address = null;
        Long cpu = null;
        Long memory = null;
        if (n.getStatus() != null) {
            List<V1NodeAddress> addresses = nullSafe(n.getStatus().getAddresses());
            address = addresses.stream().filter(a -> "InternalIP".equals(a.getType())).map(V1NodeAddress::getAddress)
                    .findFirst().orElse(addresses.isEmpty() ? null : addresses.get(0).getAddress());
            Map<String, Quantity> allocatable = nullSafe(n.getStatus().getAllocatable());
            cpu = allocatable.containsKey("cpu") ? Quantities.parseCpuMillis(allocatable.get("cpu").toSuffixedString()) : null;
            memory = allocatable.containsKey("memory")
                    ? Quantities.parseMemoryBytes(allocatable.get("memory").toSuffixedString()) : null;
        }
        return new Node(n.getMetadata().getName(), address, status, role, cpu, memory, labels);
    }

    /** The object as JSON without managedFields and last-applied copies; env values with secret-looking names masked. */
    static String redactedJson(KubernetesObject object) {
        JsonObject json = KubernetesJson.gson().toJsonTree(object).getAsJsonObject();
        JsonObject meta = json.getAsJsonObject("metadata");
        if (meta != null) {
            meta.remove("managedFields");
            JsonObject annotations = meta.getAsJsonObject("annotations");
            if (annotations != null) {
                annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
            }
        }
        maskEnv(json);
        return json.toString();
    }

    private static void maskEnv(JsonElement element) {
        if (element instanceof JsonObject o) {
            for (var entry : o.entrySet()) {
                if ("env".equals(entry.getKey()) && entry.getValue() instanceof JsonArray env) {
                    for (JsonElement e : env) {
                        if (e instanceof JsonObject var && var.has("value") && var.has("name")
                                && SECRET_NAME.matcher(var.get("name").getAsString()).matches()) {
                            var.addProperty("value", "***");
                        }
                    }
                } else {
                    maskEnv(entry.getValue());
                }
            }
        } else if (element instanceof JsonArray a) {
            a.forEach(KubernetesWorkloadReader::maskEnv);
        }
    }
}
