package io.gantry.agent.runtime;

import com.google.gson.GsonBuilder;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.task.AgentFailure;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A task as an OCI container run by runc: a bundle whose {@code config.json} is generated from the spec
 * and whose root is the imported image's rootfs, shared read-only by every task of that image.
 * {@code runc run} stays in the foreground (so the agent learns the exit code and runc forwards signals);
 * it runs in its own session so it outlives an agent restart. With {@code --keep} the ended container and its
 * groups stay until {@link #cleanup} deletes them, so that the agent can read the kernel's OOM kill count first. Tasks share the host's network namespace,
 * as raw tasks do, so that {@code PORT0} is reachable on the agent's address without a CNI setup. The container's
 * process runs as the task user with no effective capability and {@code noNewPrivileges}, and sees only its image
 * and the clean environment of {@link TaskEnvironment}: the unprivileged runtime.
 */
public final class RuncRuntime implements TaskRuntime {
    private static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    private static final long CFS_PERIOD_US = 100_000;
    private static final long START_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long START_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final String runc;
    private final Path stateRoot;
    private final ImageStore images;
    private final Optional<TaskUser> user;
    private final Cgroups cgroups;

    /**
     * @param user    who the container's process runs as; empty only for an agent that is not root, where runc is off
     * @param cgroups where the container's groups are, for the OOM check
     */
    public RuncRuntime(String runc, Path stateRoot, ImageStore images, Optional<TaskUser> user, Cgroups cgroups) {
        this.runc = runc;
        this.stateRoot = stateRoot;
        this.images = images;
        this.user = user;
        this.cgroups = cgroups;
    }

    /** The runc binary on PATH when the agent may use it (it must run as root), else empty. */
    public static Optional<String> find() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Commands.resolve("runc", System.getenv("PATH")));
        } catch (AgentFailure e) {
            return Optional.empty();
        }
    }

    @Override
    public String name() {
        return "runc";
    }

    @Override
    public LaunchedProcess launch(LaunchRequest request) throws IOException {
        ContainerSpec spec = request.spec();
        Path rootfs = images.rootfs(spec.getImage());
        List<String> args = new ArrayList<>(spec.getCommandList());
        args.addAll(spec.getArgsList());
        if (args.isEmpty()) {
            throw AgentFailure.invalid("the runc runtime needs a command: imported images carry no default");
        }
        // in the agent's private state: config.json holds the spec's environment
        Path bundle = request.stateDir().resolve("bundle");
        Files.createDirectories(bundle);
        Files.writeString(bundle.resolve("config.json"), configJson(request, rootfs, args, user,
                cgroups.path(request.task().name())));

        String id = request.task().name();
        if (Files.exists(stateRoot.resolve(id))) {
            // a container of the same id is left from a run the agent did not see end (runc keeps its state in <root>/<id>)
            Signals.run(List.of(runc, "--root", stateRoot.toString(), "delete", "--force", id));
        }
        Path pidFile = bundle.resolve("container.pid");
        Files.deleteIfExists(pidFile);
        // runc passes no variable of its own to the container; its own environment is kept clean all the same
        Process process = TaskEnvironment.apply(new ProcessBuilder("setsid", runc, "--root", stateRoot.toString(), "run",
                        "--keep", "--pid-file", pidFile.toString(), "--bundle", bundle.toString(), id), runcEnvironment())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(request.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(request.stderr().toFile()))
                .start();
        LaunchedProcess launched = new LaunchedProcess(process.pid(), Commands.startTicks(process.pid()),
                Optional.of(process));
        awaitContainerStarted(process, pidFile, request);
        return launched;
    }

    /**
     * Returns once the container's process has been started, so that RUNNING means what it says: runc writes
     * {@code --pid-file} (atomically) after it made the container's init exec the command, which is tens of
     * milliseconds after {@code runc run} itself started. When runc fails before that, the start fails with
     * runc's last words; a runc that neither starts nor fails in time is left to run and watched as usual.
     */
    private static void awaitContainerStarted(Process runc, Path pidFile, LaunchRequest request) throws IOException {
        long deadline = System.nanoTime() + START_WAIT_NANOS;
        while (!Files.exists(pidFile) && System.nanoTime() < deadline) {
            if (!runc.isAlive() && !Files.exists(pidFile)) {
                throw AgentFailure.precondition("runc exited with code " + runc.exitValue()
                        + " before the container started: " + lastLine(request.stderr()));
            }
            LockSupport.parkNanos(START_POLL_NANOS);
        }
    }

    private static String lastLine(Path file) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).trim();
            }
        }
        return "(no output)";
    }

    @Override
    public void signal(LaunchRequest.Identity task, LaunchedProcess process, int signal) {
        if (Signals.run(List.of(runc, "--root", stateRoot.toString(), "kill", task.name(), Integer.toString(signal))) != 0
                && process.alive()) {
            // the container is not created yet or already gone: signal runc itself
            Signals.group(process.pid(), signal);
        }
    }

    /**
     * runc exec takes the process's user, environment, working directory and capabilities from the bundle's
     * config.json. With {@code tty} runc gives the process a console of its own inside the container and copies
     * between it and its own stdio, which must then be a terminal: a resize of that terminal reaches runc as
     * SIGWINCH, and runc resizes the container's console to match.
     */
    @Override
    public ProcessBuilder exec(LaunchRequest request, List<String> command, boolean tty) {
        if (command.isEmpty()) {
            throw AgentFailure.invalid("an empty command cannot run");
        }
        requireInContainer(request, command.get(0));
        List<String> argv = new ArrayList<>(List.of(runc, "--root", stateRoot.toString(), "exec"));
        if (tty) {
            argv.addAll(List.of("--tty", "--env", "TERM=" + RawRuntime.TERM));
        }
        argv.add(request.task().name());
        argv.addAll(command);
        return TaskEnvironment.apply(new ProcessBuilder(argv), runcEnvironment());
    }

    /**
     * Refuses a command the container does not have, which runc would only report as its own failure: looked up as
     * execvp(3) does, with the task's PATH, under the container's root as its first process sees it
     * ({@code /proc/<pid>/root}, its mounts included). Only absence counts, links are not followed: an absolute
     * link's target is the container's, not the host's. Without the container's pid, runc has the last word.
     */
    private static void requireInContainer(LaunchRequest request, String command) {
        Path root;
        try {
            long pid = Long.parseLong(Files.readString(request.stateDir().resolve("bundle").resolve("container.pid")).trim());
            root = Path.of("/proc", Long.toString(pid), "root");
        } catch (IOException | NumberFormatException unknown) {
            return;
        }
        if (!Files.isDirectory(root.resolve("."))) {
            return;
        }
        String path = TaskEnvironment.of("/", request.spec(), request.extraEnv()).get("PATH");
        List<String> candidates = new ArrayList<>();
        if (command.contains("/")) {
            candidates.add(command);
        } else {
            for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
                if (dir.startsWith("/")) {
                    candidates.add(dir + "/" + command);
                }
            }
        }
        for (String candidate : candidates) {
            Path inside = root.resolve(candidate.startsWith("/") ? candidate.substring(1) : candidate);
            if (Files.exists(inside, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
        }
        throw AgentFailure.invalid("command '" + command + "' was not found in the container"
                + (command.contains("/") ? "" : " (PATH " + path + ")"));
    }

    private static Map<String, String> runcEnvironment() {
        return Map.of("PATH", TaskEnvironment.SAFE_PATH);
    }

    @Override
    public boolean oomKilled(LaunchRequest.Identity task) {
        return cgroups.oomKilled(task.name());
    }

    @Override
    public void cleanup(LaunchRequest.Identity task, LaunchedProcess process) {
        Signals.run(List.of(runc, "--root", stateRoot.toString(), "delete", "--force", task.name()));
        Signals.group(process.pid(), Signals.SIGKILL);
    }

    /** @param cgroupsPath where runc makes the container's groups: where the agent looks for an OOM kill */
    static String configJson(LaunchRequest request, Path rootfs, List<String> args, Optional<TaskUser> user,
                             String cgroupsPath) {
        ContainerSpec spec = request.spec();
        List<String> env = new ArrayList<>();
        TaskEnvironment.of("/", spec, request.extraEnv()).forEach((k, v) -> env.add(k + "=" + v));

        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("bounding", CAPABILITIES);
        // as Docker does for a non-root user: runc would otherwise hand the configured capabilities to the
        // unprivileged process too (it keeps them across its setuid), CAP_DAC_OVERRIDE included
        caps.put("effective", user.isPresent() ? List.of() : CAPABILITIES);
        caps.put("permitted", user.isPresent() ? List.of() : CAPABILITIES);
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", user.map(TaskUser::uid).orElse(0), "gid", user.map(TaskUser::gid).orElse(0)));
        process.put("args", args);
        process.put("env", env);
        process.put("cwd", spec.getWorkingDir().isEmpty() ? "/" : spec.getWorkingDir());
        process.put("capabilities", caps);
        process.put("noNewPrivileges", true);

        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        if (spec.getMemoryBytes() > 0) {
            resources.put("memory", Map.of("limit", spec.getMemoryBytes()));
        }
        if (spec.getCpuMillis() > 0) {
            resources.put("cpu", Map.of("quota", spec.getCpuMillis() * CFS_PERIOD_US / 1000, "period", CFS_PERIOD_US));
        }
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("resources", resources);
        linux.put("cgroupsPath", cgroupsPath);
        // no "network" namespace: tasks use the host network (see the class comment)
        linux.put("namespaces", List.of(Map.of("type", "pid"), Map.of("type", "ipc"), Map.of("type", "uts"),
                Map.of("type", "mount")));
        linux.put("maskedPaths", List.of("/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"));
        linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", "1.0.2");
        config.put("process", process);
        config.put("root", Map.of("path", rootfs.toAbsolutePath().toString(), "readonly", true));
        config.put("hostname", request.task().taskId());
        List<Map<String, Object>> mounts = new ArrayList<>(List.of(
                mount("/proc", "proc", "proc", List.of()),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"))));
        // after /tmp and /dev/shm, so a secret placed under them is not hidden by their tmpfs
        for (LaunchRequest.BindMount m : request.mounts()) {
            mounts.add(mount(m.destination(), "bind", m.source().toAbsolutePath().toString(),
                    List.of("rbind", "ro", "nosuid", "nodev", "noexec")));
        }
        config.put("mounts", mounts);
        config.put("linux", linux);
        return new GsonBuilder().setPrettyPrinting().create().toJson(config);
    }

    private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        if (!options.isEmpty()) {
            m.put("options", options);
        }
        return m;
    }
}
