package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.SCHEDULE_LABEL;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.instant;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.orZero;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.template;

import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.WorkloadStatus;
import io.kubernetes.client.common.KubernetesObject;
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
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetCondition;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StatefulSetStatus;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The status rules of Kubernetes workloads: per kind, what the controller's status and conditions
 * say (replicas ready and available, a rollout under way as {@code kubectl rollout status} judges it,
 * failure conditions), and per pod, the instance state (a container waiting in a crash loop or an
 * image pull failure is FAILED). {@link io.gantry.spi.PhaseRule} turns the counts into the phase.
 */
final class KubernetesStatusRules {
    private static final Set<String> FAILING_WAIT_REASONS = Set.of("CrashLoopBackOff", "ImagePullBackOff",
            "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
            "RunContainerError");

    private KubernetesStatusRules() {
    }

    /** What the object's status and spec say of it, by kind; {@code object} is a workload object ({@code refOf} not null). */
    static Observed observe(KubernetesObject object) {
        if (object instanceof V1Deployment d) {
            return deployment(d);
        } else if (object instanceof V1StatefulSet s) {
            return statefulSet(s);
        } else if (object instanceof V1DaemonSet d) {
            return daemonSet(d);
        } else if (object instanceof V1ReplicaSet r) {
            return replicaSet(r);
        } else if (object instanceof V1Job j) {
            return job(j);
        }
        return cronJob((V1CronJob) object);
    }

    private static Observed deployment(V1Deployment d) {
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
        return new Observed(template(spec == null ? null : spec.getTemplate()), desired, counts,
                messages, Map.of(), true);
    }

    private static Observed replicaSet(V1ReplicaSet r) {
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
        return new Observed(template(r.getSpec() == null ? null : r.getSpec().getTemplate()),
                desired, counts, messages, Map.of(), true);
    }

    private static Observed statefulSet(V1StatefulSet s) {
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
        return new Observed(template(spec == null ? null : spec.getTemplate()), desired, counts,
                new ArrayList<>(), Map.of(), true);
    }

    private static Observed daemonSet(V1DaemonSet d) {
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
        return new Observed(template(spec == null ? null : spec.getTemplate()), null,
                new Counts(desired, ready, available, rollout, false), messages, Map.of(), true);
    }

    private static Observed job(V1Job j) {
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
        return new Observed(template(spec == null ? null : spec.getTemplate()), parallelism,
                new Counts(desired, active, ready, false, complete, failedPods), messages, Map.of(), false);
    }

    private static Observed cronJob(V1CronJob c) {
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
        return new Observed(template(template), null, new Counts(active, active, active, false, false),
                messages, extra, false);
    }

    /**
     * What the reader needs of a workload object besides its metadata.
     *
     * @param replicas  the model's replica count ({@code null} for DaemonSets and CronJobs, which have none)
     * @param publishes whether a published-ports Service can belong to it (Jobs and CronJobs publish nothing)
     */
    record Observed(V1PodSpec podSpec, Integer replicas, Counts counts, List<String> messages,
                    Map<String, String> extraLabels, boolean publishes) {
    }

    /** @param failed instances known to have failed besides those in the pod list (a Job's status.failed) */
    record Counts(int desired, int running, int healthy, boolean rollout, boolean completed, int failed) {
        Counts(int desired, int running, int healthy, boolean rollout, boolean completed) {
            this(desired, running, healthy, rollout, completed, 0);
        }
    }

    /** The status of a workload: its counts and conditions with what its instances say. */
    static WorkloadStatus status(Observed observed, List<Instance> instances, boolean healthChecked) {
        Counts counts = observed.counts();
        List<String> messages = new ArrayList<>(observed.messages());
        int failed = (int) instances.stream().filter(i -> i.state() == InstanceState.FAILED).count();
        int started = (int) instances.stream().filter(i -> i.state() != InstanceState.PENDING).count();
        for (Instance i : instances) {
            if (!i.message().isEmpty() && i.state() != InstanceState.RUNNING && i.state() != InstanceState.EXITED) {
                messages.add(i.id() + ": " + i.message());
            }
        }
        failed = Math.max(failed, counts.failed());
        var facts = new PhaseRule.Facts(counts.desired(), counts.running(), counts.healthy(),
                healthChecked, counts.rollout() ? Rollout.PROGRESSING : Rollout.NONE, failed, Math.max(started, counts.running() + failed),
                counts.completed());
        // the message says why a workload is not RUNNING (WorkloadStatus): a running one has none
        String message = PhaseRule.phase(facts) == Phase.RUNNING ? "" : String.join("; ", new LinkedHashSet<>(messages));
        return PhaseRule.status(facts, message, null);
    }

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
                String.join(", ", message), "");
    }

    private static Integer firstPort(V1PodSpec spec) {
        if (spec == null || spec.getContainers() == null || spec.getContainers().isEmpty()) {
            return null;
        }
        List<V1ContainerPort> ports = nullSafe(spec.getContainers().get(0).getPorts());
        return ports.isEmpty() ? null : ports.get(0).getContainerPort();
    }

    private static boolean generationObserved(V1ObjectMeta meta, Long observed) {
        Long generation = meta == null ? null : meta.getGeneration();
        return generation == null || observed == null || observed >= generation;
    }
}
