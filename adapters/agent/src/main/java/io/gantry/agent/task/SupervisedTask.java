package io.gantry.agent.task;

import io.gantry.agent.api.v1.Task;
import io.gantry.agent.runtime.LaunchRequest;
import io.gantry.agent.runtime.LaunchedProcess;
import io.gantry.agent.runtime.TaskRuntime;
import io.gantry.spi.watch.Backoff;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One task under supervision: its persisted record and what runs it now. The fields that change are read and
 * written under the object's own monitor ({@code synchronized (task)}), except where a reader only looks.
 */
final class SupervisedTask {
    final LaunchRequest.Identity id;
    Task task;
    LaunchedProcess process;
    TaskRuntime runtime;
    boolean stopRequested;
    ScheduledFuture<?> pendingRestart;
    ScheduledFuture<?> pendingKill;
    ScheduledFuture<?> pendingProbe;
    /** Delays of automatic restarts: grow while it crash-loops, see {@link RestartPolicy}. */
    final Backoff restarts = RestartPolicy.backoff();
    long startedNanos;
    CompletableFuture<Task> exited = new CompletableFuture<>();

    SupervisedTask(Task task) {
        this.id = new LaunchRequest.Identity(task.getNamespace(), task.getContainerId(), task.getId());
        this.task = task;
    }

    /** Writes the record to the data dir: every change is persisted, so that the next agent start re-adopts it. */
    void persist(StateFiles<Task> files) {
        files.write(id.namespace(), id.taskId(), task);
    }

    static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
