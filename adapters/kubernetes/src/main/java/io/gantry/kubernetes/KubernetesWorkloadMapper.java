package io.gantry.kubernetes;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.gantry.spi.EngineEvent;
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
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetSpec;
import io.kubernetes.client.openapi.models.V1DaemonSetStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1ExecAction;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetCondition;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StatefulSetStatus;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The only class that sees both client-java's types and the model.
 *
 * <p>Reading a pod template: the first entry of {@code spec.containers} (init containers are a
 * separate list) is the main container and fills the spec; the names of the other containers are
 * listed, comma-separated, in the synthetic label {@value #SIDECARS_LABEL}. A CronJob's schedule is in
 * the synthetic label {@value #SCHEDULE_LABEL}. Synthetic labels ({@code gantry.io/*}) are never
 * written back to Kubernetes. Resources come from the main container's limits, or its requests when
 * it has no limit. The health check comes from the readiness probe, or the liveness probe when
 * there is no readiness probe. Pod restarts and waiting reasons are in each instance's message.
 */
final class KubernetesWorkloadMapper {
    static final String SIDECARS_LABEL = "gantry.io/sidecars";
    static final String SCHEDULE_LABEL = "gantry.io/schedule";
    /** Selector label Gantry puts on what it deploys; its value is the workload name. */
    static final String WORKLOAD_LABEL = "gantry.io/workload";
    /** On a Service Gantry created for published ports: {@code Kind.name} of the workload it belongs to. */
    static final String OWNER_LABEL = "gantry.io/owner";
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    private static final String SYNTHETIC_PREFIX = "gantry.io/";
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|token|key|credential).*");
    private static final Pattern NODE_LABEL_CONSTRAINT = Pattern.compile("^node\\.labels\\.([^=!]+)==(.*)$");
    private static final Set<String> FAILING_WAIT_REASONS = Set.of("CrashLoopBackOff", "ImagePullBackOff",
            "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
            "RunContainerError");
    private static final int NODE_PORT_MIN = 30000;
    private static final int NODE_PORT_MAX = 32767;

    private KubernetesWorkloadMapper() {
    }

    // ---------------------------------------------------------------- reading workloads

    /** The reference of a workload object, or {@code null} when the object is not one Gantry reads. */
    static WorkloadRef refOf(KubernetesObject object) {
        NativeKind kind = object instanceof V1Deployment ? NativeKind.Deployment
                : object instanceof V1StatefulSet ? NativeKind.StatefulSet
                : object instanceof V1DaemonSet ? NativeKind.DaemonSet
                : object instanceof V1ReplicaSet ? NativeKind.ReplicaSet
                : object instanceof V1Job ? NativeKind.Job
                : object instanceof V1CronJob ? NativeKind.CronJob
                : null;
        V1ObjectMeta meta = object.getMetadata();
        if (kind == null || meta == null || meta.getName() == null) {
            return null;
        }
        return new WorkloadRef(namespaceOf(meta), kind, meta.getName());
    }

    /**
     * Maps a workload object with the pods it owns and the Service Gantry created for it.
     *
     * @param pods    pods owned by the object (directly or through its ReplicaSets or Jobs); may be empty
     * @param service the published-ports Service, or {@code null}
     */
    static Workload toWorkload(KubernetesObject object, List<V1Pod> pods, V1Service service) {
        WorkloadRef ref = Objects.requireNonNull(refOf(object), "not a workload object");
        List<Instance> instances = pods.stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .map(KubernetesWorkloadMapper::toInstance)
                .toList();
        if (object instanceof V1Deployment d) {
            return deployment(ref, d, instances, service);
        } else if (object instanceof V1StatefulSet s) {
            return statefulSet(ref, s, instances, service);
        } else if (object instanceof V1DaemonSet d) {
            return daemonSet(ref, d, instances, service);
        } else if (object instanceof V1ReplicaSet r) {
            return replicaSet(ref, r, instances, service);
        } else if (object instanceof V1Job j) {
            return job(ref, j, instances);
        }
        return cronJob(ref, (V1CronJob) object, instances);
    }

    private static Workload deployment(WorkloadRef ref, V1Deployment d, List<Instance> instances, V1Service service) {
        V1DeploymentSpec spec = d.getSpec();
        V1DeploymentStatus st = d.getStatus() == null ? new V1DeploymentStatus() : d.getStatus();
        int desired = spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
        int updated = orZero(st.getUpdatedReplicas());
        List<String> messages = new ArrayList<>();
        boolean deadlineExceeded = false;
        for (V1DeploymentCondition c : nullSafe(st.getConditions())) {
            boolean isTrue = "True".equals(c.getStatus());
            if ("ReplicaFailure".equals(c.getType()) && isTrue) {
                messages.add("ReplicaFailure: " + c.getMessage());
            } else if ("Progressing".equals(c.getType()) && !isTrue) {
                deadlineExceeded = "ProgressDeadlineExceeded".equals(c.getReason());
                messages.add(c.getReason() + ": " + c.getMessage());
            } else if ("Available".equals(c.getType()) && !isTrue && desired > 0) {
                messages.add(c.getReason() + ": " + c.getMessage());
            }
        }
        // kubectl rollout status: the new generation must be observed, every replica updated and
        // the old ones gone. Availability is left to the counts, so a crash loop after a finished
        // rollout reads as DEGRADED/FAILED rather than an endless DEPLOYING.
        boolean rollout = !deadlineExceeded && (!generationObserved(d.getMetadata(), st.getObservedGeneration())
                || updated < desired || orZero(st.getReplicas()) > updated);
        Counts counts = new Counts(desired, orZero(st.getReadyReplicas()), orZero(st.getAvailableReplicas()),
                rollout, false);
        return workload(ref, d.getMetadata(), template(spec == null ? null : spec.getTemplate()), desired, counts,
                messages, Map.of(), instances, service, d);
    }

    private static Workload replicaSet(WorkloadRef ref, V1ReplicaSet r, List<Instance> instances, V1Service service) {
        int desired = r.getSpec() == null || r.getSpec().getReplicas() == null ? 1 : r.getSpec().getReplicas();
        var st = r.getStatus();
        List<String> messages = new ArrayList<>();
        if (st != null) {
            for (V1ReplicaSetCondition c : nullSafe(st.getConditions())) {
                if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                    messages.add("ReplicaFailure: " + c.getMessage());
                }
            }
        }
        boolean rollout = st != null && !generationObserved(r.getMetadata(), st.getObservedGeneration());
        Counts counts = st == null ? new Counts(desired, 0, 0, false, false)
                : new Counts(desired, orZero(st.getReadyReplicas()), orZero(st.getAvailableReplicas()), rollout, false);
        return workload(ref, r.getMetadata(), template(r.getSpec() == null ? null : r.getSpec().getTemplate()),
                desired, counts, messages, Map.of(), instances, service, r);
    }

    private static Workload statefulSet(WorkloadRef ref, V1StatefulSet s, List<Instance> instances, V1Service service) {
        V1StatefulSetSpec spec = s.getSpec();
        V1StatefulSetStatus st = s.getStatus() == null ? new V1StatefulSetStatus() : s.getStatus();
        int desired = spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
        int ready = orZero(st.getReadyReplicas());
        // availableReplicas arrived in 1.22; older servers only report readyReplicas
        int available = st.getAvailableReplicas() == null ? ready : st.getAvailableReplicas();
        boolean onDelete = spec != null && spec.getUpdateStrategy() != null
                && "OnDelete".equals(spec.getUpdateStrategy().getType());
        boolean revisionPending = st.getUpdateRevision() != null && st.getCurrentRevision() != null
                && !st.getUpdateRevision().equals(st.getCurrentRevision());
        boolean rollout = !generationObserved(s.getMetadata(), st.getObservedGeneration())
                || (!onDelete && st.getUpdatedReplicas() != null && st.getUpdatedReplicas() < desired)
                || (!onDelete && revisionPending);
        Counts counts = new Counts(desired, ready, available, rollout, false);
        return workload(ref, s.getMetadata(), template(spec == null ? null : spec.getTemplate()), desired, counts,
                new ArrayList<>(), Map.of(), instances, service, s);
    }

    private static Workload daemonSet(WorkloadRef ref, V1DaemonSet d, List<Instance> instances, V1Service service) {
        V1DaemonSetSpec spec = d.getSpec();
        V1DaemonSetStatus st = d.getStatus();
        int desired = st == null ? 0 : st.getDesiredNumberScheduled();
        int ready = st == null ? 0 : st.getNumberReady();
        int available = st == null || st.getNumberAvailable() == null ? ready : st.getNumberAvailable();
        boolean onDelete = spec != null && spec.getUpdateStrategy() != null
                && "OnDelete".equals(spec.getUpdateStrategy().getType());
        boolean rollout = st != null && (!generationObserved(d.getMetadata(), st.getObservedGeneration())
                || (!onDelete && orZero(st.getUpdatedNumberScheduled()) < desired));
        List<String> messages = new ArrayList<>();
        if (st != null && st.getNumberMisscheduled() > 0) {
            messages.add(st.getNumberMisscheduled() + " pods running on nodes they should not");
        }
        // a DaemonSet's replica count follows the nodes: the model's replicas stay null (WorkloadSpec)
        return workload(ref, d.getMetadata(), template(spec == null ? null : spec.getTemplate()), null,
                new Counts(desired, ready, available, rollout, false), messages, Map.of(), instances, service, d);
    }

    private static Workload job(WorkloadRef ref, V1Job j, List<Instance> instances) {
        var spec = j.getSpec();
        var st = j.getStatus();
        int parallelism = spec == null || spec.getParallelism() == null ? 1 : spec.getParallelism();
        boolean complete = false;
        boolean failed = false;
        List<String> messages = new ArrayList<>();
        if (st != null) {
            for (V1JobCondition c : nullSafe(st.getConditions())) {
                if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
                    complete = true;
                } else if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
                    failed = true;
                    messages.add(c.getReason() + ": " + c.getMessage());
                }
            }
        }
        // a failed Job's pods may already be garbage-collected: its status still counts them
        int failedPods = failed ? Math.max(1, st.getFailed() == null ? 0 : st.getFailed()) : 0;
        boolean suspended = spec != null && Boolean.TRUE.equals(spec.getSuspend());
        int desired = suspended ? 0 : parallelism;
        int active = st == null ? 0 : orZero(st.getActive());
        int ready = st == null || st.getReady() == null ? active : st.getReady();
        return workload(ref, j.getMetadata(), template(spec == null ? null : spec.getTemplate()), parallelism,
                new Counts(desired, active, ready, false, complete, failedPods), messages, Map.of(), instances, null, j);
    }

    private static Workload cronJob(WorkloadRef ref, V1CronJob c, List<Instance> instances) {
        var spec = c.getSpec();
        boolean suspended = spec != null && Boolean.TRUE.equals(spec.getSuspend());
        int active = c.getStatus() == null ? 0 : nullSafe(c.getStatus().getActive()).size();
        List<String> messages = new ArrayList<>();
        if (suspended) {
            messages.add("suspended");
        } else if (active == 0) {
            OffsetDateTime last = c.getStatus() == null ? null : c.getStatus().getLastScheduleTime();
            messages.add("waiting for schedule" + (last == null ? "" : ", last run " + last.toInstant()));
        }
        // between runs a CronJob wants no replicas: it reads STOPPED with the schedule in the message
        Map<String, String> extra = spec == null ? Map.of() : Map.of(SCHEDULE_LABEL, spec.getSchedule());
        V1PodTemplateSpec template = spec == null || spec.getJobTemplate().getSpec() == null ? null
                : spec.getJobTemplate().getSpec().getTemplate();
        return workload(ref, c.getMetadata(), template(template), null, new Counts(active, active, active, false, false),
                messages, extra, instances, null, c);
    }

    /** @param failed instances known to have failed besides those in the pod list (a Job's status.failed) */
    private record Counts(int desired, int running, int healthy, boolean rollout, boolean completed, int failed) {
        Counts(int desired, int running, int healthy, boolean rollout, boolean completed) {
            this(desired, running, healthy, rollout, completed, 0);
        }
    }

    private static Workload workload(WorkloadRef ref, V1ObjectMeta meta, V1PodSpec podSpec, Integer replicas,
                                     Counts counts, List<String> messages, Map<String, String> extraLabels,
                                     List<Instance> instances, V1Service service, KubernetesObject nativeObject) {
        V1Container main = podSpec == null || podSpec.getContainers() == null || podSpec.getContainers().isEmpty()
                ? null : podSpec.getContainers().get(0);
        Map<String, String> labels = new LinkedHashMap<>(nullSafe(meta.getLabels()));
        labels.putAll(extraLabels);
        if (podSpec != null && podSpec.getContainers() != null && podSpec.getContainers().size() > 1) {
            labels.put(SIDECARS_LABEL, String.join(",", podSpec.getContainers().subList(1, podSpec.getContainers().size())
                    .stream().map(V1Container::getName).toList()));
        }
        WorkloadSpec spec = specOf(podSpec, main, replicas, service);
        int failed = (int) instances.stream().filter(i -> i.state() == InstanceState.FAILED).count();
        int started = (int) instances.stream().filter(i -> i.state() != InstanceState.PENDING).count();
        for (Instance i : instances) {
            if (!i.message().isEmpty() && i.state() != InstanceState.RUNNING && i.state() != InstanceState.EXITED) {
                messages.add(i.id() + ": " + i.message());
            }
        }
        failed = Math.max(failed, counts.failed());
        var facts = new PhaseRule.Facts(counts.desired(), counts.running(), counts.healthy(),
                spec.healthCheck() != null, counts.rollout(), failed, Math.max(started, counts.running() + failed),
                counts.completed());
        // the message says why a workload is not RUNNING (WorkloadStatus): a running one has none
        String message = PhaseRule.phase(facts) == Phase.RUNNING ? "" : String.join("; ", new LinkedHashSet<>(messages));
        WorkloadStatus status = PhaseRule.status(facts, message, null);
        return new Workload(ref.nativeId(), ref.namespace(), ref.name(), ref.kind().modelKind(), labels, spec, status,
                instances, instant(meta.getCreationTimestamp()), redactedJson(nativeObject));
    }

    private static WorkloadSpec specOf(V1PodSpec podSpec, V1Container main, Integer replicas, V1Service service) {
        if (main == null) {
            return WorkloadSpec.of(null, replicas);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (V1EnvVar e : nullSafe(main.getEnv())) {
            env.put(e.getName(), e.getValueFrom() == null ? Objects.requireNonNullElse(e.getValue(), "")
                    : describe(e.getValueFrom()));
        }
        List<PortMapping> ports = new ArrayList<>();
        for (V1ContainerPort p : nullSafe(main.getPorts())) {
            ports.add(new PortMapping(p.getContainerPort(), publishedPort(service, p), p.getProtocol()));
        }
        List<String> constraints = new ArrayList<>();
        nullSafe(podSpec.getNodeSelector()).forEach((k, v) -> constraints.add("node.labels." + k + "==" + v));
        return new WorkloadSpec(main.getImage(), main.getCommand(), main.getArgs(), env, ports,
                resourcesOf(main.getResources()), replicas, healthCheckOf(main), constraints, null);
    }

    /** Where an env value comes from, without the value itself: {@code <secretKeyRef db/password>}. */
    private static String describe(V1EnvVarSource source) {
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

    // ---------------------------------------------------------------- pods, events, nodes

    /** A pod as an instance; the main container's waiting reason and the restart count go to the message. */
    static Instance toInstance(V1Pod pod) {
        var st = pod.getStatus();
        String phase = st == null || st.getPhase() == null ? "Pending" : st.getPhase();
        List<V1ContainerStatus> statuses = st == null ? List.of() : nullSafe(st.getContainerStatuses());
        String waitingReason = null;
        String terminatedReason = null;
        Integer exitCode = null;
        int restarts = 0;
        boolean allReady = !statuses.isEmpty();
        for (V1ContainerStatus cs : statuses) {
            restarts += cs.getRestartCount();
            allReady &= cs.getReady();
            V1ContainerState state = cs.getState();
            if (state != null && state.getWaiting() != null && waitingReason == null) {
                waitingReason = state.getWaiting().getReason();
            }
            if (state != null && state.getTerminated() != null && exitCode == null) {
                exitCode = state.getTerminated().getExitCode();
                terminatedReason = state.getTerminated().getReason();
            }
        }
        boolean failing = waitingReason != null && FAILING_WAIT_REASONS.contains(waitingReason);
        InstanceState state = switch (phase) {
            case "Running" -> failing ? InstanceState.FAILED : allReady ? InstanceState.RUNNING : InstanceState.STARTING;
            case "Succeeded" -> InstanceState.EXITED;
            case "Failed" -> InstanceState.FAILED;
            default -> failing ? InstanceState.FAILED
                    : pod.getSpec() != null && pod.getSpec().getNodeName() != null ? InstanceState.STARTING
                    : InstanceState.PENDING;
        };
        List<String> message = new ArrayList<>();
        if (waitingReason != null && !"ContainerCreating".equals(waitingReason)) {
            message.add(waitingReason);
        } else if (state == InstanceState.FAILED && terminatedReason != null) {
            message.add(terminatedReason);
        } else if (state == InstanceState.FAILED && st != null && st.getReason() != null) {
            message.add(st.getReason());
        }
        if (restarts > 0) {
            message.add("restarts " + restarts);
        }
        if (state == InstanceState.STARTING && "Running".equals(phase)) {
            message.add("not ready");
        }
        String address = null;
        if (st != null && st.getPodIP() != null) {
            Integer port = firstPort(pod.getSpec());
            address = port == null ? st.getPodIP() : st.getPodIP() + ":" + port;
        }
        return new Instance(pod.getMetadata().getName(), pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
                state, st == null ? null : instant(st.getStartTime()), address,
                state == InstanceState.EXITED || state == InstanceState.FAILED ? exitCode : null,
                String.join(", ", message));
    }

    private static Integer firstPort(V1PodSpec spec) {
        if (spec == null || spec.getContainers() == null || spec.getContainers().isEmpty()) {
            return null;
        }
        List<V1ContainerPort> ports = nullSafe(spec.getContainers().get(0).getPorts());
        return ports.isEmpty() ? null : ports.get(0).getContainerPort();
    }

    /** The controller owning an object ({@code ownerReferences} entry with {@code controller: true}), or null. */
    static V1OwnerReference controllerOf(V1ObjectMeta meta) {
        if (meta == null) {
            return null;
        }
        return nullSafe(meta.getOwnerReferences()).stream()
                .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst()
                .orElse(nullSafe(meta.getOwnerReferences()).stream().findFirst().orElse(null));
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

    // ---------------------------------------------------------------- writing

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
        return new V1PodSpec().containers(List.of(main)).nodeSelector(nodeSelector(spec.constraints()));
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
            env.add(source != null && describe(source).equals(v) ? new V1EnvVar().name(k).valueFrom(source)
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
        JsonObject podSpec = new JsonObject();
        podSpec.add("containers", KubernetesJson.gson().toJsonTree(containers));
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

    static V1PodTemplateSpec templateOf(KubernetesObject object) {
        if (object instanceof V1Deployment d) {
            return d.getSpec() == null ? null : d.getSpec().getTemplate();
        } else if (object instanceof V1StatefulSet s) {
            return s.getSpec() == null ? null : s.getSpec().getTemplate();
        } else if (object instanceof V1DaemonSet d) {
            return d.getSpec() == null ? null : d.getSpec().getTemplate();
        } else if (object instanceof V1ReplicaSet r) {
            return r.getSpec() == null ? null : r.getSpec().getTemplate();
        } else if (object instanceof V1Job j) {
            return j.getSpec() == null ? null : j.getSpec().getTemplate();
        } else if (object instanceof V1CronJob c) {
            return c.getSpec() == null || c.getSpec().getJobTemplate().getSpec() == null ? null
                    : c.getSpec().getJobTemplate().getSpec().getTemplate();
        }
        return null;
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

    // ---------------------------------------------------------------- helpers

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
            a.forEach(KubernetesWorkloadMapper::maskEnv);
        }
    }

    private static V1PodSpec template(V1PodTemplateSpec template) {
        return template == null ? null : template.getSpec();
    }

    private static boolean generationObserved(V1ObjectMeta meta, Long observed) {
        Long generation = meta == null ? null : meta.getGeneration();
        return generation == null || observed == null || observed >= generation;
    }

    static String namespaceOf(V1ObjectMeta meta) {
        return meta.getNamespace() == null ? "default" : meta.getNamespace();
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> nullSafe(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
