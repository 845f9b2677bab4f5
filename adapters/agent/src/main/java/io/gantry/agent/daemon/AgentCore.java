package io.gantry.agent.daemon;

import io.gantry.agent.runtime.Cgroups;
import io.gantry.agent.runtime.ImageStore;
import io.gantry.agent.runtime.RawRuntime;
import io.gantry.agent.runtime.RuncRuntime;
import io.gantry.agent.runtime.TaskRuntime;
import io.gantry.agent.task.ContainerStore;
import io.gantry.agent.task.EventBus;
import io.gantry.agent.task.TaskLogs;
import io.gantry.agent.task.TaskSupervisor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.nio.file.Path;
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
    private final TaskSupervisor tasks;
    private final List<ServerServiceDefinition> services;
    private final ExecutorService followers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "agent-log-follow");
        t.setDaemon(true);
        return t;
    });

    public AgentCore(AgentOptions options) {
        this(options, Path.of("/sys/fs/cgroup"), RuncRuntime.find());
    }

    AgentCore(AgentOptions options, Path cgroupRoot, Optional<String> runc) {
        Path data = options.dataDir();
        List<String> notes = new ArrayList<>();
        Cgroups cgroups = new Cgroups(cgroupRoot);
        cgroups.unavailableReason().ifPresent(r -> notes.add("raw tasks run without memory and CPU limits: " + r));
        ImageStore images = new ImageStore(data.resolve("images"));
        Map<String, TaskRuntime> runtimes = new LinkedHashMap<>();
        runtimes.put("raw", new RawRuntime(cgroups));
        runc.ifPresentOrElse(
                path -> runtimes.put("runc", new RuncRuntime(path, data.resolve("runc"), images)),
                () -> notes.add("runtime runc is unavailable: it needs the runc binary and an agent running as root"));
        EventBus events = new EventBus();
        ContainerStore containers = new ContainerStore(data.resolve("containers"), runtimes.keySet(), images::has, events);
        TaskLogs logs = new TaskLogs(data.resolve("tasks-run"), options.maxLogBytes());
        this.tasks = new TaskSupervisor(data.resolve("tasks"), containers, events, runtimes, logs,
                new TaskSupervisor.Settings(options.advertiseHost(), options.stopGrace()));

        TokenInterceptor token = new TokenInterceptor(options.token());
        NamespaceInterceptor namespace = new NamespaceInterceptor();
        this.services = List.of(
                ServerInterceptors.intercept(new ContainersService(containers, tasks), namespace, token),
                ServerInterceptors.intercept(new TasksService(tasks, logs, followers), namespace, token),
                ServerInterceptors.intercept(new EventsService(events), namespace, token),
                ServerInterceptors.intercept(new ImagesService(images), namespace, token),
                ServerInterceptors.intercept(new NodeService(options.nodeName(), options.advertiseHost(),
                        options.labels(), List.copyOf(runtimes.keySet()), List.copyOf(notes), tasks), namespace, token));
    }

    /** The services, each behind the interceptors (the token one runs first). */
    public List<ServerServiceDefinition> services() {
        return services;
    }

    public TaskSupervisor tasks() {
        return tasks;
    }

    /** Stops serving; with {@code stopTasks} also stops every task (else they keep running for re-adoption). */
    public void close(boolean stopTasks) {
        followers.shutdownNow();
        tasks.close(stopTasks);
    }

    @Override
    public void close() {
        close(false);
    }
}
