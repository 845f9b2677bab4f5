package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.bool;
import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.intOr;
import static io.gantry.spi.json.Json.integer;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.Instance;
import io.gantry.spi.InstanceReasons;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.StatusRule;
import io.gantry.spi.WorkloadStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Marathon's own status semantics as tables: what makes a task or pod instance fail and in which words, and
 * what a workload's message says, in order (Marathon's deployment step first, then the launch queue and the
 * last failure, then the instances' reasons). The counts go to {@link PhaseRule}, which picks the phase.
 */
final class MarathonStatusRules {
    static final Set<String> FAILED_TASK_STATES = Set.of("TASK_FAILED", "TASK_ERROR", "TASK_LOST",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNREACHABLE");
    private static final Set<String> ENDED_TASK_STATES = Set.of("TASK_FINISHED", "TASK_KILLED");

    /**
     * Marathon's reasons for not using an offer ({@code NoOfferMatchReason}, as {@code rejectSummaryLastOffers}
     * names them) in an operator's words; a reason not listed is shown as Marathon spells it.
     */
    private static final Map<String, String> DECLINED_OFFER_WORDS = Map.ofEntries(
            Map.entry("InsufficientCpus", "insufficient cpus"),
            Map.entry("InsufficientMemory", "insufficient memory"),
            Map.entry("InsufficientDisk", "insufficient disk"),
            Map.entry("InsufficientGpus", "insufficient gpus"),
            Map.entry("InsufficientPorts", "no free ports"),
            Map.entry("UnfulfilledConstraint", "constraints not met"),
            Map.entry("UnfulfilledRole", "role not offered"),
            Map.entry("NoCorrespondingReservationFound", "no matching reservation"),
            Map.entry("AgentMaintenance", "agent in maintenance"),
            Map.entry("DeclinedScarceResources", "scarce resources (GPU agents) kept for GPU tasks"));

    private MarathonStatusRules() {
    }

    /** One row of a table: the condition it covers, when it applies, and what it says. */
    private record Rule<T>(String condition, Predicate<T> applies, Function<T, InstanceWords> says) {
    }

    /** An instance's reason (the engine's short word, empty when fine) and its message. */
    record InstanceWords(String reason, String message) {
        static final InstanceWords NOTHING = new InstanceWords("", "");
    }


    private static <T> InstanceWords firstApplying(List<Rule<T>> table, T subject) {
        for (Rule<T> rule : table) {
            if (rule.applies().test(subject)) {
                return rule.says().apply(subject);
            }
        }
        return InstanceWords.NOTHING;
    }

    private static <T> String message(List<StatusRule<T>> table, T subject) {
        return String.join("; ", StatusRule.judge(table, subject).words());
    }

    // ---- app tasks

    /** A task of an app: Mesos' failure states first, then failing health checks, then ended tasks. */
    private static final List<Rule<JsonNode>> TASK = List.of(
            new Rule<>("Mesos failure state (TASK_FAILED, TASK_ERROR, TASK_LOST, TASK_UNREACHABLE, ...): Mesos' word",
                    t -> FAILED_TASK_STATES.contains(taskState(t)),
                    t -> new InstanceWords(taskState(t), text(t, "message", ""))),
            new Rule<>("a health check result with alive false: unhealthy, its lastFailureCause",
                    t -> failingCheck(t) != null,
                    t -> new InstanceWords("unhealthy", checkWords(failingCheck(t)))),
            new Rule<>("ended on purpose (TASK_FINISHED, TASK_KILLED): no reason, the state",
                    t -> ENDED_TASK_STATES.contains(taskState(t)),
                    t -> new InstanceWords("", text(t, "message", taskState(t)))));

    static InstanceWords task(JsonNode task) {
        return firstApplying(TASK, task);
    }

    private static JsonNode failingCheck(JsonNode task) {
        return array(task, "healthCheckResults").stream().filter(r -> !bool(r, "alive")).findFirst().orElse(null);
    }

    private static String checkWords(JsonNode result) {
        String cause = text(result, "lastFailureCause");
        return cause != null && !cause.isBlank() ? cause
                : "health check failing (" + intOr(result, "consecutiveFailures", 0) + " consecutive failures)";
    }

    /** A task's Mesos state; tasks of Marathon before 1.0 carry none, and started means running. */
    static String taskState(JsonNode task) {
        String state = text(task, "state");
        if (state != null) {
            return state;
        }
        return text(task, "startedAt") != null ? "TASK_RUNNING" : "TASK_STAGING";
    }

    static InstanceState instanceState(String taskState) {
        return switch (taskState) {
            case "TASK_RUNNING", "TASK_KILLING" -> InstanceState.RUNNING;
            case "TASK_STAGING", "TASK_STARTING" -> InstanceState.STARTING;
            case "TASK_FINISHED", "TASK_KILLED" -> InstanceState.EXITED;
            default -> FAILED_TASK_STATES.contains(taskState) ? InstanceState.FAILED : InstanceState.PENDING;
        };
    }

    // ---- apps

    /** What an app's status is judged from. */
    private record AppFacts(String id, JsonNode app, List<JsonNode> tasks, List<Instance> instances,
                            JsonNode queueEntry, List<JsonNode> deployments, JsonNode failure, boolean failureNow,
                            int staged) {
    }

    /** An app's message, part by part in this order. */
    private static final List<StatusRule<AppFacts>> APP_MESSAGE = List.of(
            StatusRule.saying("a deployment under way: its step in Marathon's words, readiness checks not ready",
                    a -> deploymentWords(a.id(), a.deployments(), array(a.app(), "deployments"))),
            StatusRule.saying("a restart or upgrade under way: how many running tasks are of the app's current version",
                    MarathonStatusRules::updatedWords),
            StatusRule.saying("launch queue: the back-off after failed launches, or why offers are declined",
                    a -> queueMessage(a.queueEntry())),
            StatusRule.saying("tasks staging while nothing waits in the queue",
                    a -> a.queueEntry() == null && a.staged() > 0 ? a.staged() + " task(s) staging" : ""),
            StatusRule.saying("the last task failure, while it still matters",
                    a -> a.failureNow() ? failureWords(a.failure()) : ""),
            StatusRule.saying("instances: the first reason and how many share it",
                    a -> InstanceReasons.summary(a.instances())));

    /**
     * @param tasks     the app's tasks (its {@code tasks} embed)
     * @param instances the same tasks as instances, for the reasons they give
     */
    static WorkloadStatus appStatus(JsonNode app, List<JsonNode> tasks, List<Instance> instances,
                                    MarathonProgress progress) {
        String id = MarathonIds.normalizeId(text(app, "id"));
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
        JsonNode queueEntry = progress.queueEntry(id);
        List<JsonNode> deployments = progress.deployments(id);
        JsonNode failure = object(app, "lastTaskFailure");
        boolean failureNow = failingNow(failure, instant(object(app, "versionInfo"), "lastConfigChangeAt"),
                running, desired);
        // Marathon backs a launch off only after failures: the back-off is its own word that launches fail now
        int failing = Math.max(failedTasks, failureNow || backedOff(queueEntry) ? 1 : 0);
        int started = Math.max(startedTasks, running) + (failure != null ? 1 : 0);
        boolean deploying = !deployments.isEmpty() || !array(app, "deployments").isEmpty();
        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, healthy, hasHealthCheck,
                deploying ? Rollout.PROGRESSING : Rollout.NONE, failing, started, false);
        String message = PhaseRule.phase(facts) == Phase.RUNNING ? "" : message(APP_MESSAGE,
                new AppFacts(id, app, tasks, instances, queueEntry, deployments, failure, failureNow,
                        intOr(app, "tasksStaged", 0)));
        Instant since = failureNow && running == 0 ? instant(failure, "timestamp") : null;
        if (since == null) {
            Instant scaled = instant(object(app, "versionInfo"), "lastScalingAt");
            since = scaled != null ? scaled : instant(app, "version");
        }
        return PhaseRule.status(facts, message, since);
    }

    /**
     * Marathon keeps an app's {@code lastTaskFailure} until the next one, long after it replaced the task:
     * it is failing now only while the app is short of instances and the failure is of its current config
     * (not older than {@code versionInfo.lastConfigChangeAt}).
     */
    static boolean failingNow(JsonNode failure, Instant configChangedAt, int running, int desired) {
        if (failure == null || running >= desired) {
            return false;
        }
        Instant at = instant(failure, "timestamp");
        return at == null || configChangedAt == null || !at.isBefore(configChangedAt);
    }

    /**
     * {@code n of m updated} while a deployment restarts the app (a restart, or a config change, which Marathon
     * rolls out as RestartApplication): a task carries the app version it was launched with.
     */
    private static String updatedWords(AppFacts a) {
        boolean restarting = a.deployments().stream().flatMap(d -> array(d, "currentActions").stream())
                .anyMatch(x -> a.id().equals(actionTarget(x)) && "RestartApplication".equals(text(x, "action")));
        String version = text(a.app(), "version");
        if (!restarting || version == null) {
            return "";
        }
        long updated = a.tasks().stream()
                .filter(t -> taskState(t).equals("TASK_RUNNING") && version.equals(text(t, "version"))).count();
        return updated + " of " + intOr(a.app(), "instances", 1) + " updated";
    }

    private static String failureWords(JsonNode failure) {
        String host = text(failure, "host");
        String m = text(failure, "message", "");
        return "last task failure: " + text(failure, "state", "TASK_FAILED") + (host == null ? "" : " on " + host)
                + (m.isBlank() ? "" : ": " + m);
    }

    // ---- deployments and the launch queue

    /**
     * A deployment in Marathon's words: {@code step 2 of 3: ScaleApplication} for each deployment of
     * {@code GET /v2/deployments} affecting {@code id}, with its readiness checks that are not ready; only the
     * ids (an app's {@code deployments} embed) when that is all there is.
     */
    static String deploymentWords(String id, List<JsonNode> deployments, List<JsonNode> embeddedIds) {
        if (deployments.isEmpty()) {
            List<String> ids = embeddedIds.stream().map(d -> text(d, "id", "?")).toList();
            return ids.isEmpty() ? "" : "deployment " + String.join(", ", ids) + " in progress";
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode d : deployments) {
            List<JsonNode> current = array(d, "currentActions");
            List<JsonNode> mine = current.stream().filter(a -> id.equals(actionTarget(a))).toList();
            List<JsonNode> shown = mine.isEmpty() ? current : mine;
            List<String> actions = shown.stream().map(a -> text(a, "action", "?")).distinct().toList();
            String step = "step " + intOr(d, "currentStep", 1) + " of " + intOr(d, "totalSteps", 1)
                    + (actions.isEmpty() ? "" : ": " + String.join(", ", actions));
            parts.add(step + readinessWords(mine));
        }
        return String.join("; ", parts);
    }

    private static String actionTarget(JsonNode action) {
        String target = text(action, "app", text(action, "pod"));
        return target == null ? null : MarathonIds.normalizeId(target);
    }

    /** Readiness checks that hold a deployment step back (Marathon waits for them before the next step). */
    private static String readinessWords(List<JsonNode> actions) {
        List<JsonNode> notReady = actions.stream().flatMap(a -> array(a, "readinessCheckResults").stream())
                .filter(r -> !bool(r, "ready")).toList();
        if (notReady.isEmpty()) {
            return "";
        }
        JsonNode first = notReady.get(0);
        Integer status = integer(object(first, "lastResponse"), "status");
        return ", readiness check " + text(first, "name", "?") + " not ready on " + notReady.size()
                + (notReady.size() == 1 ? " task" : " tasks") + (status == null ? "" : " (HTTP " + status + ")");
    }

    /** Whether Marathon holds the launches back after failures ({@code overdue: false} with time left). */
    static boolean backedOff(JsonNode queueEntry) {
        JsonNode delay = object(queueEntry, "delay");
        return delay != null && !bool(delay, "overdue") && intOr(delay, "timeLeftSeconds", 0) > 0;
    }

    /**
     * A {@code GET /v2/queue} entry as text: the launch back-off after failures, or the wait for offers with
     * why the last offer of each agent was declined ({@code rejectSummaryLastOffers}: Marathon keeps one
     * offer per agent there, so its counts are agents).
     */
    static String queueMessage(JsonNode entry) {
        if (entry == null) {
            return "";
        }
        int count = intOr(entry, "count", 0);
        if (backedOff(entry)) {
            return count + " instance(s) to launch, delayed " + intOr(object(entry, "delay"), "timeLeftSeconds", 0)
                    + " s after failed launches";
        }
        List<String> declined = new ArrayList<>();
        for (JsonNode r : array(object(entry, "processedOffersSummary"), "rejectSummaryLastOffers")) {
            int n = intOr(r, "declined", 0);
            if (n > 0) {
                String reason = text(r, "reason", "?");
                declined.add(DECLINED_OFFER_WORDS.getOrDefault(reason, reason) + " on " + n + " of "
                        + intOr(r, "processed", n) + " agents");
            }
        }
        return count + " instance(s) waiting for Mesos offers" + (declined.isEmpty() ? "" : ": " + String.join(", ", declined));
    }

    // ---- pods

    /** A pod instance: a container that exited non-zero, a container in a Mesos failure state, a degraded instance. */
    private static final List<Rule<JsonNode>> POD_INSTANCE = List.of(
            new Rule<>("a container terminated with a non-zero exit code: exit N",
                    i -> failedExit(i) != null,
                    i -> new InstanceWords("exit " + intOr(object(failedExit(i), "termination"), "exitCode", 0),
                            text(object(failedExit(i), "termination"), "message",
                                    text(failedExit(i), "message", text(i, "message", ""))))),
            new Rule<>("a container in a Mesos failure state (TASK_FAILED, ...): Mesos' word",
                    i -> failedContainer(i) != null,
                    i -> new InstanceWords(text(failedContainer(i), "status"),
                            text(failedContainer(i), "message", text(i, "message", "")))),
            new Rule<>("an endpoint's health check failing: unhealthy",
                    i -> containers(i).stream().flatMap(c -> array(c, "endpoints").stream())
                            .anyMatch(e -> e.has("healthy") && !bool(e, "healthy")),
                    i -> new InstanceWords("unhealthy", text(i, "message", "health check failing"))),
            new Rule<>("instance DEGRADED: running but not stable",
                    i -> "DEGRADED".equals(text(i, "status")),
                    i -> new InstanceWords("DEGRADED", text(i, "message", "DEGRADED"))),
            new Rule<>("otherwise Marathon's message, no reason",
                    i -> true,
                    i -> new InstanceWords("", text(i, "message", ""))));

    static InstanceWords podInstance(JsonNode instance) {
        return firstApplying(POD_INSTANCE, instance);
    }

    /** The exit code of the instance's first container that ended non-zero, else {@code null}. */
    static Integer exitCode(JsonNode instance) {
        JsonNode c = failedExit(instance);
        return c == null ? null : integer(object(c, "termination"), "exitCode");
    }

    private static List<JsonNode> containers(JsonNode instance) {
        return array(instance, "containers");
    }

    private static JsonNode failedExit(JsonNode instance) {
        return containers(instance).stream().filter(c -> intOr(object(c, "termination"), "exitCode", 0) != 0)
                .findFirst().orElse(null);
    }

    private static JsonNode failedContainer(JsonNode instance) {
        return containers(instance).stream().filter(c -> FAILED_TASK_STATES.contains(text(c, "status", "")))
                .findFirst().orElse(null);
    }

    /** What a pod's status is judged from. */
    private record PodFacts(String id, JsonNode podStatus, List<Instance> instances, JsonNode queueEntry,
                            List<JsonNode> deployments, JsonNode termination) {
    }

    /** A pod's message, part by part in this order. */
    private static final List<StatusRule<PodFacts>> POD_MESSAGE = List.of(
            StatusRule.saying("a deployment under way: its step in Marathon's words, readiness checks not ready",
                    p -> deploymentWords(p.id(), p.deployments(), List.of())),
            StatusRule.saying("Marathon's own message on the pod", p -> text(p.podStatus(), "message", "")),
            StatusRule.saying("launch queue: the back-off after failed launches, or why offers are declined",
                    p -> queueMessage(p.queueEntry())),
            StatusRule.saying("the last termination with a non-zero exit, while it still matters",
                    p -> p.termination() == null ? "" : terminationWords(p.termination())),
            StatusRule.saying("instances: the first reason and how many share it",
                    p -> InstanceReasons.summary(p.instances())));

    /**
     * @param podStatus      a PodStatus of {@code GET /v2/pods/::status}, or a bare pod definition
     * @param instances      its instances, for the reasons they give
     * @param desired        the pod's instance count
     * @param hasHealthCheck whether a container of the pod has a health check
     */
    static WorkloadStatus podStatus(String id, JsonNode podStatus, List<Instance> instances, int desired,
                                    boolean hasHealthCheck, MarathonProgress progress) {
        int running = 0;
        int stable = 0;
        int started = 0;
        int failing = 0;
        for (JsonNode i : array(podStatus, "instances")) {
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
            if (failedExit(i) != null || failedContainer(i) != null) {
                failing++;
            }
        }
        JsonNode termination = running < desired ? lastFailedTermination(podStatus) : null;
        JsonNode queueEntry = progress.queueEntry(id);
        if (termination != null || backedOff(queueEntry)) {
            failing = Math.max(failing, 1);
        }
        started += array(podStatus, "terminationHistory").size();
        List<JsonNode> deployments = progress.deployments(id);
        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, stable, hasHealthCheck,
                deployments.isEmpty() ? Rollout.NONE : Rollout.PROGRESSING, failing, started, false);
        String message = PhaseRule.phase(facts) == Phase.RUNNING ? "" : message(POD_MESSAGE,
                new PodFacts(id, podStatus, instances, queueEntry, deployments, termination));
        return PhaseRule.status(facts, message, instant(podStatus, "statusSince"));
    }

    /**
     * The newest entry of {@code terminationHistory} with a container that exited non-zero, if it ended after
     * the pod's current spec was made: the history keeps terminations of older versions too.
     */
    private static JsonNode lastFailedTermination(JsonNode podStatus) {
        Instant specVersion = instant(object(podStatus, "spec"), "version");
        JsonNode newest = null;
        Instant newestAt = null;
        for (JsonNode h : array(podStatus, "terminationHistory")) {
            boolean failed = array(h, "containers").stream()
                    .anyMatch(c -> intOr(object(c, "termination"), "exitCode", 0) != 0);
            Instant at = instant(h, "terminatedAt");
            boolean current = specVersion == null || at == null || !at.isBefore(specVersion);
            if (failed && current && (newest == null || at != null && (newestAt == null || at.isAfter(newestAt)))) {
                newest = h;
                newestAt = at;
            }
        }
        return newest;
    }

    private static String terminationWords(JsonNode history) {
        JsonNode c = array(history, "containers").stream()
                .filter(x -> intOr(object(x, "termination"), "exitCode", 0) != 0).findFirst().orElseThrow();
        JsonNode t = object(c, "termination");
        String m = text(t, "message", text(history, "message", ""));
        return "last termination: exit " + intOr(t, "exitCode", 0) + " of " + text(c, "containerId", "a container")
                + (m.isBlank() ? "" : ": " + m);
    }

    static InstanceState podInstanceState(String status) {
        return switch (status) {
            case "STABLE", "DEGRADED" -> InstanceState.RUNNING;
            case "STAGING" -> InstanceState.STARTING;
            case "TERMINAL" -> InstanceState.EXITED;
            default -> InstanceState.PENDING;
        };
    }
}
