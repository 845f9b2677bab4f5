package io.gantry.agent.daemon;

import io.gantry.agent.config.ConfigCipher;
import io.gantry.agent.config.ConfigStore;
import io.gantry.agent.config.SecretRefs;
import io.gantry.agent.exec.ExecSessions;
import io.gantry.agent.runtime.Cgroups;
import io.gantry.agent.runtime.ImageStore;
import io.gantry.agent.runtime.RawRuntime;
import io.gantry.agent.runtime.RuncRuntime;
import io.gantry.agent.runtime.TaskRuntime;
import io.gantry.agent.runtime.TaskUser;
import io.gantry.agent.task.ConfigUsers;
import io.gantry.agent.task.ContainerStore;
import io.gantry.agent.task.EventBus;
import io.gantry.agent.task.SecretFiles;
import io.gantry.agent.task.TaskDirs;
import io.gantry.agent.task.TaskLogs;
import io.gantry.agent.task.TaskSecrets;
import io.gantry.agent.task.TaskSupervisor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The agent without its transport: stores, runtimes, supervisor and the gRPC services over them,
 * behind the token and namespace interceptors. {@link AgentDaemon} serves it over the network;
 * tests serve it in-process.
 */
public final class AgentCore implements AutoCloseable {
    /** Runtimes whose tasks are host processes with the agent's reach (see RawRuntime); who may use them is the server's call. */
    static final List<String> PRIVILEGED_RUNTIMES = List.of("raw");

    private final TaskSupervisor tasks;
    private final ConfigStore configs;
    private final ExecSessions execs;
    private final List<ServerServiceDefinition> services;
    private final ExecutorService followers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "agent-log-follow");
        t.setDaemon(true);
        return t;
    });

    public AgentCore(AgentOptions options) {
        this(options, Path.of("/sys/fs/cgroup"), RuncRuntime.find());
    }

    /** @throws IllegalArgumentException when the task user or directory cannot be used */
    AgentCore(AgentOptions options, Path cgroupRoot, Optional<String> runc) {
        Path data = options.dataDir();
        privateDirectory(data);
        List<String> notes = new ArrayList<>();
        Optional<TaskUser> user = TaskUser.forAgent(options.taskUser());
        if (user.isEmpty()) {
            notes.add("tasks run as the agent's own user (only an agent running as root runs them as --task-user)");
        }
        Path taskRoot = options.taskDir() == null ? TaskDirs.defaultRoot(data) : options.taskDir();
        if (taskRoot.toAbsolutePath().normalize().startsWith(data.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--task-dir must be outside --data-dir: tasks must not reach the"
                    + " agent's state");
        }
        TaskDirs dirs = new TaskDirs(taskRoot, user);
        Cgroups cgroups = new Cgroups(cgroupRoot);
        cgroups.unavailableReason().ifPresent(r -> notes.add("raw tasks run without memory and CPU limits: " + r));
        ImageStore images = new ImageStore(data.resolve("images"));
        RawRuntime raw = new RawRuntime(cgroups, user);
        Map<String, TaskRuntime> runtimes = new LinkedHashMap<>();
        if (options.allowRaw()) {
            runtimes.put("raw", raw);
        } else {
            notes.add("runtime raw is off: start the agent with --allow-raw-runtime to run host processes");
        }
        runc.ifPresentOrElse(
                path -> runtimes.put("runc", new RuncRuntime(path, data.resolve("runc"), images, user, cgroups)),
                () -> notes.add("runtime runc is unavailable: it needs the runc binary and an agent running as root"));
        EventBus events = new EventBus();
        this.configs = new ConfigStore(data.resolve("configs"),
                ConfigCipher.forAgent(options.token(), data.resolve("configs.key")));
        SecretRefs refs = new SecretRefs(configs);
        ContainerStore containers = new ContainerStore(data.resolve("containers"), runtimes.keySet(), images::has, events,
                refs);
        TaskLogs logs = new TaskLogs(data.resolve("tasks-run"), options.maxLogBytes());
        TaskSecrets secrets = new TaskSecrets(refs, new SecretFiles(SecretFiles.defaultRoot(taskRoot), user));
        this.tasks = new TaskSupervisor(data.resolve("tasks"), containers, events, runtimes, raw, logs, dirs, secrets,
                new TaskSupervisor.Settings(options.advertiseHost(), options.stopGrace()));
        this.execs = new ExecSessions(tasks, events, data.resolve("pty4j"));

        TokenInterceptor token = new TokenInterceptor(options.token());
        NamespaceInterceptor namespace = new NamespaceInterceptor();
        this.services = List.of(
                ServerInterceptors.intercept(new ContainersService(containers, tasks, PRIVILEGED_RUNTIMES), namespace, token),
                ServerInterceptors.intercept(new TasksService(tasks, logs, followers, execs), namespace, token),
                ServerInterceptors.intercept(new EventsService(events), namespace, token),
                ServerInterceptors.intercept(new ImagesService(images), namespace, token),
                ServerInterceptors.intercept(new ConfigsService(configs, new ConfigUsers(containers, tasks)), namespace,
                        token),
                ServerInterceptors.intercept(new NodeService(options.nodeName(), options.advertiseHost(),
                        options.labels(), List.copyOf(runtimes.keySet()), PRIVILEGED_RUNTIMES, List.copyOf(notes), tasks),
                        namespace, token));
    }

    /**
     * The agent's data dir is its alone (mode 0700): tasks, which run as another user when the agent is root, cannot
     * read its state, the specs' environments in it, or other tasks' logs.
     */
    static void privateDirectory(Path data) {
        try {
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the data dir " + data + " private", e);
        }
    }

    /** The services, each behind the interceptors (the token one runs first). */
    public List<ServerServiceDefinition> services() {
        return services;
    }

    public TaskSupervisor tasks() {
        return tasks;
    }

    public ExecSessions execs() {
        return execs;
    }

    /** Stops serving; with {@code stopTasks} also stops every task (else they keep running for re-adoption). */
    public void close(boolean stopTasks) {
        followers.shutdownNow();
        // an exec's client reaches it only through this agent: a restarted one could not give it back
        execs.close();
        tasks.close(stopTasks);
    }

    @Override
    public void close() {
        close(false);
    }
}
