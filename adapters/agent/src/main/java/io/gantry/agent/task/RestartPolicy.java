package io.gantry.agent.task;

import io.gantry.spi.watch.Backoff;
import java.time.Duration;

/**
 * Whether and when a task whose process ended runs again: the tasks of long-running containers restart with
 * a back-off that grows while they crash-loop; a job's tasks do not restart.
 */
final class RestartPolicy {
    private static final Duration FIRST_DELAY = Duration.ofMillis(250);
    private static final Duration MAX_DELAY = Duration.ofSeconds(8);
    /** A run longer than this was not a crash loop: the back-off starts over. */
    private static final Duration STABLE_RUN = Duration.ofSeconds(10);

    private final ContainerStore containers;

    RestartPolicy(ContainerStore containers) {
        this.containers = containers;
    }

    /** The back-off of one task's automatic restarts. */
    static Backoff backoff() {
        return new Backoff(FIRST_DELAY, MAX_DELAY);
    }

    /** Whether the task restarts when its process ends on its own; not once its container is gone. */
    boolean restartsOnExit(SupervisedTask task) {
        try {
            return !"JOB".equals(containers.get(task.id.namespace(), task.id.containerId()).getSpec().getKind());
        } catch (AgentFailure containerGone) {
            return false;
        }
    }

    /** The delay before restarting a task whose process just ended after running since {@code startedNanos}. */
    Duration afterExit(SupervisedTask task) {
        if (ranStably(task)) {
            task.restarts.reset();
        }
        return task.restarts.next();
    }

    /**
     * How many times in a row the task's process has now ended on its own: a crash loop's count, which starts
     * over after a stable run, as the back-off does.
     */
    int exitsInRow(SupervisedTask task) {
        return ranStably(task) ? 1 : task.task.getExitsInRow() + 1;
    }

    private static boolean ranStably(SupervisedTask task) {
        return System.nanoTime() - task.startedNanos > STABLE_RUN.toNanos();
    }

    /** The delay before trying again after a restart failed to start the process. */
    Duration afterFailedRestart(SupervisedTask task) {
        return task.restarts.next();
    }
}
