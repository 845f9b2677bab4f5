package io.gantry.agent.runtime;

import io.gantry.agent.api.v1.ContainerSpec;
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
 * A task as a plain host process, like Nomad's raw_exec: the privileged runtime, offered only when the agent is
 * started with it allowed. The process gets a clean environment ({@link TaskEnvironment}), runs as the task user when
 * the agent is root (setpriv(1)), starts in its own working directory outside the agent's data, appends to its log
 * files, and leads its own session (setsid(1)) so that it survives an agent restart and its whole process group can
 * be signalled.
 */
public final class RawRuntime implements TaskRuntime {
    /**
     * Joins the task's cgroups before exec'ing the command, so that no child forked early escapes the limits.
     * The cgroup.procs paths come in GANTRY_CGROUP_PROCS (agent-made names without spaces). It runs before the
     * privileges are dropped: only root may write cgroup.procs.
     */
    private static final String JOIN_CGROUPS_THEN_EXEC =
            "for f in $GANTRY_CGROUP_PROCS; do echo $$ > \"$f\" || exit 125; done; unset GANTRY_CGROUP_PROCS; exec \"$@\"";

    /** What Docker sets for a {@code docker exec -t}: a terminal every busybox and ncurses program knows. */
    static final String TERM = "xterm";

    private final Cgroups cgroups;
    private final Optional<TaskUser> user;

    /** @param user who tasks run as; empty when the agent is not root (they run as the agent's user) */
    public RawRuntime(Cgroups cgroups, Optional<TaskUser> user) {
        this.cgroups = cgroups;
        this.user = user;
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public LaunchedProcess launch(LaunchRequest request) throws IOException {
        ContainerSpec spec = request.spec();
        List<String> command = new ArrayList<>(spec.getCommandList());
        command.addAll(spec.getArgsList());
        if (command.isEmpty()) {
            throw AgentFailure.invalid("the raw runtime needs a command");
        }
        Map<String, String> env = environment(request);
        command.set(0, Commands.resolve(command.get(0), env.get("PATH")));
        Path workDir = workDir(request);

        List<Path> procs = cgroups.prepare(request.task().name(), spec.getMemoryBytes(), spec.getCpuMillis());
        List<String> argv = new ArrayList<>(List.of("setsid"));
        argv.addAll(asTask(procs, env, command));

        Process process = TaskEnvironment.apply(new ProcessBuilder(argv), env).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(request.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(request.stderr().toFile()))
                .start();
        // setsid(1) does not fork when its caller leads no process group (true for a JVM child), and sh and setpriv
        // exec: the pid Java sees is the command's, and it leads its own group and session
        return new LaunchedProcess(process.pid(), Commands.startTicks(process.pid()), Optional.of(process));
    }

    /**
     * The command as the task itself runs: same user, environment and working directory, and in the task's cgroups
     * (when it has any), so that what an exec or a check starts counts against the task's limits and ends with it.
     */
    @Override
    public ProcessBuilder exec(LaunchRequest request, List<String> command, boolean tty) {
        if (command.isEmpty()) {
            throw AgentFailure.invalid("an empty command cannot run");
        }
        Map<String, String> env = environment(request);
        List<String> argv = new ArrayList<>(command);
        try {
            argv.set(0, Commands.resolve(command.get(0), env.get("PATH")));
        } catch (AgentFailure notThere) {
            throw AgentFailure.invalid(notThere.getMessage());
        }
        if (tty) {
            env.put("TERM", TERM);
        }
        Path workDir = workDir(request);
        return TaskEnvironment.apply(new ProcessBuilder(asTask(cgroups.procs(request.task().name()), env, argv)), env)
                .directory(workDir.toFile());
    }

    /** {@code command} behind what makes it run as the task: joining {@code procs} (via {@code env}), then its user. */
    private List<String> asTask(List<Path> procs, Map<String, String> env, List<String> command) {
        List<String> argv = new ArrayList<>();
        if (!procs.isEmpty()) {
            env.put("GANTRY_CGROUP_PROCS", procs.stream().map(Path::toString).collect(Collectors.joining(" ")));
            argv.addAll(List.of("/bin/sh", "-c", JOIN_CGROUPS_THEN_EXEC, "gantry-task"));
        }
        user.ifPresent(u -> argv.addAll(u.setprivArgs()));
        argv.addAll(command);
        return argv;
    }

    private static Map<String, String> environment(LaunchRequest request) {
        return TaskEnvironment.of(request.workDir().toString(), request.spec(), request.extraEnv());
    }

    private static Path workDir(LaunchRequest request) {
        String wanted = request.spec().getWorkingDir();
        Path workDir = wanted.isEmpty() ? request.workDir() : Path.of(wanted);
        if (!Files.isDirectory(workDir)) {
            throw AgentFailure.precondition("working directory '" + workDir + "' does not exist");
        }
        return workDir;
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
