package io.gantry.agent.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskMetrics;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.metrics.LatencyHistogram;
import io.gantry.agent.runtime.LaunchRequest;
import io.gantry.agent.runtime.LaunchedProcess;
import io.gantry.agent.runtime.Proc;
import io.gantry.agent.runtime.Signals;
import io.gantry.agent.runtime.TaskRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
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
    /** Enough of stderr's last line to say why a task exited, short enough for a status message. */
    private static final int STDERR_TAIL_CHARS = 200;

    /**
     * @param advertiseHost host part of task addresses
     * @param stopGrace     time between SIGTERM and SIGKILL when the spec sets none
     */
    public record Settings(String advertiseHost, Duration stopGrace) {
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
    private final TaskLauncher launcher;
    private final HealthChecks health;
    private final RestartPolicy restarts;
    private final Map<String, SupervisedTask> entries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, daemonThreads("agent-timer"));
    private final ExecutorService workers = Executors.newCachedThreadPool(daemonThreads("agent-task"));
    private volatile boolean closing;

    /**
     * @param runtimes  the runtimes offered: tasks start with these only
     * @param unoffered signals and cleans up a re-adopted task whose runtime is no longer offered (raw turned off
     *                  since it started): it can be stopped and deleted, never started again
     * @param logs      the tasks' output files and private directories, in the agent's data dir
     * @param dirs      the tasks' working directories, outside it
     * @param secrets   the tasks' secrets and configs, as variables and files
     */
    public TaskSupervisor(Path stateDir, ContainerStore containers, EventBus events, Map<String, TaskRuntime> runtimes,
                          TaskRuntime unoffered, TaskLogs logs, TaskDirs dirs, TaskSecrets secrets, Settings settings) {
        this.containers = containers;
        this.events = events;
        this.files = new StateFiles<>(stateDir, Task::newBuilder);
        this.runtimes = Map.copyOf(runtimes);
        this.unoffered = unoffered;
        this.logs = logs;
        this.dirs = dirs;
        this.settings = settings;
        this.launcher = new TaskLauncher(containers, runtimes, ports, logs, dirs, settings.advertiseHost(), secrets);
        this.health = new HealthChecks(containers, launcher, files, events, scheduler, workers);
        this.restarts = new RestartPolicy(containers);
        recover();
        // what a task that ended while no agent watched left: only the running keep their files
        secrets.files().removeLeftovers(entries.values().stream().filter(e -> e.process != null)
                .map(e -> e.id.name()).collect(java.util.stream.Collectors.toSet()));
        scheduler.scheduleWithFixedDelay(this::pollAdopted, 500, 500, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(logs::rotate, 2, 2, TimeUnit.SECONDS);
    }

    public Task create(String namespace, String containerId, String taskId) {
        Container container = containers.get(namespace, containerId);
        Names.require("task id", taskId);
        SupervisedTask entry;
        synchronized (entries) {
            if (entries.containsKey(ContainerStore.key(namespace, taskId))) {
                throw AgentFailure.alreadyExists("task '" + taskId + "' already exists in namespace '" + namespace + "'");
            }
            entry = new SupervisedTask(Task.newBuilder().setId(taskId).setNamespace(namespace).setContainerId(containerId)
                    .setStatus(TaskStatus.TASK_STATUS_CREATED).setCreatedAt(Timestamps.now())
                    .setRuntime(container.getSpec().getRuntime()).build());
            persist(entry);
            entries.put(ContainerStore.key(namespace, taskId), entry);
        }
        events.publish(namespace, "/tasks/create", containerId, taskId, 0, "");
        return entry.task;
    }

    public Task start(String namespace, String taskId) {
        SupervisedTask e = entry(namespace, taskId);
        synchronized (e) {
            if (e.process != null) {
                throw AgentFailure.precondition("task '" + taskId + "' is already running");
            }
            cancel(e.pendingRestart);
            e.stopRequested = false;
            e.restarts.reset();
            // started on request: a crash loop's count starts over, as its back-off does
            e.task = e.task.toBuilder().setExitsInRow(0).build();
            try {
                launch(e, false);
            } catch (RuntimeException failure) {
                e.task = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_EXITED).setExitCode(-1)
                        .setExitedAt(Timestamps.now()).setStartFailed(true)
                        .setMessage("start failed: " + failure.getMessage()).build();
                persist(e);
                events.publish(namespace, "/tasks/exit", e.id.containerId(), taskId, -1, e.task.getMessage());
                throw failure;
            }
            return e.task;
        }
    }

    /** Signals the task; SIGTERM, SIGINT and SIGKILL also stop it for good (no restart), SIGKILL following after the grace period. */
    public void kill(String namespace, String taskId, int signal) {
        SupervisedTask e = entry(namespace, taskId);
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
                    e.task = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_EXITED).setMessage("stopped")
                            .clearBackoffUntil().build();
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
        SupervisedTask e = entry(namespace, taskId);
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
                launcher.cleanup(e, e.process);
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

    /**
     * A running task, for an exec in it: its runtime and its launch request rebuilt from the container's current spec.
     *
     * @param containerId when not empty, the task must be this container's (else NOT_FOUND)
     * @throws AgentFailure NOT_FOUND for an unknown task, FAILED_PRECONDITION when its process does not run or its
     *                      runtime is no longer offered
     */
    public RunningTask running(String namespace, String containerId, String taskId) {
        SupervisedTask e = entry(namespace, taskId);
        if (!containerId.isEmpty() && !containerId.equals(e.id.containerId())) {
            throw AgentFailure.notFound("task '" + taskId + "' is not one of container '" + containerId + "'");
        }
        synchronized (e) {
            if (e.process == null) {
                throw AgentFailure.precondition("task '" + taskId + "' is not running ("
                        + e.task.getStatus().name().replace("TASK_STATUS_", "").toLowerCase() + ")");
            }
            if (!runtimes.containsKey(e.task.getRuntime())) {
                // a re-adopted raw task of an agent restarted without raw: no new host process for it either
                throw AgentFailure.precondition("runtime '" + e.task.getRuntime() + "' is not available on this agent"
                        + " any more: task '" + taskId + "' takes no exec");
            }
            ContainerSpec spec = containers.get(namespace, e.id.containerId()).getSpec();
            return new RunningTask(e.runtime, launcher.request(e.id, spec, e.task.getHostPortsList()));
        }
    }

    /** A running task's runtime and how it runs (see {@link #running}). */
    public record RunningTask(TaskRuntime runtime, LaunchRequest request) {
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
        SupervisedTask e = entry(namespace, taskId);
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
        for (SupervisedTask e : entries.values()) {
            Task t = e.task;
            if ((namespace != null && !namespace.equals(t.getNamespace()))
                    || (!taskIds.isEmpty() && !taskIds.contains(t.getId()))) {
                continue;
            }
            out.add(TaskUsage.of(t, e.process, processes));
        }
        out.sort(Comparator.comparing(TaskMetrics::getNamespace).thenComparing(TaskMetrics::getTaskId));
        return out;
    }

    /** Start latency (start request to process running) per runtime. */
    public Map<String, LatencyHistogram> startLatency() {
        return launcher.startLatency();
    }

    public int runningTasks() {
        return (int) entries.values().stream().filter(e -> e.process != null).count();
    }

    /** Stops watching; with {@code stopTasks} also stops every task's processes. Persisted state is left as it was,
     * so that the next agent start re-adopts or restarts the tasks. */
    public void close(boolean stopTasks) {
        closing = true;
        health.stop();
        scheduler.shutdownNow();
        if (stopTasks) {
            List<SupervisedTask> running = entries.values().stream().filter(e -> e.process != null).toList();
            running.forEach(e -> e.runtime.signal(e.id, e.process, Signals.SIGTERM));
            long deadline = System.nanoTime() + settings.stopGrace().toNanos();
            for (SupervisedTask e : running) {
                while (e.process.alive() && System.nanoTime() < deadline) {
                    sleep(20);
                }
                launcher.cleanup(e, e.process);
            }
        }
        workers.shutdownNow();
    }

    @Override
    public void close() {
        close(false);
    }

    /** Launches the task's process, then persists, publishes and watches it: its exit and its health. */
    private void launch(SupervisedTask e, boolean automaticRestart) {
        LaunchedProcess process = launcher.launch(e, automaticRestart);
        e.exited = new CompletableFuture<>();
        persist(e);
        events.publish(e.id.namespace(), "/tasks/start", e.id.containerId(), e.id.taskId(), 0, "");
        process.child().ifPresent(child -> child.onExit().thenAcceptAsync(
                ended -> exited(e, process, ended.exitValue()), workers));
        health.schedule(e, process, Duration.ofMillis(200));
    }

    private void exited(SupervisedTask e, LaunchedProcess process, int exitCode) {
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
            launcher.cleanup(e, process);
            String message = e.stopRequested ? "stopped"
                    : oom ? "killed by the kernel: out of memory"
                    : exitCode == -1 ? "exited while the agent was not watching (exit code unknown)"
                    : "exited with code " + exitCode;
            Timestamp exitedAt = Timestamps.now();
            Task.Builder b = e.task.toBuilder().setStatus(TaskStatus.TASK_STATUS_EXITED).setExitCode(exitCode)
                    .setExitedAt(exitedAt).setOomKilled(oom).setMessage(message).setHealthy(false)
                    .setHealthMessage("");
            if (!e.stopRequested) {
                b.setExitsInRow(restarts.exitsInRow(e))
                        .setStderrTail(logs.lastLine(e.id.namespace(), e.id.taskId(), "stderr", STDERR_TAIL_CHARS));
            }
            if (oom) {
                events.publish(e.id.namespace(), "/tasks/oom", e.id.containerId(), e.id.taskId(), exitCode, message);
            }
            events.publish(e.id.namespace(), "/tasks/exit", e.id.containerId(), e.id.taskId(), exitCode, message);
            if (!e.stopRequested && restarts.restartsOnExit(e)) {
                long delay = scheduleRestart(e, restarts.afterExit(e));
                b.setStatus(TaskStatus.TASK_STATUS_RESTARTING).setMessage(message + "; restarting in " + delay + " ms")
                        .setBackoffUntil(Timestamps.add(exitedAt, Durations.fromMillis(delay)));
            }
            e.task = b.build();
            persist(e);
            e.exited.complete(e.task);
        }
    }

    /** @return the delay in milliseconds, for the task's message */
    private long scheduleRestart(SupervisedTask e, Duration delay) {
        cancel(e.pendingRestart);
        e.pendingRestart = scheduler.schedule(() -> workers.execute(() -> restart(e)), delay.toMillis(),
                TimeUnit.MILLISECONDS);
        return delay.toMillis();
    }

    private void restart(SupervisedTask e) {
        synchronized (e) {
            if (closing || e.stopRequested || e.process != null || e.task.getStatus() != TaskStatus.TASK_STATUS_RESTARTING
                    || !entries.containsKey(ContainerStore.key(e.id.namespace(), e.id.taskId()))) {
                return;
            }
            try {
                launch(e, true);
            } catch (RuntimeException failure) {
                long delay = scheduleRestart(e, restarts.afterFailedRestart(e));
                e.task = e.task.toBuilder().setMessage("restart failed: " + failure.getMessage() + "; retrying in "
                        + delay + " ms").setStartFailed(true)
                        .setBackoffUntil(Timestamps.add(Timestamps.now(), Durations.fromMillis(delay))).build();
                persist(e);
                events.publish(e.id.namespace(), "/tasks/exit", e.id.containerId(), e.id.taskId(), -1,
                        e.task.getMessage());
            }
        }
    }

    private void forceKill(SupervisedTask e, LaunchedProcess process) {
        synchronized (e) {
            if (e.process == process) {
                e.runtime.signal(e.id, process, Signals.SIGKILL);
            }
        }
    }

    /** Re-adopts tasks whose process survived the agent; the others ended while nobody watched. */
    private void recover() {
        for (Task task : files.readAll()) {
            SupervisedTask e = new SupervisedTask(task);
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
                    health.schedule(e, p, Duration.ofMillis(200));
                } else {
                    exited(e, p, -1);
                }
            } else if (task.getStatus() == TaskStatus.TASK_STATUS_RESTARTING) {
                synchronized (e) {
                    scheduleRestart(e, restarts.afterFailedRestart(e));
                }
            }
        }
    }

    /** Re-adopted processes are not this JVM's children: their end is learned by polling /proc. */
    private void pollAdopted() {
        for (SupervisedTask e : entries.values()) {
            LaunchedProcess p = e.process;
            if (p != null && p.child().isEmpty() && !p.alive()) {
                workers.execute(() -> exited(e, p, -1));
            }
        }
    }

    private Duration grace(SupervisedTask e) {
        try {
            int seconds = containers.get(e.id.namespace(), e.id.containerId()).getSpec().getStopGraceSeconds();
            return seconds > 0 ? Duration.ofSeconds(seconds) : settings.stopGrace();
        } catch (AgentFailure containerGone) {
            return settings.stopGrace();
        }
    }

    private SupervisedTask entry(String namespace, String taskId) {
        SupervisedTask e = entries.get(ContainerStore.key(namespace, taskId));
        if (e == null) {
            throw AgentFailure.notFound("task '" + taskId + "' does not exist in namespace '" + namespace + "'");
        }
        return e;
    }

    private void persist(SupervisedTask e) {
        e.persist(files);
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
        SupervisedTask.cancel(future);
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
