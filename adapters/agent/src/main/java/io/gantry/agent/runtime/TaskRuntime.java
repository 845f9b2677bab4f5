package io.gantry.agent.runtime;

import io.gantry.agent.task.AgentFailure;
import java.io.IOException;

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
     * environment, for raw; inside the container for runc): what a command health check runs.
     *
     * @param request the task's launch request, rebuilt from its current spec
     * @throws AgentFailure FAILED_PRECONDITION when the command cannot run there
     */
    ProcessBuilder exec(LaunchRequest request, java.util.List<String> command);

    /** Kills what is left of the task (children that outlived their parent) and frees what launch set up. */
    void cleanup(LaunchRequest.Identity task, LaunchedProcess process);
}
