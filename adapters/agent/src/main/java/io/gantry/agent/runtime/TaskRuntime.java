package io.gantry.agent.runtime;

import io.gantry.agent.task.AgentFailure;
import java.io.IOException;
import java.util.List;

/** Runs the process of one task: {@code raw} (a host process) or {@code runc} (an OCI container). */
public interface TaskRuntime {

    /** {@code raw} or {@code runc}, as {@code ContainerSpec.runtime} names it. */
    String name();

    /**
     * Starts the task's process and returns once it runs.
     *
     * @throws AgentFailure FAILED_PRECONDITION when this spec cannot run here (command not found, image missing)
     * @throws IOException  when the process could not be started
     */
    LaunchedProcess launch(LaunchRequest request) throws IOException;

    /** Sends {@code signal} to everything the task runs; no-op once it is gone. */
    void signal(LaunchRequest.Identity task, LaunchedProcess process, int signal);

    /** Whether the kernel OOM-killed part of the task; asked once its process has ended. */
    boolean oomKilled(LaunchRequest.Identity task);

    /**
     * A process that runs {@code command} where and as the task runs (on the host as the task user, with the task's
     * environment, in its cgroups, for raw; inside the container for runc): what a command health check and an exec
     * run. The caller starts it, on pipes or (with {@code tty}) on a pseudo-terminal it provides.
     *
     * @param request the task's launch request, rebuilt from its current spec
     * @param tty     whether the caller runs it on a terminal (runc must then make the container's own)
     * @throws AgentFailure INVALID_ARGUMENT when the command does not exist there, FAILED_PRECONDITION when it
     *                      cannot run there now
     */
    ProcessBuilder exec(LaunchRequest request, List<String> command, boolean tty);

    /** Kills what is left of the task (children that outlived their parent) and frees what launch set up. */
    void cleanup(LaunchRequest.Identity task, LaunchedProcess process);
}
