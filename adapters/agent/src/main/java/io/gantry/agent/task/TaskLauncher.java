package io.gantry.agent.task;

import com.google.protobuf.util.Timestamps;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.PortSpec;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.metrics.LatencyHistogram;
import io.gantry.agent.runtime.LaunchRequest;
import io.gantry.agent.runtime.LaunchedProcess;
import io.gantry.agent.runtime.TaskRuntime;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts a task's process through the runtime its container names: host ports (kept across restarts unless
 * the spec's ports changed), the environment built from nothing, and the task record of a running task.
 */
final class TaskLauncher {
    private final ContainerStore containers;
    private final Map<String, TaskRuntime> runtimes;
    private final PortAllocator ports;
    private final TaskLogs logs;
    private final TaskDirs dirs;
    private final String advertiseHost;
    private final TaskSecrets secrets;
    private final Map<String, LatencyHistogram> startLatency = new ConcurrentHashMap<>();

    /** @param advertiseHost host part of task addresses */
    TaskLauncher(ContainerStore containers, Map<String, TaskRuntime> runtimes, PortAllocator ports, TaskLogs logs,
                 TaskDirs dirs, String advertiseHost, TaskSecrets secrets) {
        this.secrets = secrets;
        this.containers = containers;
        this.runtimes = Map.copyOf(runtimes);
        this.ports = ports;
        this.logs = logs;
        this.dirs = dirs;
        this.advertiseHost = advertiseHost;
        runtimes.keySet().forEach(r -> startLatency.put(r, new LatencyHistogram()));
    }

    /**
     * Launches the task's process and records it in {@code e} (process, runtime, a RUNNING record); the caller
     * holds {@code e}'s monitor, persists and publishes.
     *
     * @param automaticRestart counts as a restart in the record
     * @throws AgentFailure the runtime is not offered or cannot start the process
     */
    LaunchedProcess launch(SupervisedTask e, boolean automaticRestart) {
        Container container = containers.get(e.id.namespace(), e.id.containerId());
        ContainerSpec spec = container.getSpec();
        TaskRuntime runtime = runtimes.get(spec.getRuntime());
        if (runtime == null) {
            throw AgentFailure.precondition("runtime '" + spec.getRuntime() + "' is not available on this agent");
        }
        List<Integer> hostPorts = hostPorts(e.task.getHostPortsList(), spec.getPortsList());

        long t0 = System.nanoTime();
        LaunchedProcess process;
        try {
            LaunchRequest request = request(e.id, spec, hostPorts);
            secrets.files().write(e.id, spec, secrets.source());
            process = runtime.launch(request);
        } catch (IOException io) {
            ports.release(hostPorts.stream().filter(p -> !e.task.getHostPortsList().contains(p)).toList());
            secrets.files().remove(e.id);
            throw AgentFailure.precondition("cannot start: " + io.getMessage());
        } catch (RuntimeException failure) {
            ports.release(hostPorts.stream().filter(p -> !e.task.getHostPortsList().contains(p)).toList());
            secrets.files().remove(e.id);
            throw failure;
        }
        startLatency.computeIfAbsent(runtime.name(), r -> new LatencyHistogram())
                .observe((System.nanoTime() - t0) / 1e9);
        e.process = process;
        e.runtime = runtime;
        e.startedNanos = System.nanoTime();
        Task.Builder b = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_RUNNING).setPid(process.pid())
                .setPidStartTicks(process.startTicks()).setStartedAt(Timestamps.now()).clearExitedAt().setExitCode(0)
                .setMessage("").setRuntime(runtime.name()).clearHostPorts().addAllHostPorts(hostPorts)
                .setAddress(hostPorts.isEmpty() ? "" : advertiseHost + ":" + hostPorts.get(0))
                .setSpecGeneration(container.getGeneration()).setOomKilled(false).setStartFailed(false).clearBackoffUntil().setStderrTail("").setHealthy(false)
                .setHealthMessage(HealthProbe.defined(spec) ? "health check pending" : "");
        if (automaticRestart) {
            b.setRestarts(b.getRestarts() + 1);
        }
        e.task = b.build();
        return process;
    }

    /** Ends what a task's process left: the runtime's state and the task's secret files. */
    void cleanup(SupervisedTask e, LaunchedProcess process) {
        e.runtime.cleanup(e.id, process);
        secrets.files().remove(e.id);
    }

    /**
     * What a runtime needs to run (or exec in) the task: its environment is built here, from nothing; the variables
     * of its secret references come after the spec's own (their values as they are now).
     */
    LaunchRequest request(LaunchRequest.Identity id, ContainerSpec spec, List<Integer> hostPorts) {
        Map<String, String> env = new LinkedHashMap<>(secrets.env(id, spec));
        for (int i = 0; i < hostPorts.size() && i < spec.getPortsCount(); i++) {
            env.put("PORT" + i, Integer.toString(hostPorts.get(i)));
            env.put("PORT_" + spec.getPorts(i).getContainerPort(), Integer.toString(hostPorts.get(i)));
        }
        env.put("GANTRY_NAMESPACE", id.namespace());
        env.put("GANTRY_CONTAINER_ID", id.containerId());
        env.put("GANTRY_TASK_ID", id.taskId());
        return new LaunchRequest(id, spec, env, logs.dir(id.namespace(), id.taskId()),
                dirs.dir(id.namespace(), id.taskId()), logs.file(id.namespace(), id.taskId(), "stdout"),
                logs.file(id.namespace(), id.taskId(), "stderr"),
                "runc".equals(spec.getRuntime()) ? secrets.files().mounts(id, spec) : List.of());
    }

    /** Start latency (start request to process running) per runtime. */
    Map<String, LatencyHistogram> startLatency() {
        return startLatency;
    }

    /** The task keeps its host ports across restarts unless the spec's ports changed. */
    private List<Integer> hostPorts(List<Integer> current, List<PortSpec> wanted) {
        boolean same = current.size() == wanted.size();
        for (int i = 0; same && i < wanted.size(); i++) {
            int pinned = wanted.get(i).getPublishedPort();
            same = pinned == 0 || pinned == current.get(i);
        }
        if (same) {
            return current;
        }
        ports.release(current);
        return ports.allocate(wanted);
    }
}
