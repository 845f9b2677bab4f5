package io.gantry.agent.runtime;

import io.gantry.agent.api.v1.ContainerSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a runtime needs to start one task.
 *
 * @param task     which task
 * @param spec     the container's spec at start time
 * @param extraEnv variables the agent adds ({@code PORT0}...), after the spec's own
 * @param stateDir the agent's private directory for the task (runc bundle); tasks cannot read it
 * @param workDir  the task's own directory outside the agent's data, owned by the task user: its default working
 *                 directory and {@code HOME} (raw)
 * @param stdout   file the process's standard output is appended to
 * @param stderr   file the process's standard error is appended to
 * @param mounts   runc only: host files and directories (the task's secret files) bind-mounted read-only
 */
public record LaunchRequest(Identity task, ContainerSpec spec, Map<String, String> extraEnv, Path stateDir,
                            Path workDir, Path stdout, Path stderr, List<BindMount> mounts) {

    public LaunchRequest {
        mounts = List.copyOf(mounts);
    }

    /** A host path ({@code source}) seen read-only at {@code destination} in the container. */
    public record BindMount(Path source, String destination) {
    }

    /** A task's identity; {@link #name()} is unique on the agent and safe as a file, cgroup or runc id. */
    public record Identity(String namespace, String containerId, String taskId) {
        public String name() {
            return namespace + "_" + taskId;
        }
    }
}
