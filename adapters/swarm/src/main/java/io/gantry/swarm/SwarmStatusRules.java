package io.gantry.swarm;

import io.gantry.spi.Instance;
import io.gantry.spi.InstanceReasons;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PhaseRule;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * How a service's task history becomes the model's status, as {@code docker service ps} shows it. Swarm keeps a
 * history of tasks per slot (replicated) or per node (global). The current instance of a slot is its newest task;
 * a slot whose newest task was shut down on purpose (scale-down, update) is no instance at all. Failures are
 * judged per slot: the failed tasks in a row just before the current one are a restart loop under way, so a
 * crash-looping replica that is just being restarted still counts as failing, while a failure Swarm replaced by
 * a task that ran since does not.
 *
 * <p>The rules, in order: the update's verdict ({@link SwarmUpdateVerdict}) gives the rollout; each slot's
 * instance is running, failing (restart loop or rejection: the last failure's reason, {@link SwarmTaskErrors}),
 * waiting with Swarm's error (no suitable node) or simply not running; {@link PhaseRule} turns the counts into
 * the phase. The message is the update's verdict ("n of m updated" while under way), then
 * {@link InstanceReasons#summary}, the nodes a global service fails on, and the first such instance's words.
 */
final class SwarmStatusRules {
    static final Set<String> FAILED_STATES = Set.of("failed", "rejected", "orphaned");
    private static final Set<String> STOPPED_STATES = Set.of("shutdown", "remove");
    /** Task states before a container runs: a replacement Swarm is still bringing up. */
    private static final Set<String> NOT_YET_STARTED = Set.of("new", "allocated", "pending", "assigned", "accepted",
            "preparing", "ready", "starting");

    private SwarmStatusRules() {
    }

    /**
     * One scheduling slot.
     *
     * @param current       its newest task
     * @param lastFailure   the newest failed task of the restart loop under way, or {@code null}
     * @param failuresInRow failed tasks in a row just before a current task that does not run (0 when it runs)
     * @param started       whether any task of the slot ever started a container
     */
    record Slot(JsonNode current, JsonNode lastFailure, int failuresInRow, boolean started) {
        boolean running() {
            return "running".equals(state(current));
        }

        boolean failing() {
            return failuresInRow > 0;
        }
    }

    /** What an instance says about itself: Swarm's short reason and its whole words. */
    record Problem(String reason, String message) {
        static final Problem NONE = new Problem("", "");
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
            List<JsonNode> loop = "running".equals(state(current)) ? List.of() : failuresInRow(history);
            boolean started = history.stream().anyMatch(SwarmStatusRules::everStarted);
            slots.add(new Slot(current, loop.isEmpty() ? null : loop.get(0), loop.size(), started));
        }
        return slots;
    }

    /**
     * The failed tasks in a row at the head of a slot's history, past a replacement not yet started. A loop is
     * one task template failing again and again: a replacement on another template (an update, or the
     * rollback after a failed one) starts afresh, so the failures of the template it replaces do not count.
     */
    private static List<JsonNode> failuresInRow(List<JsonNode> newestFirst) {
        int i = 0;
        while (i < newestFirst.size() && NOT_YET_STARTED.contains(state(newestFirst.get(i)))) {
            i++;
        }
        JsonNode template = newestFirst.get(0).path("Spec");
        List<JsonNode> failures = new ArrayList<>();
        while (i < newestFirst.size() && FAILED_STATES.contains(state(newestFirst.get(i)))
                && newestFirst.get(i).path("Spec").equals(template)) {
            failures.add(newestFirst.get(i++));
        }
        return failures;
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

    /**
     * A slot's instance in Swarm's words, first rule that holds: a running task is fine; a restart loop (or a
     * rejection) gives its last failure's reason and how often in a row; a task Swarm holds back with an error
     * (no suitable node) gives that error; any other task that does not run says its state message.
     */
    static Problem problem(Slot slot) {
        if (slot.running()) {
            return Problem.NONE;
        }
        if (slot.failing()) {
            String err = taskReason(slot.lastFailure());
            String reason = SwarmTaskErrors.reason(Json.text(slot.lastFailure().path("Status"), "Err"));
            return new Problem(reason.isEmpty() ? state(slot.lastFailure()) : reason,
                    slot.failuresInRow() > 1 ? err + " (failed " + slot.failuresInRow() + " times in a row)" : err);
        }
        String err = Json.text(slot.current().path("Status"), "Err");
        if (err != null) {
            return new Problem(SwarmTaskErrors.reason(err), err);
        }
        return new Problem("", taskReason(slot.current()));
    }

    /**
     * @param instances the slots' instances, in the slots' order (their reasons make the summary)
     */
    static WorkloadStatus status(JsonNode service, WorkloadKind kind, WorkloadSpec spec, List<Slot> slots,
                                 List<Instance> instances, List<JsonNode> tasks) {
        JsonNode mode = service.path("Spec").path("Mode");
        int running = (int) slots.stream().filter(Slot::running).count();
        int failing = (int) slots.stream().filter(Slot::failing).count();
        int started = (int) slots.stream().filter(Slot::started).count();
        boolean completed = kind == WorkloadKind.JOB && jobCompleted(mode, slots, tasks);
        int desired = desired(service, spec, slots);
        SwarmUpdateVerdict verdict = SwarmUpdateVerdict.of(service);

        PhaseRule.Facts facts = new PhaseRule.Facts(desired, running, running, spec.healthCheck() != null,
                verdict.rollout(), failing, started, completed);
        Phase phase = PhaseRule.phase(facts);
        return PhaseRule.status(facts, message(phase, service, kind, verdict, slots, instances, desired),
                since(service, slots));
    }

    private static int desired(JsonNode service, WorkloadSpec spec, List<Slot> slots) {
        if (service.path("Spec").path("Mode").has("Replicated")) {
            return spec.replicas();
        }
        // a global service is judged per node: a live slot is a node it should run on. Swarm's own count
        // (ServiceStatus.DesiredTasks, only with ?status=true) may name more nodes, but it also reads 0 while
        // its only task crash-loops (captured: status/GET_services_global_failing.json): the larger one holds.
        int liveSlots = (int) slots.stream().filter(s -> !STOPPED_STATES.contains(desiredState(s.current()))
                && !"complete".equals(state(s.current()))).count();
        return Math.max(liveSlots, service.path("ServiceStatus").path("DesiredTasks").asInt(0));
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

    /**
     * The update's verdict first, then the instances' shared reason, where a global service fails, and the
     * first failing instance's own words. A RUNNING or STOPPED service with no verdict says nothing; one that
     * is neither and has no reason says what its newest idle task says ({@code finished}).
     */
    private static String message(Phase phase, JsonNode service, WorkloadKind kind, SwarmUpdateVerdict verdict,
                                  List<Slot> slots, List<Instance> instances, int desired) {
        List<String> parts = new ArrayList<>();
        add(parts, verdict.message(service));
        if (verdict.underWay()) {
            add(parts, updated(service, slots) + " of " + desired + " updated");
        }
        String summary = InstanceReasons.summary(instances);
        if ((phase == Phase.RUNNING || phase == Phase.STOPPED) && parts.isEmpty()) {
            return "";
        }
        add(parts, summary);
        if (!summary.isEmpty()) {
            String first = instances.stream().map(Instance::reason).filter(r -> !r.isEmpty()).findFirst().orElseThrow();
            List<Instance> sharing = instances.stream().filter(i -> i.reason().equals(first)).toList();
            if (kind == WorkloadKind.DAEMON) {
                add(parts, "failing on " + String.join(", ", sharing.stream().map(Instance::node)
                        .filter(Objects::nonNull).distinct().toList()));
            }
            add(parts, sharing.get(0).message());
        }
        if (parts.isEmpty()) {
            return slots.stream().map(Slot::current).filter(t -> !"running".equals(state(t)))
                    .min(NEWEST_FIRST).map(SwarmStatusRules::taskReason).orElse("");
        }
        return String.join("; ", parts);
    }

    private static void add(List<String> parts, String part) {
        if (part != null && !part.isBlank() && !parts.contains(part)) {
            parts.add(part);
        }
    }

    /**
     * Running tasks already on the service's current task template: the template Swarm gave the task is
     * compared with the service's, as swarmkit's updater does ({@code orchestrator.IsTaskDirty}).
     */
    private static long updated(JsonNode service, List<Slot> slots) {
        JsonNode template = withoutRuntime(service.path("Spec").path("TaskTemplate"));
        return slots.stream().filter(s -> s.running() && template.equals(withoutRuntime(s.current().path("Spec")))).count();
    }

    /** dockerd names the default {@code Runtime} ("container") in a service's template but not in its tasks'. */
    private static JsonNode withoutRuntime(JsonNode taskSpec) {
        if (!(taskSpec instanceof ObjectNode object) || !object.has("Runtime")) {
            return taskSpec;
        }
        ObjectNode copy = object.deepCopy();
        copy.remove("Runtime");
        return copy;
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
