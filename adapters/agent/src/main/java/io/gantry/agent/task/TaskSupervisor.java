package io.gantry.agent.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.protobuf.util.Timestamps;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.PortSpec;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskMetrics;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.metrics.LatencyHistogram;
import io.gantry.agent.runtime.LaunchRequest;
import io.gantry.agent.runtime.LaunchedProcess;
import io.gantry.agent.runtime.Proc;
import io.gantry.agent.runtime.Signals;
import io.gantry.agent.runtime.TaskRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs tasks: starts their processes through a runtime, watches them end, restarts those of
 * long-running containers with back-off, stops them (SIGTERM, SIGKILL after the grace period) and
 * re-adopts them after an agent restart. Task state is persisted in the data dir on every change.
 */
public final class TaskSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskSupervisor.class);
    /** A run longer than this resets the crash-loop back-off. */
    private static final long STABLE_RUN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long FIRST_BACKOFF_MILLIS = 250;
    private static final long MAX_BACKOFF_MILLIS = 8_000;

    /**
     * @param advertiseHost host part of task addresses
     * @param stopGrace     time between SIGTERM and SIGKILL when the spec sets none
     */
    public record Settings(String advertiseHost, Duration stopGrace) {
    }

    private static final class Entry {
        final LaunchRequest.Identity id;
        Task task;
        LaunchedProcess process;
        TaskRuntime runtime;
        boolean stopRequested;
        ScheduledFuture<?> pendingRestart;
        ScheduledFuture<?> pendingKill;
        ScheduledFuture<?> pendingProbe;
        int crashes;
        long startedNanos;
        CompletableFuture<Task> exited = new CompletableFuture<>();

        Entry(Task task) {
            this.id = new LaunchRequest.Identity(task.getNamespace(), task.getContainerId(), task.getId());
            this.task = task;
        }
    }

    private final ContainerStore containers;
    private final EventBus events;
    private final StateFiles<Task> files;
    private final Map<String, TaskRuntime> runtimes;
    private final TaskRuntime unoffered;
    private final TaskLogs logs;
    private final TaskDirs dirs;
    private final Settings settings;
    private final PortAllocator ports = new PortAllocator();
    private final Map<String, LatencyHistogram> startLatency = new ConcurrentHashMap<>();
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, daemonThreads("agent-timer"));
    private final ExecutorService workers = Executors.newCachedThreadPool(daemonThreads("agent-task"));
    private volatile boolean closing;

    /**
     * @param runtimes  the runtimes offered: tasks start with these only
     * @param unoffered signals and cleans up a re-adopted task whose runtime is no longer offered (raw turned off
     *                  since it started): it can be stopped and deleted, never started again
     * @param logs      the tasks' output files and private directories, in the agent's data dir
     * @param dirs      the tasks' working directories, outside it
     */
    public TaskSupervisor(Path stateDir, ContainerStore containers, EventBus events, Map<String, TaskRuntime> runtimes,
                          TaskRuntime unoffered, TaskLogs logs, TaskDirs dirs, Settings settings) {
        this.containers = containers;
        this.events = events;
        this.files = new StateFiles<>(stateDir, Task::newBuilder);
        this.runtimes = Map.copyOf(runtimes);
        this.unoffered = unoffered;
        this.logs = logs;
        this.dirs = dirs;
        this.settings = settings;
        runtimes.keySet().forEach(r -> startLatency.put(r, new LatencyHistogram()));
        recover();
        scheduler.scheduleWithFixedDelay(this::pollAdopted, 500, 500, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(logs::rotate, 2, 2, TimeUnit.SECONDS);
    }

    public Task create(String namespace, String containerId, String taskId) {
        Container container = containers.get(namespace, containerId);
        Names.require("task id", taskId);
        Entry entry;
        synchronized (entries) {
            if (entries.containsKey(ContainerStore.key(namespace, taskId))) {
                throw AgentFailure.alreadyExists("task '" + taskId + "' already exists in namespace '" + namespace + "'");
            }
            entry = new Entry(Task.newBuilder().setId(taskId).setNamespace(namespace).setContainerId(containerId)
                    .setStatus(TaskStatus.TASK_STATUS_CREATED).setCreatedAt(Timestamps.now())
                    .setRuntime(container.getSpec().getRuntime()).build());
            persist(entry);
            entries.put(ContainerStore.key(namespace, taskId), entry);
        }
        events.publish(namespace, "/tasks/create", containerId, taskId, 0, "");
        return entry.task;
    }

    public Task start(String namespace, String taskId) {
        Entry e = entry(namespace, taskId);
        synchronized (e) {
            if (e.process != null) {
                throw AgentFailure.precondition("task '" + taskId + "' is already running");
            }
            cancel(e.pendingRestart);
            e.stopRequested = false;
            e.crashes = 0;
            try {
                launch(e, false);
            } catch (RuntimeException failure) {
                e.task = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_EXITED).setExitCode(-1)
                        .setExitedAt(Timestamps.now()).setMessage("start failed: " + failure.getMessage()).build();
                persist(e);
                events.publish(namespace, "/tasks/exit", e.id.containerId(), taskId, -1, e.task.getMessage());
                throw failure;
            }
            return e.task;
        }
    }

    /** Signals the task; SIGTERM, SIGINT and SIGKILL also stop it for good (no restart), SIGKILL following after the grace period. */
    public void kill(String namespace, String taskId, int signal) {
        Entry e = entry(namespace, taskId);
        int sig = signal == 0 ? Signals.SIGTERM : signal;
        if (sig < 1 || sig > 64) {
            throw AgentFailure.invalid("signal " + signal + " is not a valid signal number");
        }
        boolean terminating = sig == Signals.SIGTERM || sig == Signals.SIGKILL || sig == Signals.SIGINT;
        synchronized (e) {
            if (terminating) {
                e.stopRequested = true;
                cancel(e.pendingRestart);
                if (e.task.getStatus() == TaskStatus.TASK_STATUS_RESTARTING) {
                    e.task = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_EXITED).setMessage("stopped").build();
                    persist(e);
                    e.exited.complete(e.task);
                }
            }
            if (e.process == null) {
                if (!terminating) {
                    throw AgentFailure.precondition("task '" + taskId + "' is not running");
                }
                return;
            }
            e.runtime.signal(e.id, e.process, sig);
            if (terminating && sig != Signals.SIGKILL) {
                LaunchedProcess p = e.process;
                cancel(e.pendingKill);
                e.pendingKill = scheduler.schedule(() -> forceKill(e, p), grace(e).toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Stops what runs (the whole process group), then forgets the task, its ports and its files. */
    public Task delete(String namespace, String taskId) {
        Entry e = entry(namespace, taskId);
        CompletableFuture<Task> exited = null;
        synchronized (e) {
            e.stopRequested = true;
            cancel(e.pendingRestart);
            if (e.process != null) {
                e.runtime.signal(e.id, e.process, Signals.SIGTERM);
                exited = e.exited;
            }
        }
        if (exited != null && !await(exited, grace(e))) {
            synchronized (e) {
                if (e.process != null) {
                    e.runtime.signal(e.id, e.process, Signals.SIGKILL);
                }
            }
            await(exited, Duration.ofSeconds(3));
        }
        synchronized (e) {
            if (e.process != null) {
                e.runtime.cleanup(e.id, e.process);
                e.process = null;
            }
            cancel(e.pendingKill);
            cancel(e.pendingProbe);
            entries.remove(ContainerStore.key(namespace, taskId));
            files.delete(namespace, taskId);
            ports.release(e.task.getHostPortsList());
            logs.delete(namespace, taskId);
            dirs.delete(namespace, taskId);
        }
        events.publish(namespace, "/tasks/delete", e.id.containerId(), taskId, e.task.getExitCode(), "");
        return e.task;
    }

    public Task get(String namespace, String taskId) {
        return entry(namespace, taskId).task;
    }

    /** Tasks of a namespace (every namespace when null), of one container when {@code containerId} is not empty. */
    public List<Task> list(String namespace, String containerId) {
        return entries.values().stream().map(e -> e.task)
                .filter(t -> namespace == null || namespace.equals(t.getNamespace()))
                .filter(t -> containerId == null || containerId.isEmpty() || containerId.equals(t.getContainerId()))
                .sorted(Comparator.comparing(Task::getNamespace).thenComparing(Task::getId))
                .toList();
    }

    /** Completes with the task once it has exited (at once when it does not run). */
    public CompletableFuture<Task> waitFor(String namespace, String taskId) {
        Entry e = entry(namespace, taskId);
        synchronized (e) {
            return e.process == null ? CompletableFuture.completedFuture(e.task) : e.exited;
        }
    }

    public void deleteContainer(String namespace, String containerId) {
        long tasks = list(namespace, containerId).size();
        if (tasks > 0) {
            throw AgentFailure.precondition("container '" + containerId + "' still has " + tasks
                    + " task(s): delete them first");
        }
        containers.delete(namespace, containerId);
    }

    /** CPU and memory of running tasks (their whole process tree), from /proc. */
    public List<TaskMetrics> metrics(String namespace, Collection<String> taskIds) {
        List<TaskMetrics> out = new ArrayList<>();
        List<Proc.Stat> processes = Proc.all();
        for (Entry e : entries.values()) {
            Task t = e.task;
            if ((namespace != null && !namespace.equals(t.getNamespace()))
                    || (!taskIds.isEmpty() && !taskIds.contains(t.getId()))) {
                continue;
            }
            LaunchedProcess p = e.process;
            List<Proc.Stat> tree = p == null ? List.of() : Proc.tree(p.pid(), processes);
            out.add(TaskMetrics.newBuilder().setNamespace(t.getNamespace()).setTaskId(t.getId())
                    .setContainerId(t.getContainerId()).setRestarts(t.getRestarts()).setPids(tree.size())
                    .setCpuSeconds(tree.stream().mapToLong(s -> s.utimeTicks() + s.stimeTicks()).sum()
                            / Proc.TICKS_PER_SECOND)
                    .setMemoryBytes(tree.stream().mapToLong(Proc.Stat::rssBytes).sum())
                    .build());
        }
        out.sort(Comparator.comparing(TaskMetrics::getNamespace).thenComparing(TaskMetrics::getTaskId));
        return out;
    }

    /** Start latency (start request to process running) per runtime. */
    public Map<String, LatencyHistogram> startLatency() {
        return startLatency;
    }

    public int runningTasks() {
        return (int) entries.values().stream().filter(e -> e.process != null).count();
    }

    /** Stops watching; with {@code stopTasks} also stops every task's processes. Persisted state is left as it was,
     * so that the next agent start re-adopts or restarts the tasks. */
    public void close(boolean stopTasks) {
        closing = true;
        scheduler.shutdownNow();
        if (stopTasks) {
            List<Entry> running = entries.values().stream().filter(e -> e.process != null).toList();
            running.forEach(e -> e.runtime.signal(e.id, e.process, Signals.SIGTERM));
            long deadline = System.nanoTime() + settings.stopGrace().toNanos();
            for (Entry e : running) {
                while (e.process.alive() && System.nanoTime() < deadline) {
                    sleep(20);
                }
                e.runtime.cleanup(e.id, e.process);
            }
        }
        workers.shutdownNow();
    }

    @Override
    public void close() {
        close(false);
    }

    private void launch(Entry e, boolean automaticRestart) {
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
            process = runtime.launch(request(e.id, spec, hostPorts));
        } catch (IOException io) {
            ports.release(hostPorts.stream().filter(p -> !e.task.getHostPortsList().contains(p)).toList());
            throw AgentFailure.precondition("cannot start: " + io.getMessage());
        } catch (RuntimeException failure) {
            ports.release(hostPorts.stream().filter(p -> !e.task.getHostPortsList().contains(p)).toList());
            throw failure;
        }
        startLatency.computeIfAbsent(runtime.name(), r -> new LatencyHistogram())
                .observe((System.nanoTime() - t0) / 1e9);
        e.process = process;
        e.runtime = runtime;
        e.startedNanos = System.nanoTime();
        e.exited = new CompletableFuture<>();
        Task.Builder b = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_RUNNING).setPid(process.pid())
                .setPidStartTicks(process.startTicks()).setStartedAt(Timestamps.now()).clearExitedAt().setExitCode(0)
                .setMessage("").setRuntime(runtime.name()).clearHostPorts().addAllHostPorts(hostPorts)
                .setAddress(hostPorts.isEmpty() ? "" : settings.advertiseHost() + ":" + hostPorts.get(0))
                .setSpecGeneration(container.getGeneration()).setOomKilled(false).setHealthy(false)
                .setHealthMessage(HealthProbe.defined(spec) ? "health check pending" : "");
        if (automaticRestart) {
            b.setRestarts(b.getRestarts() + 1);
        }
        e.task = b.build();
        persist(e);
        events.publish(e.id.namespace(), "/tasks/start", e.id.containerId(), e.id.taskId(), 0, "");
        process.child().ifPresent(child -> child.onExit().thenAcceptAsync(
                ended -> exited(e, process, ended.exitValue()), workers));
        scheduleProbe(e, process, Duration.ofMillis(200));
    }

    /** What a runtime needs to run (or exec in) the task: its environment is built here, from nothing. */
    private LaunchRequest request(LaunchRequest.Identity id, ContainerSpec spec, List<Integer> hostPorts) {
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < hostPorts.size() && i < spec.getPortsCount(); i++) {
            env.put("PORT" + i, Integer.toString(hostPorts.get(i)));
            env.put("PORT_" + spec.getPorts(i).getContainerPort(), Integer.toString(hostPorts.get(i)));
        }
        env.put("GANTRY_NAMESPACE", id.namespace());
        env.put("GANTRY_CONTAINER_ID", id.containerId());
        env.put("GANTRY_TASK_ID", id.taskId());
        return new LaunchRequest(id, spec, env, logs.dir(id.namespace(), id.taskId()),
                dirs.dir(id.namespace(), id.taskId()), logs.file(id.namespace(), id.taskId(), "stdout"),
                logs.file(id.namespace(), id.taskId(), "stderr"));
    }

    private void scheduleProbe(Entry e, LaunchedProcess process, Duration delay) {
        cancel(e.pendingProbe);
        e.pendingProbe = scheduler.schedule(() -> workers.execute(() -> probe(e, process)), delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** One health check; a change is persisted and published. Until healthy, checks come at least every second. */
    private void probe(Entry e, LaunchedProcess process) {
        ContainerSpec spec;
        try {
            spec = containers.get(e.id.namespace(), e.id.containerId()).getSpec();
        } catch (AgentFailure containerGone) {
            return;
        }
        if (!HealthProbe.defined(spec) || e.process != process || closing) {
            return;
        }
        Optional<String> failure;
        try {
            failure = HealthProbe.check(spec, e.task.getHostPortsList(), e.runtime,
                    request(e.id, spec, e.task.getHostPortsList()));
        } catch (RuntimeException directoryGone) {
            failure = Optional.of("health check: " + directoryGone.getMessage());
        }
        synchronized (e) {
            if (e.process != process || closing) {
                return;
            }
            boolean healthy = failure.isEmpty();
            if (healthy != e.task.getHealthy() || !failure.orElse("").equals(e.task.getHealthMessage())) {
                e.task = e.task.toBuilder().setHealthy(healthy).setHealthMessage(failure.orElse("")).build();
                persist(e);
                events.publish(e.id.namespace(), "/tasks/health", e.id.containerId(), e.id.taskId(), 0,
                        healthy ? "healthy" : failure.get());
            }
            Duration interval = HealthProbe.interval(spec);
            scheduleProbe(e, process, healthy || interval.getSeconds() <= 1 ? interval : Duration.ofSeconds(1));
        }
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

    private void exited(Entry e, LaunchedProcess process, int exitCode) {
        synchronized (e) {
            if (e.process != process || closing) {
                // a stale notification, or an agent shutting down: the state stays RUNNING for the next start
                return;
            }
            e.process = null;
            cancel(e.pendingKill);
            cancel(e.pendingProbe);
            // asked before cleanup, which removes the cgroup holding the OOM counter
            boolean oom = e.runtime.oomKilled(e.id);
            e.runtime.cleanup(e.id, process);
            String message = e.stopRequested ? "stopped"
                    : oom ? "killed by the kernel: out of memory"
                    : exitCode == -1 ? "exited while the agent was not watching (exit code unknown)"
                    : "exited with code " + exitCode;
            Task.Builder b = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_EXITED).setExitCode(exitCode)
                    .setExitedAt(Timestamps.now()).setOomKilled(oom).setMessage(message).setHealthy(false)
                    .setHealthMessage("");
            if (oom) {
                events.publish(e.id.namespace(), "/tasks/oom", e.id.containerId(), e.id.taskId(), exitCode, message);
            }
            events.publish(e.id.namespace(), "/tasks/exit", e.id.containerId(), e.id.taskId(), exitCode, message);
            if (!e.stopRequested && restartsOnExit(e)) {
                if (System.nanoTime() - e.startedNanos > STABLE_RUN_NANOS) {
                    e.crashes = 0;
                }
                long delay = scheduleRestart(e);
                b.setStatus(TaskStatus.TASK_STATUS_RESTARTING).setMessage(message + "; restarting in " + delay + " ms");
            }
            e.task = b.build();
            persist(e);
            e.exited.complete(e.task);
        }
    }

    private boolean restartsOnExit(Entry e) {
        try {
            return !"JOB".equals(containers.get(e.id.namespace(), e.id.containerId()).getSpec().getKind());
        } catch (AgentFailure containerGone) {
            return false;
        }
    }

    private long scheduleRestart(Entry e) {
        long delay = Math.min(FIRST_BACKOFF_MILLIS << Math.min(e.crashes, 6), MAX_BACKOFF_MILLIS);
        e.crashes++;
        cancel(e.pendingRestart);
        e.pendingRestart = scheduler.schedule(() -> workers.execute(() -> restart(e)), delay, TimeUnit.MILLISECONDS);
        return delay;
    }

    private void restart(Entry e) {
        synchronized (e) {
            if (closing || e.stopRequested || e.process != null || e.task.getStatus() != TaskStatus.TASK_STATUS_RESTARTING
                    || !entries.containsKey(ContainerStore.key(e.id.namespace(), e.id.taskId()))) {
                return;
            }
            try {
                launch(e, true);
            } catch (RuntimeException failure) {
                long delay = scheduleRestart(e);
                e.task = e.task.toBuilder().setMessage("restart failed: " + failure.getMessage() + "; retrying in "
                        + delay + " ms").build();
                persist(e);
                events.publish(e.id.namespace(), "/tasks/exit", e.id.containerId(), e.id.taskId(), -1,
                        e.task.getMessage());
            }
        }
    }

    private void forceKill(Entry e, LaunchedProcess process) {
        synchronized (e) {
            if (e.process == process) {
                e.runtime.signal(e.id, process, Signals.SIGKILL);
            }
        }
    }

    /** Re-adopts tasks whose process survived the agent; the others ended while nobody watched. */
    private void recover() {
        for (Task task : files.readAll()) {
            Entry e = new Entry(task);
            entries.put(ContainerStore.key(task.getNamespace(), task.getId()), e);
            ports.markTaken(task.getHostPortsList());
            e.runtime = runtimes.getOrDefault(task.getRuntime(), unoffered);
            if (task.getStatus() == TaskStatus.TASK_STATUS_RUNNING) {
                LaunchedProcess p = new LaunchedProcess(task.getPid(), task.getPidStartTicks(), Optional.empty());
                e.process = p;
                e.startedNanos = System.nanoTime();
                if (p.alive()) {
                    LOG.info("re-adopted task {}/{} (pid {})", task.getNamespace(),
                            task.getId(), task.getPid());
                    scheduleProbe(e, p, Duration.ofMillis(200));
                } else {
                    exited(e, p, -1);
                }
            } else if (task.getStatus() == TaskStatus.TASK_STATUS_RESTARTING) {
                synchronized (e) {
                    scheduleRestart(e);
                }
            }
        }
    }

    /** Re-adopted processes are not this JVM's children: their end is learned by polling /proc. */
    private void pollAdopted() {
        for (Entry e : entries.values()) {
            LaunchedProcess p = e.process;
            if (p != null && p.child().isEmpty() && !p.alive()) {
                workers.execute(() -> exited(e, p, -1));
            }
        }
    }

    private Duration grace(Entry e) {
        try {
            int seconds = containers.get(e.id.namespace(), e.id.containerId()).getSpec().getStopGraceSeconds();
            return seconds > 0 ? Duration.ofSeconds(seconds) : settings.stopGrace();
        } catch (AgentFailure containerGone) {
            return settings.stopGrace();
        }
    }

    private Entry entry(String namespace, String taskId) {
        Entry e = entries.get(ContainerStore.key(namespace, taskId));
        if (e == null) {
            throw AgentFailure.notFound("task '" + taskId + "' does not exist in namespace '" + namespace + "'");
        }
        return e;
    }

    private void persist(Entry e) {
        files.write(e.id.namespace(), e.id.taskId(), e.task);
    }

    private static boolean await(CompletableFuture<Task> future, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
