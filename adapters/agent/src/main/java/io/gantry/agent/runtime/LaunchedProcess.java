package io.gantry.agent.runtime;

import java.util.Optional;

/**
 * A task's running process.
 *
 * @param pid        the process the agent watches (the task's command for raw, {@code runc run} for runc); it leads its
 *                   own process group and session
 * @param startTicks its start time from /proc, so that a recycled pid is never mistaken for it
 * @param child      the {@link Process} when this agent started it (then the exit code is known); empty for a task
 *                   re-adopted after an agent restart
 */
public record LaunchedProcess(long pid, long startTicks, Optional<Process> child) {
    public boolean alive() {
        return Proc.alive(pid, startTicks);
    }
}
