package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.OWNER_LABEL;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.RESTARTED_AT;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.WORKLOAD_LABEL;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.refOf;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.template;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.templateOf;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Quantities;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadSpec;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetSpec;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1ExecAction;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes the model into Kubernetes objects (model -> engine): the object a definition deploys as, the
 * Service for its published ports, and the merge patches of update, scale and restart. Synthetic
 * labels ({@code gantry.io/*}) are never written.
 */
final class KubernetesWorkloadWriter {
    private static final String SYNTHETIC_PREFIX = "gantry.io/";
    private static final Pattern NODE_LABEL_CONSTRAINT = Pattern.compile("^node\\.labels\\.([^=!]+)==(.*)$");
    private static final int NODE_PORT_MIN = 30000;
    private static final int NODE_PORT_MAX = 32767;

    private KubernetesWorkloadWriter() {
    }

    /** The object to create for a definition, with {@code apiVersion}/{@code kind} set as the API server requires. */
    static KubernetesObject toNative(WorkloadDefinition def, String namespace) {
        NativeKind kind = NativeKind.forDeploy(def.kind());
        if (kind == null) {
            throw InvalidSpecException.of("kind", "Gantry deploys SERVICE, STATEFUL and DAEMON workloads on Kubernetes, not "
                    + def.kind());
        }
        validateName(def.name());
        return toObject(def, namespace, kind);
    }

    /**
     * The object for a definition without the name check of {@link #toNative}: a manifest of an existing
     * workload keeps its name, which the API server accepted as a DNS-1123 subdomain (dots allowed).
     */
    static KubernetesObject toObject(WorkloadDefinition def, String namespace, NativeKind kind) {
        V1ObjectMeta meta = new V1ObjectMeta().name(def.name()).namespace(namespace).labels(writableLabels(def.labels()));
        Map<String, String> selector = Map.of(WORKLOAD_LABEL, def.name());
        Map<String, String> podLabels = new LinkedHashMap<>(writableLabels(def.labels()));
        podLabels.putAll(selector);
        V1PodTemplateSpec template = new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(podLabels))
                .spec(podSpec(def.name(), def.spec()));
        V1LabelSelector labelSelector = new V1LabelSelector().matchLabels(selector);
        Integer replicas = def.spec().replicas() == null ? 1 : def.spec().replicas();
        if (replicas < 0) {
            throw InvalidSpecException.of("spec.replicas", "must not be negative");
        }
        return switch (kind) {
            case Deployment -> new V1Deployment().apiVersion("apps/v1").kind("Deployment").metadata(meta)
                    .spec(new V1DeploymentSpec().replicas(replicas).selector(labelSelector).template(template));
            case StatefulSet -> new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet").metadata(meta)
                    .spec(new V1StatefulSetSpec().replicas(replicas).serviceName(def.name()).selector(labelSelector)
                            .template(template));
            case DaemonSet -> new V1DaemonSet().apiVersion("apps/v1").kind("DaemonSet").metadata(meta)
                    .spec(new V1DaemonSetSpec().selector(labelSelector).template(template));
            default -> throw new IllegalStateException("not deployable: " + kind);
        };
    }

    /**
     * The Service that publishes a workload's ports, or {@code null} when none is published. A published
     * port inside the NodePort range (30000-32767) becomes that node port; any other becomes the port of
     * a LoadBalancer Service (which also gets a node port where no load balancer exists).
     */
    static V1Service toService(WorkloadRef ref, WorkloadSpec spec, Map<String, String> labels) {
        List<V1ServicePort> ports = new ArrayList<>();
        boolean allNodePorts = true;
        for (int i = 0; i < spec.ports().size(); i++) {
            PortMapping p = spec.ports().get(i);
            if (p.publishedPort() == null) {
                continue;
            }
            boolean nodePort = p.publishedPort() >= NODE_PORT_MIN && p.publishedPort() <= NODE_PORT_MAX;
            allNodePorts &= nodePort;
            ports.add(new V1ServicePort().name("p" + i).protocol(p.protocol().toUpperCase(Locale.ROOT))
                    .port(p.publishedPort()).targetPort(new IntOrString(p.containerPort()))
                    .nodePort(nodePort ? p.publishedPort() : null));
        }
        if (ports.isEmpty()) {
            return null;
        }
        Map<String, String> serviceLabels = new LinkedHashMap<>(writableLabels(labels));
        serviceLabels.put(OWNER_LABEL, ref.kind().name() + "." + ref.name());
        return new V1Service().apiVersion("v1").kind("Service")
                .metadata(new V1ObjectMeta().name(ref.name()).namespace(ref.namespace()).labels(serviceLabels))
                .spec(new V1ServiceSpec().type(allNodePorts ? "NodePort" : "LoadBalancer")
                        .selector(Map.of(WORKLOAD_LABEL, ref.name())).ports(ports));
    }

    /** The value of {@link #OWNER_LABEL} naming this workload. */
    static String ownerLabelValue(WorkloadRef ref) {
        return ref.kind().name() + "." + ref.name();
    }

    private static V1PodSpec podSpec(String name, WorkloadSpec spec) {
        if (spec.image() == null || spec.image().isBlank()) {
            throw InvalidSpecException.of("spec.image", "an image is required on Kubernetes");
        }
        V1Container main = applySpec(new V1Container().name(name), spec);
        V1PodSpec pod = new V1PodSpec().containers(List.of(main)).nodeSelector(nodeSelector(spec.constraints()));
        KubernetesSecretRefs.write(pod, main, spec.secrets());
        return pod;
    }

    /** The main container with the model's fields written over it; fields the model lacks are kept. */
    static V1Container applySpec(V1Container container, WorkloadSpec spec) {
        if (spec.image() == null || spec.image().isBlank()) {
            throw InvalidSpecException.of("spec.image", "an image is required on Kubernetes");
        }
        Map<String, V1EnvVarSource> existingSources = new LinkedHashMap<>();
        for (V1EnvVar e : nullSafe(container.getEnv())) {
            if (e.getValueFrom() != null) {
                existingSources.put(e.getName(), e.getValueFrom());
            }
        }
        List<V1EnvVar> env = new ArrayList<>();
        spec.env().forEach((k, v) -> {
            V1EnvVarSource source = existingSources.get(k);
            // a value read back as "<secretKeyRef ...>" is the description of a reference: keep the reference
            env.add(source != null && KubernetesWorkloadReader.describe(source).equals(v) ? new V1EnvVar().name(k).valueFrom(source)
                    : new V1EnvVar().name(k).value(v));
        });
        List<V1ContainerPort> ports = new ArrayList<>();
        for (int i = 0; i < spec.ports().size(); i++) {
            PortMapping p = spec.ports().get(i);
            if (p.containerPort() < 1 || p.containerPort() > 65535) {
                throw InvalidSpecException.of("spec.ports[" + i + "].containerPort", "must be between 1 and 65535");
            }
            ports.add(new V1ContainerPort().containerPort(p.containerPort()).protocol(p.protocol().toUpperCase(Locale.ROOT)));
        }
        container.image(spec.image()).command(spec.command().isEmpty() ? null : new ArrayList<>(spec.command()))
                .args(spec.args().isEmpty() ? null : new ArrayList<>(spec.args()))
                .env(env.isEmpty() ? null : env).ports(ports.isEmpty() ? null : ports)
                .resources(resources(container.getResources(), spec.resources()));
        V1Probe probe = probe(spec.healthCheck());
        if (container.getReadinessProbe() == null && container.getLivenessProbe() != null) {
            container.livenessProbe(probe);
        } else {
            container.readinessProbe(probe);
        }
        return container;
    }

    /** Limits from the model; an existing request above the new limit is lowered to it (the API rejects request > limit). */
    private static V1ResourceRequirements resources(V1ResourceRequirements existing, Resources r) {
        V1ResourceRequirements out = existing == null ? new V1ResourceRequirements() : existing;
        Map<String, Quantity> limits = new LinkedHashMap<>(nullSafe(out.getLimits()));
        Map<String, Quantity> requests = new LinkedHashMap<>(nullSafe(out.getRequests()));
        setQuantity(limits, requests, "cpu", r.cpuMillis() == null ? null : Quantities.formatCpu(r.cpuMillis()));
        setQuantity(limits, requests, "memory", r.memoryBytes() == null ? null : Quantities.formatMemory(r.memoryBytes()));
        return out.limits(limits.isEmpty() ? null : limits).requests(requests.isEmpty() ? null : requests);
    }

    private static void setQuantity(Map<String, Quantity> limits, Map<String, Quantity> requests, String name, String value) {
        if (value == null) {
            limits.remove(name);
            return;
        }
        Quantity limit = Quantity.fromString(value);
        limits.put(name, limit);
        Quantity request = requests.get(name);
        if (request != null && request.getNumber().compareTo(limit.getNumber()) > 0) {
            requests.put(name, limit);
        }
    }

    private static V1Probe probe(HealthCheck h) {
        if (h == null) {
            return null;
        }
        V1Probe p = new V1Probe().periodSeconds(h.intervalSeconds()).timeoutSeconds(h.timeoutSeconds());
        return switch (h.type()) {
            case HTTP -> p.httpGet(new V1HTTPGetAction().path(h.path() == null ? "/" : h.path())
                    .port(new IntOrString(requirePort(h))));
            case TCP -> p.tcpSocket(new V1TCPSocketAction().port(new IntOrString(requirePort(h))));
            case COMMAND -> p.exec(new V1ExecAction().command(new ArrayList<>(h.command())));
        };
    }

    private static int requirePort(HealthCheck h) {
        if (h.port() == null) {
            throw InvalidSpecException.of("spec.healthCheck.port", "required for " + h.type() + " checks");
        }
        return h.port();
    }

    /** {@code node.labels.KEY==VALUE} constraints as a nodeSelector; other forms cannot be expressed there. */
    static Map<String, String> nodeSelector(List<String> constraints) {
        Map<String, String> selector = new LinkedHashMap<>();
        for (int i = 0; i < constraints.size(); i++) {
            var m = NODE_LABEL_CONSTRAINT.matcher(constraints.get(i).trim());
            if (!m.matches()) {
                throw InvalidSpecException.of("spec.constraints[" + i + "]",
                        "only node.labels.KEY==VALUE is supported on Kubernetes");
            }
            selector.put(m.group(1).trim(), m.group(2).trim());
        }
        return selector.isEmpty() ? null : selector;
    }

    /**
     * A JSON merge patch (RFC 7386) that replaces the spec of {@code current}. Lists are replaced
     * whole by a merge patch, so the containers list is sent complete with the sidecars unchanged;
     * the resourceVersion makes the API server refuse it with 409 if the object changed meanwhile.
     */
    static String specPatch(KubernetesObject current, WorkloadSpec spec) {
        V1PodTemplateSpec template = templateOf(current);
        if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null
                || template.getSpec().getContainers().isEmpty()) {
            throw InvalidSpecException.of("spec", "the workload has no pod template to update");
        }
        List<V1Container> containers = new ArrayList<>(template.getSpec().getContainers());
        containers.set(0, applySpec(containers.get(0), spec));
        KubernetesSecretRefs.write(template.getSpec(), containers.get(0), spec.secrets());
        JsonObject podSpec = new JsonObject();
        podSpec.add("containers", KubernetesJson.gson().toJsonTree(containers));
        // lists are replaced whole by a merge patch: the volumes go complete (null removes the last one)
        podSpec.add("volumes", template.getSpec().getVolumes() == null ? JsonNull.INSTANCE
                : KubernetesJson.gson().toJsonTree(template.getSpec().getVolumes()));
        Map<String, String> newSelector = nodeSelector(spec.constraints());
        JsonObject selector = new JsonObject();
        nullSafe(template.getSpec().getNodeSelector()).keySet().forEach(k -> selector.add(k, JsonNull.INSTANCE));
        nullSafe(newSelector).forEach(selector::addProperty);
        podSpec.add("nodeSelector", selector);
        JsonObject templateJson = new JsonObject();
        templateJson.add("spec", podSpec);
        JsonObject specJson = new JsonObject();
        NativeKind kind = refOf(current).kind();
        if (kind == NativeKind.CronJob) {
            JsonObject jobSpec = new JsonObject();
            jobSpec.add("template", templateJson);
            JsonObject jobTemplate = new JsonObject();
            jobTemplate.add("spec", jobSpec);
            specJson.add("jobTemplate", jobTemplate);
        } else {
            specJson.add("template", templateJson);
        }
        if (spec.replicas() != null && (kind == NativeKind.Deployment || kind == NativeKind.StatefulSet
                || kind == NativeKind.ReplicaSet)) {
            specJson.addProperty("replicas", spec.replicas());
        }
        JsonObject metadata = new JsonObject();
        metadata.addProperty("resourceVersion", current.getMetadata().getResourceVersion());
        JsonObject patch = new JsonObject();
        patch.add("metadata", metadata);
        patch.add("spec", specJson);
        return patch.toString();
    }

    /**
     * The merge patch of a rollback, as {@code kubectl rollout undo} makes it: the object's pod template becomes
     * {@code target} (a ReplicaSet's or ControllerRevision's) and its change-cause annotation says why. kubectl
     * replaces {@code /spec/template} with a JSON patch; a merge patch replaces only lists, so every field of the
     * current template that the target lacks is sent as {@code null}. The resourceVersion makes the API server
     * refuse it with 409 if the object changed meanwhile.
     */
    static String rollbackPatch(KubernetesObject current, V1PodTemplateSpec target, String changeCause) {
        JsonObject spec = new JsonObject();
        spec.add("template", mergeDiff(KubernetesJson.gson().toJsonTree(templateOf(current)),
                KubernetesJson.gson().toJsonTree(target)));
        JsonObject annotations = new JsonObject();
        annotations.addProperty(KubernetesRevisionReader.CHANGE_CAUSE, changeCause);
        JsonObject metadata = new JsonObject();
        metadata.addProperty("resourceVersion", current.getMetadata().getResourceVersion());
        metadata.add("annotations", annotations);
        JsonObject patch = new JsonObject();
        patch.add("metadata", metadata);
        patch.add("spec", spec);
        return patch.toString();
    }

    /** The RFC 7386 merge patch that turns {@code from} into {@code to}: objects field by field, anything else whole. */
    static JsonElement mergeDiff(JsonElement from, JsonElement to) {
        if (!(from instanceof JsonObject f) || !(to instanceof JsonObject t)) {
            return to == null ? JsonNull.INSTANCE : to;
        }
        JsonObject patch = new JsonObject();
        for (var entry : t.entrySet()) {
            JsonElement before = f.get(entry.getKey());
            if (!entry.getValue().equals(before)) {
                patch.add(entry.getKey(), mergeDiff(before, entry.getValue()));
            }
        }
        for (String key : f.keySet()) {
            if (!t.has(key)) {
                patch.add(key, JsonNull.INSTANCE);
            }
        }
        return patch;
    }

    static String replicasPatch(int replicas) {
        JsonObject spec = new JsonObject();
        spec.addProperty("replicas", replicas);
        JsonObject patch = new JsonObject();
        patch.add("spec", spec);
        return patch.toString();
    }

    /** The patch {@code kubectl rollout restart} sends: a new template annotation rolls every pod. */
    static String restartPatch(Instant now) {
        JsonObject annotations = new JsonObject();
        annotations.addProperty(RESTARTED_AT, now.toString());
        JsonObject metadata = new JsonObject();
        metadata.add("annotations", annotations);
        JsonObject template = new JsonObject();
        template.add("metadata", metadata);
        JsonObject spec = new JsonObject();
        spec.add("template", template);
        JsonObject patch = new JsonObject();
        patch.add("spec", spec);
        return patch.toString();
    }

    private static final Pattern DNS_1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

    /**
     * Names must be DNS-1123 labels: the Service Gantry creates for published ports takes the same
     * name, and Service names are labels of at most 63 characters.
     */
    static void validateName(String name) {
        if (name == null || name.isEmpty() || name.length() > 63 || !DNS_1123_LABEL.matcher(name).matches()) {
            throw InvalidSpecException.of("name", "'" + name + "' is not a DNS-1123 label: lower-case letters, digits "
                    + "and '-', starting and ending with a letter or digit, at most 63 characters");
        }
    }

    static void validateNamespace(String namespace) {
        if (namespace.length() > 63 || !DNS_1123_LABEL.matcher(namespace).matches()) {
            throw InvalidSpecException.of("namespace", "'" + namespace + "' is not a valid Kubernetes namespace name");
        }
    }

    private static Map<String, String> writableLabels(Map<String, String> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        labels.forEach((k, v) -> {
            if (!k.startsWith(SYNTHETIC_PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
