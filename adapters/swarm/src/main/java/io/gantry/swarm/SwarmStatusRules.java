package io.gantry.swarm;

import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.WorkloadStatus;
import io.gantry.spi.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * How a service's task history becomes the model's status. Swarm keeps a history of tasks per slot
 * (replicated) or per node (global). The current instance of a slot is its newest task; a slot whose newest
 * task was shut down on purpose (scale-down, update) is no instance at all. Failures are judged per slot,
 * so a crash-looping replica that is just being restarted still counts as failed.
 */
final class SwarmStatusRules {
    static final Set<String> FAILED_STATES = Set.of("failed", "rejected", "orphaned");
    private static final Set<String> STOPPED_STATES = Set.of("shutdown", "remove");

    private SwarmStatusRules() {
    }

    /** One scheduling slot: its newest task and what its history says. */
    record Slot(JsonNode current, JsonNode lastFailure, boolean started) {
    }

    static List<Slot> slots(JsonNode mode, List<JsonNode> tasks) {
        boolean perNode = mode.has("Global") || mode.has("GlobalJob");
        Map<String, List<JsonNode>> bySlot = new TreeMap<>();
        for (JsonNode task : tasks) {
            long slot = task.path("Slot").asLong(0);
            String node = Json.text(task, "NodeID");
            String key = !perNode && slot > 0 ? String.format("%08d", slot)
                    : perNode && node != null ? "node:" + node : "task:" + Json.text(task, "ID", "");
            bySlot.computeIfAbsent(key, k -> new ArrayList<>()).add(task);
        }
        List<Slot> slots = new ArrayList<>();
        for (List<JsonNode> history : bySlot.values()) {
            history.sort(NEWEST_FIRST);
            JsonNode current = history.get(0);
            if (STOPPED_STATES.contains(state(current)) && STOPPED_STATES.contains(desiredState(current))) {
                continue;
            }
            JsonNode lastFailure = null;
            if (!"running".equals(state(current))) {
                lastFailure = history.stream().filter(t -> FAILED_STATES.contains(state(t))).findFirst().orElse(null);
            }
            boolean started = history.stream().anyMatch(SwarmStatusRules::everStarted);
            slots.add(new Slot(current, lastFailure, started));
        }
        return slots;
    }

    private static final Comparator<JsonNode> NEWEST_FIRST = Comparator
            .comparing((JsonNode t) -> Objects.requireNonNullElse(Json.instant(t, "CreatedAt"), Instant.EPOCH))
            .thenComparingLong(t -> t.path("Version").path("Index").asLong(0))
            .reversed();

    private static boolean everStarted(JsonNode task) {
        return switch (state(task)) {
            case "running", "complete" -> true;
            default -> Json.text(task.path("Status").path("ContainerStatus"), "ContainerID") != null
                    && !"rejected".equals(state(task));
        };
    }

    static String state(JsonNode task) {
        return Json.text(task.path("Status"), "State", "unknown");
    }

    private static String desiredState(JsonNode task) {
        return Json.text(task, "DesiredState", "unknown");
    }

    static WorkloadStatus status(JsonNode service, WorkloadKind kind, WorkloadSpec spec, List<Slot> slots,
                                 List<JsonNode> tasks) {
        JsonNode mode = service.path("Spec").path("Mode");
        JsonNode serviceStatus = service.path("ServiceStatus");
        int running = (int) slots.stream().filter(s -> "running".equals(state(s.current()))).count();
        int failed = (int) slots.stream().filter(s -> s.lastFailure() != null).count();
        int started = (int) slots.stream().filter(Slot::started).count();
        boolean completed = kind == WorkloadKind.JOB && jobCompleted(mode, slots, tasks);

        int desired;
        if (mode.has("Replicated")) {
            desired = spec.replicas();
        } else if (serviceStatus.has("DesiredTasks")) {
            desired = serviceStatus.path("DesiredTasks").asInt(0);
        } else {
            // without ?status=true (GET /services/{id}) Swarm's own count is missing: count the live slots
            desired = (int) slots.stream().filter(s -> !STOPPED_STATES.contains(desiredState(s.current()))
                    && !"complete".equals(state(s.current()))).count();
        }

        JsonNode update = service.path("UpdateStatus");
        String updateState = Json.text(update, "State", "");
        boolean rolloutInProgress = updateState.equals("updating") || updateState.equals("rollback_started");
        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, running, spec.healthCheck() != null,
                rolloutInProgress ? Rollout.PROGRESSING : Rollout.NONE, failed, started, completed);
        Phase phase = PhaseRule.phase(facts);
        // A paused rollout needs an operator even when every replica runs (on the old spec): say so.
        boolean paused = updateState.equals("paused") || updateState.equals("rollback_paused");
        String message = (phase == Phase.RUNNING || phase == Phase.STOPPED) && !paused ? "" : message(update, updateState, slots);
        return PhaseRule.status(facts, message, since(service, slots));
    }

    private static boolean jobCompleted(JsonNode mode, List<Slot> slots, List<JsonNode> tasks) {
        if (slots.isEmpty() || !slots.stream().allMatch(s -> "complete".equals(state(s.current())))) {
            return false;
        }
        if (mode.has("ReplicatedJob")) {
            long done = tasks.stream().filter(t -> "complete".equals(state(t))).count();
            Integer total = SwarmServiceReader.replicasOf(mode);
            return done >= (total == null ? 1 : total);
        }
        return true;
    }

    /** Why the service is not RUNNING: a paused or rolled-back update first, then the newest task error. */
    private static String message(JsonNode update, String updateState, List<Slot> slots) {
        String updateMessage = Json.text(update, "Message", "no message from Swarm");
        switch (updateState) {
            case "paused" -> {
                return "update paused: " + updateMessage;
            }
            case "rollback_paused" -> {
                return "rollback paused: " + updateMessage;
            }
            case "rollback_started" -> {
                return "rolling back: " + updateMessage;
            }
            case "updating" -> {
                return "updating: " + updateMessage;
            }
            default -> {
            }
        }
        JsonNode newestFailure = slots.stream().map(Slot::lastFailure).filter(Objects::nonNull)
                .min(NEWEST_FIRST).orElse(null);
        if (newestFailure != null) {
            return taskReason(newestFailure);
        }
        return slots.stream().map(Slot::current).filter(t -> !"running".equals(state(t)))
                .min(NEWEST_FIRST).map(SwarmStatusRules::taskReason).orElse("");
    }

    /** A task's error, else its state message ({@code pending task scheduling}, {@code finished}). */
    static String taskReason(JsonNode task) {
        JsonNode status = task.path("Status");
        String err = Json.text(status, "Err");
        return err != null ? err : Json.text(status, "Message", state(task));
    }

    private static Instant since(JsonNode service, List<Slot> slots) {
        return slots.stream().map(s -> Json.instant(s.current().path("Status"), "Timestamp")).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(Json.instant(service, "UpdatedAt"));
    }

    static InstanceState instanceState(String taskState) {
        return switch (taskState) {
            case "new", "allocated", "pending", "assigned" -> InstanceState.PENDING;
            case "accepted", "preparing", "ready", "starting" -> InstanceState.STARTING;
            case "running" -> InstanceState.RUNNING;
            case "failed", "rejected", "orphaned" -> InstanceState.FAILED;
            default -> InstanceState.EXITED;
        };
    }
}
