package io.gantry.agent.runtime;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.EnvVar;
import io.gantry.agent.task.AgentFailure;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A task as a plain host process, like Nomad's raw_exec: the agent's environment plus the spec's,
 * output appended to the task's log files, and its own session (setsid(1)) so that it survives an
 * agent restart and its whole process group can be signalled.
 */
public final class RawRuntime implements TaskRuntime {
    /**
     * Joins the task's cgroups before exec'ing the command, so that no child forked early escapes the limits.
     * The cgroup.procs paths come in GANTRY_CGROUP_PROCS (agent-made names without spaces).
     */
    private static final String JOIN_CGROUPS_THEN_EXEC =
            "for f in $GANTRY_CGROUP_PROCS; do echo $$ > \"$f\" || exit 125; done; unset GANTRY_CGROUP_PROCS; exec \"$@\"";

    private final Cgroups cgroups;

    public RawRuntime(Cgroups cgroups) {
        this.cgroups = cgroups;
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public LaunchedProcess launch(LaunchRequest request) throws IOException {
        ContainerSpec spec = request.spec();
        ProcessBuilder builder = new ProcessBuilder();
        Map<String, String> env = builder.environment();
        for (EnvVar var : spec.getEnvList()) {
            env.put(var.getName(), var.getValue());
        }
        env.putAll(request.extraEnv());

        List<String> command = new ArrayList<>(spec.getCommandList());
        command.addAll(spec.getArgsList());
        if (command.isEmpty()) {
            throw AgentFailure.invalid("the raw runtime needs a command");
        }
        command.set(0, Commands.resolve(command.get(0), env.get("PATH")));

        Path workDir = spec.getWorkingDir().isEmpty() ? request.workDir() : Path.of(spec.getWorkingDir());
        if (!Files.isDirectory(workDir)) {
            throw AgentFailure.precondition("working directory '" + workDir + "' does not exist");
        }

        List<Path> procs = cgroups.prepare(request.task().name(), spec.getMemoryBytes(), spec.getCpuMillis());
        List<String> argv = new ArrayList<>(List.of("setsid"));
        if (!procs.isEmpty()) {
            env.put("GANTRY_CGROUP_PROCS", procs.stream().map(Path::toString).collect(Collectors.joining(" ")));
            argv.addAll(List.of("/bin/sh", "-c", JOIN_CGROUPS_THEN_EXEC, "gantry-task"));
        }
        argv.addAll(command);

        Process process = builder.command(argv).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(request.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(request.stderr().toFile()))
                .start();
        // setsid(1) does not fork when its caller leads no process group (true for a JVM child):
        // the pid Java sees is the command's, and it leads its own group and session
        return new LaunchedProcess(process.pid(), Commands.startTicks(process.pid()), Optional.of(process));
    }

    @Override
    public void signal(LaunchRequest.Identity task, LaunchedProcess process, int signal) {
        if (process.alive()) {
            // the group holds what the task forked; descendants that started their own session are found by parentage
            List<Long> escaped = Proc.tree(process.pid()).stream().filter(s -> s.pgrp() != process.pid())
                    .map(Proc.Stat::pid).toList();
            Signals.group(process.pid(), signal);
            Signals.processes(escaped, signal);
        }
    }

    @Override
    public List<String> execArgv(LaunchRequest.Identity task, List<String> command) {
        return command;
    }

    @Override
    public boolean oomKilled(LaunchRequest.Identity task) {
        return cgroups.oomKilled(task.name());
    }

    @Override
    public void cleanup(LaunchRequest.Identity task, LaunchedProcess process) {
        List<Long> left = new ArrayList<>();
        Proc.group(process.pid()).forEach(s -> left.add(s.pid()));
        left.addAll(cgroups.members(task.name()));
        Signals.processes(left.stream().distinct().toList(), Signals.SIGKILL);
        // a cgroup can only be removed once the kernel has finished the killed processes
        for (int i = 0; i < 50 && !cgroups.members(task.name()).isEmpty(); i++) {
            sleepBriefly();
        }
        cgroups.remove(task.name());
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
