package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.bool;
import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.intOr;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.WorkloadStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * How Marathon's task, instance and deployment facts become the model's status: counts for
 * {@link PhaseRule}, and the message that says why an app or pod is not running.
 */
final class MarathonStatusRules {
    static final Set<String> FAILED_TASK_STATES = Set.of("TASK_FAILED", "TASK_ERROR", "TASK_LOST",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNREACHABLE");
    private static final Set<String> ENDED_TASK_STATES = Set.of("TASK_FINISHED", "TASK_KILLED");

    private MarathonStatusRules() {
    }

    // ---- apps

    static WorkloadStatus appStatus(JsonNode app, List<JsonNode> tasks, JsonNode queueEntry) {
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
                deployments.isEmpty() ? Rollout.NONE : Rollout.PROGRESSING, failed, started, false);
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

    // ---- pods

    /**
     * @param podStatus      a PodStatus of {@code GET /v2/pods/::status}, or a bare pod definition
     * @param desired        the pod's instance count
     * @param hasHealthCheck whether a container of the pod has a health check
     * @param deploying      whether a deployment in {@code GET /v2/deployments} affects this pod
     */
    static WorkloadStatus podStatus(JsonNode podStatus, int desired, boolean hasHealthCheck, boolean deploying) {
        int running = 0;
        int stable = 0;
        int started = 0;
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
        }
        int failed = 0;
        for (JsonNode h : array(podStatus, "terminationHistory")) {
            for (JsonNode c : array(h, "containers")) {
                if (intOr(object(c, "termination"), "exitCode", 0) != 0) {
                    failed++;
                }
            }
        }
        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, stable, hasHealthCheck, deploying ? Rollout.PROGRESSING : Rollout.NONE, failed,
                started + failed, false);
        boolean fine = PhaseRule.phase(facts) == Phase.RUNNING;
        String message = fine ? "" : text(podStatus, "message", deploying ? "deployment in progress" : "");
        return PhaseRule.status(facts, message, instant(podStatus, "statusSince"));
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
