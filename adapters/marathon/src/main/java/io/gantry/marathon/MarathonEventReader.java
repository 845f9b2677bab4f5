package io.gantry.marathon;

import static io.gantry.spi.json.Json.array;
import static io.gantry.spi.json.Json.instant;
import static io.gantry.spi.json.Json.object;
import static io.gantry.spi.json.Json.present;
import static io.gantry.spi.json.Json.strings;
import static io.gantry.spi.json.Json.text;

import io.gantry.spi.EngineEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Reads Marathon's event bus ({@code GET /v2/events}) and recorded task failures as the model's events. */
final class MarathonEventReader {
    private MarathonEventReader() {
    }

    /**
     * Ids of the apps and pods an event concerns, to re-read them. Empty for events about the stream
     * itself. Deployment plans name their apps in {@code steps[].actions[].app|pod} (light format, 1.6+)
     * or directly in {@code steps[]} (older docs).
     */
    static Set<String> affectedIds(String type, JsonNode data) {
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
            ids.add(MarathonIds.normalizeId(id));
        }
    }

    /** What an event tells an operator, one per concerned workload; empty for pure bookkeeping events. */
    static List<EngineEvent> observed(String type, JsonNode data) {
        Instant time = instant(data, "timestamp");
        Instant at = time == null ? Instant.now() : time;
        List<EngineEvent> out = new ArrayList<>();
        Set<String> ids = affectedIds(type, data);
        switch (type) {
            case "status_update_event" -> {
                String status = text(data, "taskStatus", "TASK_UNKNOWN");
                String m = text(data, "message", "");
                boolean bad = MarathonStatusRules.FAILED_TASK_STATES.contains(status);
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
    static EngineEvent lastFailure(JsonNode app) {
        JsonNode failure = object(app, "lastTaskFailure");
        if (failure == null) {
            return null;
        }
        return new EngineEvent(instant(failure, "timestamp"), MarathonIds.normalizeId(text(app, "id")), EngineEvent.WARNING,
                camel(text(failure, "state", "TASK_FAILED")), "task " + text(failure, "taskId", "?") + " on "
                + text(failure, "host", "?") + ": " + text(failure, "message", ""));
    }
}
