package io.gantry.agent.adapter;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceReasons;
import io.gantry.spi.InstanceState;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.WorkloadStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The node agent's status rules as tables: what state a task is in, the short word for what is wrong with it
 * (first matching rule wins), its message, and a workload's status from its instances. The agent is Gantry's own
 * engine, so these rules are its {@code kubectl get pods}: a process that keeps exiting is a crash loop with its
 * exit code and stderr's last line, a kernel OOM kill says so, a failing health check says why.
 */
final class AgentStatusRules {
    /** The health message of a task whose first check has not run yet (the agent's words): not a failure. */
    static final String HEALTH_PENDING = "health check pending";

    private AgentStatusRules() {
    }

    /** One row of a table: when {@code applies}, the task gets {@code verdict}. */
    private record Rule<T>(String name, Predicate<Task> applies, Function<Task, T> verdict) {
    }

    private static final List<Rule<InstanceState>> STATES = List.of(
            new Rule<>("running", t -> t.getStatus() == TaskStatus.TASK_STATUS_RUNNING, t -> InstanceState.RUNNING),
            new Rule<>("waiting out its restart back-off", t -> t.getStatus() == TaskStatus.TASK_STATUS_RESTARTING,
                    t -> InstanceState.STARTING),
            new Rule<>("stopped on request", AgentStatusRules::stopped, t -> InstanceState.EXITED),
            new Rule<>("completed", t -> ended(t) && t.getExitCode() == 0 && !t.getStartFailed(),
                    t -> InstanceState.EXITED),
            new Rule<>("ended otherwise", AgentStatusRules::ended, t -> InstanceState.FAILED),
            new Rule<>("created, not started", t -> true, t -> InstanceState.PENDING));

    private static final List<Rule<String>> REASONS = List.of(
            new Rule<>("stopped on request", AgentStatusRules::stopped, t -> ""),
            new Rule<>("running, failing its health check", t -> t.getStatus() == TaskStatus.TASK_STATUS_RUNNING
                    && !t.getHealthy() && !t.getHealthMessage().isEmpty() && !HEALTH_PENDING.equals(t.getHealthMessage()),
                    t -> "unhealthy"),
            new Rule<>("running or not started", t -> !ended(t), t -> ""),
            new Rule<>("the process could not be started", Task::getStartFailed, t -> "start failed"),
            new Rule<>("the kernel killed it for want of memory", Task::getOomKilled, t -> "OOMKilled"),
            new Rule<>("ended while the agent was not watching", t -> t.getExitCode() == -1, t -> "exit unknown"),
            // a process killed by signal n ends with 128 + n as the JVM (and a shell) report it
            new Rule<>("killed by a signal", t -> t.getExitCode() > 128, t -> "signal " + (t.getExitCode() - 128)),
            new Rule<>("exited non-zero", t -> t.getExitCode() != 0, t -> "exit " + t.getExitCode()),
            new Rule<>("a long-running task's process ended", t -> t.getStatus() == TaskStatus.TASK_STATUS_RESTARTING,
                    t -> "exit 0"),
            new Rule<>("a job's task completed", t -> true, t -> ""));

    static InstanceState state(Task t) {
        return first(STATES, t);
    }

    /** The agent's short word for what is wrong with the task ({@code exit 1}, {@code OOMKilled}), empty when fine. */
    static String reason(Task t) {
        return first(REASONS, t);
    }

    /**
     * The task's own words: a running task's health; an ended one's exit, how many times in a row, the restart
     * back-off and stderr's last line ({@code exited 1 3 times in a row, restarting in 8 s: boom}).
     */
    static String message(Task t) {
        if (t.getStatus() == TaskStatus.TASK_STATUS_RUNNING) {
            return t.getHealthMessage();
        }
        String reason = reason(t);
        // an agent older than exits_in_row, a start failure and an unwatched end: the agent's message says it all
        if (reason.isEmpty() || t.getExitsInRow() == 0 || t.getStartFailed() || t.getExitCode() == -1) {
            return t.getMessage();
        }
        StringBuilder m = new StringBuilder(t.getOomKilled() ? "killed by the kernel: out of memory"
                : t.getExitCode() > 128 ? "killed by signal " + (t.getExitCode() - 128)
                : "exited " + t.getExitCode());
        if (t.getExitsInRow() > 1) {
            m.append(' ').append(t.getExitsInRow()).append(" times in a row");
        }
        if (t.getStatus() == TaskStatus.TASK_STATUS_RESTARTING && t.hasBackoffUntil() && t.hasExitedAt()) {
            m.append(", restarting in ").append(delay(Durations.toMillis(
                    Timestamps.between(t.getExitedAt(), t.getBackoffUntil()))));
        }
        if (!t.getStderrTail().isEmpty()) {
            m.append(": ").append(t.getStderrTail());
        }
        return m.toString();
    }

    /** Failing now: not running and with something wrong (a process waiting out its back-off after a crash counts). */
    static boolean failing(Instance i) {
        return i.state() != InstanceState.RUNNING && !i.reason().isEmpty();
    }

    /**
     * A workload's status from its instances, by {@link PhaseRule}: the message counts the instances by their
     * reason and gives the first one's details ({@code exit 1 on 1 of 2 instances; exited 1 3 times in a row,
     * restarting in 8 s: boom}); without a reason, the first instance message there is, as the agent words it.
     *
     * @param healthy instances passing their health check (running ones when there is none)
     */
    static WorkloadStatus workload(int desired, boolean job, boolean hasHealthCheck, int healthy,
                                   List<Instance> instances, Instant since) {
        int running = (int) instances.stream().filter(i -> i.state() == InstanceState.RUNNING).count();
        int failing = (int) instances.stream().filter(AgentStatusRules::failing).count();
        int started = (int) instances.stream().filter(i -> i.startedAt() != null).count();
        boolean completed = job && !instances.isEmpty() && instances.stream()
                .allMatch(i -> i.state() == InstanceState.EXITED && Integer.valueOf(0).equals(i.exitCode()));
        Optional<Instance> first = instances.stream().filter(i -> !i.reason().isEmpty()).findFirst();
        String message = first.map(i -> Stream.of(InstanceReasons.summary(instances), i.message())
                        .filter(s -> !s.isEmpty()).collect(Collectors.joining("; ")))
                .orElseGet(() -> instances.stream().map(Instance::message).filter(m -> !m.isEmpty()).findFirst()
                        .orElse(""));
        return PhaseRule.status(new PhaseRule.Facts(desired, running, healthy, hasHealthCheck, Rollout.NONE, failing,
                started, completed), message, since);
    }

    private static boolean ended(Task t) {
        return t.getStatus() == TaskStatus.TASK_STATUS_EXITED || t.getStatus() == TaskStatus.TASK_STATUS_RESTARTING;
    }

    private static boolean stopped(Task t) {
        return t.getStatus() == TaskStatus.TASK_STATUS_EXITED && "stopped".equals(t.getMessage());
    }

    private static String delay(long millis) {
        return millis < 1000 ? millis + " ms" : Math.round(millis / 1000.0) + " s";
    }

    private static <T> T first(List<Rule<T>> rules, Task t) {
        return rules.stream().filter(r -> r.applies().test(t)).findFirst().orElseThrow().verdict().apply(t);
    }
}
