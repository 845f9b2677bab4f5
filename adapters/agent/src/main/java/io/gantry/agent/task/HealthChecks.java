package io.gantry.agent.task;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.runtime.LaunchedProcess;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the health checks of running tasks ({@link HealthProbe}), each on its own schedule; a change of a task's
 * health is persisted and published. Until a task is healthy, it is checked at least every second.
 */
final class HealthChecks {
    private final ContainerStore containers;
    private final TaskLauncher launcher;
    private final StateFiles<Task> files;
    private final EventBus events;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private volatile boolean stopped;

    HealthChecks(ContainerStore containers, TaskLauncher launcher, StateFiles<Task> files, EventBus events,
                 ScheduledExecutorService scheduler, ExecutorService workers) {
        this.containers = containers;
        this.launcher = launcher;
        this.files = files;
        this.events = events;
        this.scheduler = scheduler;
        this.workers = workers;
    }

    /** Checks {@code process} after {@code delay}, replacing a check already scheduled for the task. */
    void schedule(SupervisedTask e, LaunchedProcess process, Duration delay) {
        SupervisedTask.cancel(e.pendingProbe);
        e.pendingProbe = scheduler.schedule(() -> workers.execute(() -> probe(e, process)), delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** No check runs after this: the agent is shutting down. */
    void stop() {
        stopped = true;
    }

    private void probe(SupervisedTask e, LaunchedProcess process) {
        ContainerSpec spec;
        try {
            spec = containers.get(e.id.namespace(), e.id.containerId()).getSpec();
        } catch (AgentFailure containerGone) {
            return;
        }
        if (!HealthProbe.defined(spec) || e.process != process || stopped) {
            return;
        }
        Optional<String> failure;
        try {
            failure = HealthProbe.check(spec, e.task.getHostPortsList(), e.runtime,
                    launcher.request(e.id, spec, e.task.getHostPortsList()));
        } catch (RuntimeException directoryGone) {
            failure = Optional.of("health check: " + directoryGone.getMessage());
        }
        synchronized (e) {
            if (e.process != process || stopped) {
                return;
            }
            boolean healthy = failure.isEmpty();
            if (healthy != e.task.getHealthy() || !failure.orElse("").equals(e.task.getHealthMessage())) {
                e.task = e.task.toBuilder().setHealthy(healthy).setHealthMessage(failure.orElse("")).build();
                e.persist(files);
                events.publish(e.id.namespace(), "/tasks/health", e.id.containerId(), e.id.taskId(), 0,
                        healthy ? "healthy" : failure.get());
            }
            Duration interval = HealthProbe.interval(spec);
            schedule(e, process, healthy || interval.getSeconds() <= 1 ? interval : Duration.ofSeconds(1));
        }
    }
}
