package io.gantry.agent.task;

import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskMetrics;
import io.gantry.agent.runtime.LaunchedProcess;
import io.gantry.agent.runtime.Proc;
import java.util.List;

/** What a task uses: CPU and memory of its whole process tree, from /proc. */
final class TaskUsage {
    private TaskUsage() {
    }

    /**
     * @param process   the task's process, or null when it does not run (then it uses nothing)
     * @param processes every process of the machine, read once for all tasks
     */
    static TaskMetrics of(Task task, LaunchedProcess process, List<Proc.Stat> processes) {
        List<Proc.Stat> tree = process == null ? List.of() : Proc.tree(process.pid(), processes);
        return TaskMetrics.newBuilder().setNamespace(task.getNamespace()).setTaskId(task.getId())
                .setContainerId(task.getContainerId()).setRestarts(task.getRestarts()).setPids(tree.size())
                .setCpuSeconds(tree.stream().mapToLong(s -> s.utimeTicks() + s.stimeTicks()).sum()
                        / Proc.TICKS_PER_SECOND)
                .setMemoryBytes(tree.stream().mapToLong(Proc.Stat::rssBytes).sum())
                .build();
    }
}
