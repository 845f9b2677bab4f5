package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.SCHEDULE_LABEL;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.orZero;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.template;

import io.gantry.spi.Instance;
import io.gantry.spi.InstanceReasons;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.StatusRule;
import io.gantry.spi.WorkloadStatus;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1CronJobStatus;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1DaemonSetSpec;
import io.kubernetes.client.openapi.models.V1DaemonSetStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1JobStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetCondition;
import io.kubernetes.client.openapi.models.V1ReplicaSetStatus;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StatefulSetStatus;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The status rules of Kubernetes workloads, one ordered table per kind ({@link StatusRule}): what the
 * controller's status, conditions and spec say of the rollout, the way {@code kubectl rollout status}
 * judges it (Deployment, StatefulSet, DaemonSet), with the Deployment's own conditions, pauses and
 * suspensions, and a Job's conditions. Pods are read by {@link KubernetesPodRules}; {@link PhaseRule}
 * turns the counts and the rollout verdict into the phase.
 */
final class KubernetesStatusRules {
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

    /** What the Deployment rules read. */
    record DeploymentFacts(int desired, int replicas, int updated, int available, boolean paused, boolean observed,
                           V1DeploymentCondition progressing, V1DeploymentCondition availableCondition,
                           V1DeploymentCondition replicaFailure) {
        boolean deadlineExceeded() {
            return progressing != null && "False".equals(progressing.getStatus())
                    && "ProgressDeadlineExceeded".equals(progressing.getReason());
        }

        /**
         * The controller's own word that the new ReplicaSet rolled out: replicas unavailable after it are
         * lost availability, not a rollout (kubectl cannot tell the two apart; the condition can).
         */
        boolean rolledOut() {
            return progressing != null && "NewReplicaSetAvailable".equals(progressing.getReason());
        }

        boolean allUpdated() {
            return observed && updated >= desired;
        }
    }

    static final List<StatusRule<DeploymentFacts>> DEPLOYMENT_RULES = List.of(
            new StatusRule<>("spec.paused", DeploymentFacts::paused, Rollout.PAUSED, f -> "rollout paused"),
            new StatusRule<>("Progressing=False ProgressDeadlineExceeded", DeploymentFacts::deadlineExceeded,
                    Rollout.FAILED, f -> said(f.progressing())),
            new StatusRule<>("ReplicaFailure=True", f -> f.replicaFailure() != null, Rollout.NONE,
                    f -> said(f.replicaFailure())),
            // kubectl rollout status, in its order: observed, updated, old ones gone, updated ones available
            new StatusRule<>("spec update not observed", f -> !f.observed(), Rollout.PROGRESSING,
                    f -> "waiting for the spec update to be observed"),
            new StatusRule<>("replicas not all updated", f -> f.observed() && f.updated() < f.desired(),
                    Rollout.PROGRESSING, f -> f.updated() + " of " + f.desired() + " updated"),
            new StatusRule<>("old replicas pending termination", f -> f.allUpdated() && f.replicas() > f.updated(),
                    Rollout.PROGRESSING, f -> (f.replicas() - f.updated()) + " old replicas pending termination"),
            new StatusRule<>("updated replicas not available", f -> f.allUpdated() && f.replicas() <= f.updated()
                    && f.available() < f.updated() && !f.rolledOut(), Rollout.PROGRESSING,
                    f -> f.available() + " of " + f.updated() + " updated replicas available"),
            new StatusRule<>("Available=False", f -> f.availableCondition() != null && f.desired() > 0, Rollout.NONE,
                    f -> said(f.availableCondition())));

    private static Observed deployment(V1Deployment d) {
        V1DeploymentSpec spec = d.getSpec();
        V1DeploymentStatus st = d.getStatus() == null ? new V1DeploymentStatus() : d.getStatus();
        int desired = spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
        var facts = new DeploymentFacts(desired, orZero(st.getReplicas()), orZero(st.getUpdatedReplicas()),
                orZero(st.getAvailableReplicas()), spec != null && Boolean.TRUE.equals(spec.getPaused()),
                generationObserved(d.getMetadata(), st.getObservedGeneration()),
                condition(st.getConditions(), "Progressing", null), condition(st.getConditions(), "Available", "False"),
                condition(st.getConditions(), "ReplicaFailure", "True"));
        var verdict = StatusRule.judge(DEPLOYMENT_RULES, facts);
        // replicas the ReplicaSet cannot create, and, once rolled out, replicas the controller finds
        // unavailable, are failing now
        int failing = facts.replicaFailure() == null ? 0 : Math.max(0, desired - facts.replicas());
        if (facts.availableCondition() != null && verdict.rollout() == Rollout.NONE) {
            failing = Math.max(failing, desired - facts.available());
        }
        Counts counts = new Counts(desired, orZero(st.getReadyReplicas()), facts.available(), verdict.rollout(), false,
                failing);
        return new Observed(template(spec == null ? null : spec.getTemplate()), desired, counts,
                verdict.words(), Map.of(), true);
    }

    private static Observed replicaSet(V1ReplicaSet r) {
        int desired = r.getSpec() == null || r.getSpec().getReplicas() == null ? 1 : r.getSpec().getReplicas();
        var st = r.getStatus() == null ? new V1ReplicaSetStatus() : r.getStatus();
        List<String> messages = new ArrayList<>();
        int failing = 0;
        for (V1ReplicaSetCondition c : nullSafe(st.getConditions())) {
            if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                messages.add(c.getReason() + ": " + c.getMessage());
                failing = Math.max(0, desired - orZero(st.getReplicas()));
            }
        }
        Rollout rollout = generationObserved(r.getMetadata(), st.getObservedGeneration()) ? Rollout.NONE : Rollout.PROGRESSING;
        Counts counts = new Counts(desired, orZero(st.getReadyReplicas()), orZero(st.getAvailableReplicas()), rollout,
                false, failing);
        return new Observed(template(r.getSpec() == null ? null : r.getSpec().getTemplate()),
                desired, counts, messages, Map.of(), true);
    }

    /** What the StatefulSet rules read; {@code partition} is 0 when none is set. */
    record StatefulSetFacts(int desired, int updated, boolean onDelete, int partition, boolean observed,
                            String currentRevision, String updateRevision) {
        boolean revisionsDiffer() {
            return updateRevision != null && currentRevision != null && !updateRevision.equals(currentRevision);
        }

        boolean rolling() {
            return !onDelete && observed;
        }
    }

    static final List<StatusRule<StatefulSetFacts>> STATEFUL_SET_RULES = List.of(
            // kubectl cannot track an OnDelete rollout: pods take the new revision only when deleted
            new StatusRule<>("OnDelete, revisions differ", f -> f.onDelete() && f.revisionsDiffer(), Rollout.NONE,
                    f -> "OnDelete: " + f.updated() + " of " + f.desired() + " pods at revision " + f.updateRevision()
                            + ", the others update when deleted"),
            new StatusRule<>("spec update not observed", f -> !f.onDelete() && !f.observed(), Rollout.PROGRESSING,
                    f -> "waiting for the spec update to be observed"),
            // kubectl: a partitioned rollout is done when the pods at or above the partition are updated
            new StatusRule<>("partitioned rollout", f -> f.rolling() && f.partition() > 0
                    && f.updated() < f.desired() - f.partition(), Rollout.PROGRESSING,
                    f -> f.updated() + " of " + (f.desired() - f.partition()) + " updated (partition " + f.partition() + ")"),
            new StatusRule<>("rolling update", f -> f.rolling() && f.partition() == 0 && f.revisionsDiffer(),
                    Rollout.PROGRESSING, f -> f.updated() + " of " + f.desired() + " updated"));

    private static Observed statefulSet(V1StatefulSet s) {
        V1StatefulSetSpec spec = s.getSpec();
        V1StatefulSetStatus st = s.getStatus() == null ? new V1StatefulSetStatus() : s.getStatus();
        int desired = spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
        int ready = orZero(st.getReadyReplicas());
        // availableReplicas arrived in 1.22; older servers only report readyReplicas
        int available = st.getAvailableReplicas() == null ? ready : st.getAvailableReplicas();
        var strategy = spec == null ? null : spec.getUpdateStrategy();
        int partition = strategy == null || strategy.getRollingUpdate() == null ? 0
                : orZero(strategy.getRollingUpdate().getPartition());
        var facts = new StatefulSetFacts(desired, orZero(st.getUpdatedReplicas()),
                strategy != null && "OnDelete".equals(strategy.getType()), partition,
                generationObserved(s.getMetadata(), st.getObservedGeneration()), st.getCurrentRevision(),
                st.getUpdateRevision());
        var verdict = StatusRule.judge(STATEFUL_SET_RULES, facts);
        return new Observed(template(spec == null ? null : spec.getTemplate()), desired,
                new Counts(desired, ready, available, verdict.rollout(), false), verdict.words(), Map.of(), true);
    }

    /** What the DaemonSet rules read. */
    record DaemonSetFacts(int desired, int updated, int available, int misscheduled, boolean onDelete, boolean observed) {
        boolean rolling() {
            return !onDelete && observed;
        }
    }

    static final List<StatusRule<DaemonSetFacts>> DAEMON_SET_RULES = List.of(
            new StatusRule<>("spec update not observed", f -> !f.onDelete() && !f.observed(), Rollout.PROGRESSING,
                    f -> "waiting for the spec update to be observed"),
            new StatusRule<>("pods not all updated", f -> f.rolling() && f.updated() < f.desired(), Rollout.PROGRESSING,
                    f -> f.updated() + " of " + f.desired() + " updated"),
            new StatusRule<>("updated pods not available", f -> f.rolling() && f.updated() >= f.desired()
                    && f.available() < f.desired(), Rollout.PROGRESSING,
                    f -> f.available() + " of " + f.desired() + " updated pods are available"),
            new StatusRule<>("OnDelete, pods not updated", f -> f.onDelete() && f.updated() < f.desired(), Rollout.NONE,
                    f -> "OnDelete: " + f.updated() + " of " + f.desired() + " pods updated, the others update when deleted"),
            new StatusRule<>("misscheduled", f -> f.misscheduled() > 0, Rollout.NONE,
                    f -> f.misscheduled() + " pods running on nodes they should not"));

    private static Observed daemonSet(V1DaemonSet d) {
        V1DaemonSetSpec spec = d.getSpec();
        V1DaemonSetStatus st = d.getStatus();
        int desired = st == null ? 0 : st.getDesiredNumberScheduled();
        int ready = st == null ? 0 : st.getNumberReady();
        int available = st == null || st.getNumberAvailable() == null ? ready : st.getNumberAvailable();
        boolean onDelete = spec != null && spec.getUpdateStrategy() != null
                && "OnDelete".equals(spec.getUpdateStrategy().getType());
        var facts = new DaemonSetFacts(desired, st == null ? 0 : orZero(st.getUpdatedNumberScheduled()), available,
                st == null ? 0 : st.getNumberMisscheduled(), onDelete,
                st == null || generationObserved(d.getMetadata(), st.getObservedGeneration()));
        var verdict = StatusRule.judge(DAEMON_SET_RULES, facts);
        // a DaemonSet's replica count follows the nodes: the model's replicas stay null (WorkloadSpec)
        return new Observed(template(spec == null ? null : spec.getTemplate()), null,
                new Counts(desired, ready, available, verdict.rollout(), false), verdict.words(), Map.of(), true);
    }

    /** What the Job rules read; {@code completions} is null for a work-queue Job. */
    record JobFacts(boolean suspended, Integer completions, int succeeded, int failed, boolean complete,
                    V1JobCondition failedCondition) {
    }

    static final List<StatusRule<JobFacts>> JOB_RULES = List.of(
            new StatusRule<>("spec.suspend", JobFacts::suspended, Rollout.PAUSED, f -> "suspended"),
            new StatusRule<>("Failed=True (BackoffLimitExceeded, DeadlineExceeded)", f -> f.failedCondition() != null,
                    Rollout.FAILED, f -> f.failedCondition().getReason() + ": " + f.failedCondition().getMessage()),
            new StatusRule<>("completions under way", f -> !f.complete() && (f.completions() != null || f.failed() > 0),
                    Rollout.NONE, f -> String.join(", ", Stream.of(
                            f.completions() == null ? "" : f.succeeded() + " of " + f.completions() + " completions",
                            f.failed() == 0 ? "" : f.failed() + " failed").filter(w -> !w.isEmpty()).toList())));

    private static Observed job(V1Job j) {
        var spec = j.getSpec();
        var st = j.getStatus() == null ? new V1JobStatus() : j.getStatus();
        int parallelism = spec == null || spec.getParallelism() == null ? 1 : spec.getParallelism();
        boolean complete = jobCondition(st.getConditions(), "Complete") != null;
        var facts = new JobFacts(spec != null && Boolean.TRUE.equals(spec.getSuspend()),
                spec == null ? null : spec.getCompletions(), orZero(st.getSucceeded()), orZero(st.getFailed()),
                complete, jobCondition(st.getConditions(), "Failed"));
        var verdict = StatusRule.judge(JOB_RULES, facts);
        int desired = facts.suspended() ? 0 : parallelism;
        int active = orZero(st.getActive());
        int ready = st.getReady() == null ? active : st.getReady();
        return new Observed(template(spec == null ? null : spec.getTemplate()), parallelism,
                new Counts(desired, active, ready, verdict.rollout(), complete), verdict.words(), Map.of(), false);
    }

    /** What the CronJob rules read. */
    record CronJobFacts(boolean suspended, int active, OffsetDateTime lastSchedule, OffsetDateTime lastSuccess) {
        /** The last scheduled run ended without success: the last success (if any) is older than the schedule. */
        boolean lastRunFailed() {
            return active == 0 && lastSchedule != null && (lastSuccess == null || lastSuccess.isBefore(lastSchedule));
        }
    }

    static final List<StatusRule<CronJobFacts>> CRON_JOB_RULES = List.of(
            new StatusRule<>("spec.suspend", CronJobFacts::suspended, Rollout.PAUSED, f -> "suspended"),
            new StatusRule<>("last run failed", CronJobFacts::lastRunFailed, Rollout.NONE,
                    f -> "last run " + f.lastSchedule().toInstant() + " did not succeed"
                            + (f.lastSuccess() == null ? "" : ", last success " + f.lastSuccess().toInstant())),
            new StatusRule<>("waiting for schedule", f -> !f.suspended() && f.active() == 0 && !f.lastRunFailed(),
                    Rollout.NONE, f -> "waiting for schedule" + (f.lastSchedule() == null ? ""
                    : ", last run " + f.lastSchedule().toInstant() + " succeeded")));

    private static Observed cronJob(V1CronJob c) {
        var spec = c.getSpec();
        var st = c.getStatus() == null ? new V1CronJobStatus() : c.getStatus();
        var facts = new CronJobFacts(spec != null && Boolean.TRUE.equals(spec.getSuspend()), nullSafe(st.getActive()).size(),
                st.getLastScheduleTime(), st.getLastSuccessfulTime());
        var verdict = StatusRule.judge(CRON_JOB_RULES, facts);
        // between runs a CronJob wants no replicas: it reads STOPPED with the schedule in the message
        Map<String, String> extra = spec == null ? Map.of() : Map.of(SCHEDULE_LABEL, spec.getSchedule());
        V1PodTemplateSpec template = spec == null || spec.getJobTemplate().getSpec() == null ? null
                : spec.getJobTemplate().getSpec().getTemplate();
        int active = facts.active();
        return new Observed(template(template), null, new Counts(active, active, active, verdict.rollout(), false),
                verdict.words(), extra, false);
    }

    /** A condition's reason and message, as the status message says it. */
    private static String said(V1DeploymentCondition c) {
        return c.getReason() + ": " + c.getMessage();
    }

    /** The first condition of {@code type} (with {@code status}, when not null), or null. */
    private static V1DeploymentCondition condition(List<V1DeploymentCondition> conditions, String type, String status) {
        return nullSafe(conditions).stream().filter(c -> type.equals(c.getType())
                && (status == null || status.equals(c.getStatus()))).findFirst().orElse(null);
    }

    private static V1JobCondition jobCondition(List<V1JobCondition> conditions, String type) {
        return nullSafe(conditions).stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst().orElse(null);
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

    /**
     * @param rollout the engine's verdict on the rollout (the kind's table)
     * @param failed  instances failing now that the pod list does not show (replicas a ReplicaSet cannot create)
     */
    record Counts(int desired, int running, int healthy, Rollout rollout, boolean completed, int failed) {
        Counts(int desired, int running, int healthy, Rollout rollout, boolean completed) {
            this(desired, running, healthy, rollout, completed, 0);
        }
    }

    /**
     * The status of a workload: the table's verdict and words, then what its instances say
     * ({@link InstanceReasons#summary}, the instances in need first).
     */
    static WorkloadStatus status(Observed observed, List<Instance> instances, boolean healthChecked) {
        Counts counts = observed.counts();
        List<String> messages = new ArrayList<>(observed.messages());
        int failed = (int) instances.stream().filter(i -> i.state() == InstanceState.FAILED).count();
        int started = (int) instances.stream().filter(i -> i.state() != InstanceState.PENDING).count();
        List<Instance> neediestFirst = instances.stream()
                .sorted(Comparator.comparingInt(i -> i.reason().isEmpty() ? 2 : i.state() == InstanceState.FAILED ? 0 : 1))
                .toList();
        String summary = InstanceReasons.summary(neediestFirst);
        if (!summary.isEmpty()) {
            messages.add(summary);
        }
        failed = Math.max(failed, counts.failed());
        var facts = new PhaseRule.Facts(counts.desired(), counts.running(), counts.healthy(),
                healthChecked, counts.rollout(), failed, Math.max(started, counts.running() + failed),
                counts.completed());
        // the message says why a workload is not RUNNING (WorkloadStatus): a running one has none
        String message = PhaseRule.phase(facts) == Phase.RUNNING ? "" : String.join("; ", new LinkedHashSet<>(messages));
        return PhaseRule.status(facts, message, null);
    }

    private static boolean generationObserved(V1ObjectMeta meta, Long observed) {
        Long generation = meta == null ? null : meta.getGeneration();
        return generation == null || observed == null || observed >= generation;
    }
}
