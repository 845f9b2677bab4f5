package io.gantry.agent.exec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.api.v1.Event;
import io.gantry.agent.task.AgentFailure;
import io.gantry.agent.task.EventBus;
import io.gantry.agent.task.TaskSupervisor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's exec sessions: runs commands in running tasks (through the task's runtime, so as the task runs),
 * on pipes or on a pseudo-terminal, at most {@link #MAX_OPEN} at a time. Each session holds a process and two or
 * three threads for its life, which the cap bounds.
 */
public final class ExecSessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecSessions.class);
    /** Consoles are few (an operator's shell, a script's command); a runaway client must not exhaust the host. */
    public static final int MAX_OPEN = 32;

    private final TaskSupervisor tasks;
    private final AtomicInteger open = new AtomicInteger();
    /** The sessions running now, by the task they run in ({@code namespace/task}). */
    private final Map<RunningExec, String> running = new ConcurrentHashMap<>();
    private final Runnable unsubscribe;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "agent-exec");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param events    the tasks' facts: a task's sessions end when it exits or is deleted
     * @param nativeDir where the terminal libraries are unpacked: in the agent's private data dir
     */
    public ExecSessions(TaskSupervisor tasks, EventBus events, Path nativeDir) {
        this.tasks = tasks;
        Ptys.useNativesIn(nativeDir);
        this.unsubscribe = events.subscribe(this::taskChanged);
    }

    /**
     * Starts {@code command} in a running task and returns once its process runs; {@code sink} then gets its output
     * and its exit.
     *
     * @param containerId when not empty, the task must be this container's
     * @throws AgentFailure NOT_FOUND (no such task), FAILED_PRECONDITION (it does not run), INVALID_ARGUMENT (the
     *                      command cannot start there), RESOURCE_EXHAUSTED (as many sessions open as allowed)
     */
    public RunningExec start(String namespace, String containerId, String taskId, ExecCommand command, ExecSink sink) {
        if (open.incrementAndGet() > MAX_OPEN) {
            open.decrementAndGet();
            throw AgentFailure.exhausted("this agent has " + MAX_OPEN + " exec sessions open, as many as it allows:"
                    + " close one first");
        }
        try {
            TaskSupervisor.RunningTask task = tasks.running(namespace, containerId, taskId);
            ProcessBuilder builder = task.runtime().exec(task.request(), command.argv(), command.tty());
            Process process = spawn(builder, command);
            RunningExec exec = new RunningExec(process, command.tty(), sink, this::ended);
            running.put(exec, namespace + "/" + taskId);
            exec.watch(threads);
            LOG.info("exec {} in task {}/{} (pid {}, tty={})", command.argv().get(0), namespace, taskId,
                    process.pid(), command.tty());
            return exec;
        } catch (RuntimeException e) {
            open.decrementAndGet();
            throw e;
        }
    }

    /** Sessions open now: the {@code gantry_agent_exec_sessions_open} gauge. */
    public int openSessions() {
        return open.get();
    }

    /** Kills every session's command; their sinks still get their exits. */
    @Override
    public void close() {
        unsubscribe.run();
        new ArrayList<>(running.keySet()).forEach(RunningExec::kill);
        threads.shutdown();
    }

    /**
     * Ends the sessions of a task that exited or was deleted, as a container's execs end with it: a runc container
     * takes them along and a raw task's cgroups do, but a raw task without limits has none. Off the publisher's
     * thread, which holds the task's lock.
     */
    private void taskChanged(Event event) {
        if (!event.getTopic().equals("/tasks/exit") && !event.getTopic().equals("/tasks/delete")) {
            return;
        }
        String task = event.getNamespace() + "/" + event.getTaskId();
        List<RunningExec> ending = running.entrySet().stream().filter(e -> e.getValue().equals(task))
                .map(Map.Entry::getKey).toList();
        if (!ending.isEmpty()) {
            try {
                threads.execute(() -> ending.forEach(RunningExec::kill));
            } catch (RejectedExecutionException closing) {
                // the agent is closing: close() kills every session
            }
        }
    }

    private void ended(RunningExec exec) {
        running.remove(exec);
        open.decrementAndGet();
    }

    /** On a terminal through pty4j; else on pipes, in a session of its own (setsid(1)) as a terminal would give it. */
    private static Process spawn(ProcessBuilder builder, ExecCommand command) {
        try {
            if (command.tty()) {
                return Ptys.start(builder, command.cols(), command.rows());
            }
            List<String> argv = new ArrayList<>(List.of("setsid"));
            argv.addAll(builder.command());
            return builder.command(argv).start();
        } catch (IOException e) {
            throw AgentFailure.invalid("command '" + command.argv().get(0) + "' cannot start: " + e.getMessage());
        }
    }
}
