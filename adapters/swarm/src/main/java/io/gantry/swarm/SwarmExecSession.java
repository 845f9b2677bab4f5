package io.gantry.swarm;

import io.gantry.spi.EngineException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running exec: its hijacked connection, the daemon thread that reads its output into the listener, and the
 * ending. The reader thread alone calls the listener, and ends it once: with the exit code {@code GET /exec/{id}/json}
 * reports once the output ended, or with a failure when there is none.
 */
final class SwarmExecSession implements ExecSession {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmExecSession.class);

    private final SwarmExec exec;
    private final SwarmExecTarget target;
    private final String execId;
    private final String marker;
    private final ExecRequest request;
    private final DockerHijack hijack;
    private final ExecListener listener;
    private final Duration callTimeout;
    private final Consumer<SwarmExecSession> onEnd;
    private final Thread reader;
    private final Object writeLock = new Object();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Why the adapter cut the connection itself, when it did (stdin not taken in time). */
    private volatile String cutBecause;

    SwarmExecSession(SwarmExec exec, SwarmExecTarget target, String execId, String marker, ExecRequest request,
                     DockerHijack hijack, ExecListener listener, Duration callTimeout, Consumer<SwarmExecSession> onEnd) {
        this.exec = exec;
        this.target = target;
        this.execId = execId;
        this.marker = marker;
        this.request = request;
        this.hijack = hijack;
        this.listener = listener;
        this.callTimeout = callTimeout;
        this.onEnd = onEnd;
        this.reader = new Thread(this::read, "gantry-swarm-exec-" + target.taskId());
        this.reader.setDaemon(true);
    }

    void startReading() {
        reader.start();
    }

    /**
     * Blocks while dockerd does not take the bytes (the command reads no stdin and the buffers are full), at most the
     * call timeout: then the session is cut and ends as a failure. After the end, writes are dropped.
     */
    @Override
    public void write(byte[] stdin) {
        if (stdin.length == 0 || ended.get() || hijack.isClosed()) {
            return;
        }
        synchronized (writeLock) {
            ScheduledFuture<?> deadline = DockerHttp.atDeadline(callTimeout, () -> cut("the command did not take its input within "
                    + callTimeout.toMillis() + " ms"));
            try {
                hijack.write(stdin);
            } catch (IOException e) {
                // the connection is gone: the reader sees it too and ends the session
                LOG.debug("exec {}: writing stdin failed", execId, e);
            } finally {
                deadline.cancel(false);
            }
        }
    }

    @Override
    public void closeStdin() {
        synchronized (writeLock) {
            try {
                hijack.shutdownOutput();
            } catch (IOException e) {
                LOG.debug("exec {}: closing stdin failed", execId, e);
            }
        }
    }

    @Override
    public void resize(int cols, int rows) {
        if (request.tty() && !ended.get() && cols > 0 && rows > 0) {
            exec.resize(execId, cols, rows);
        }
    }

    /**
     * Kills the command (see {@link SwarmExec#kill}), then closes the connection; blocks up to the call timeout for
     * each step of the kill. The reader then ends the listener: exit 137 (SIGKILL) when the kill worked.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (!ended.get()) {
            try {
                if (!exec.kill(target, marker)) {
                    LOG.debug("Swarm engine {}: exec {} in task {}: nothing to kill, or the image cannot (hang-up only)",
                            exec.engineName(), execId, target.taskId());
                }
            } catch (EngineException e) {
                LOG.warn("Swarm engine {}: killing exec {} in task {} failed, hanging up only: {}", exec.engineName(),
                        execId, target.taskId(), e.getMessage());
            }
        }
        hijack.close();
    }

    private void cut(String why) {
        cutBecause = why;
        hijack.close();
    }

    private void read() {
        Exception broke = null;
        try {
            InputStream output = hijack.output();
            if (request.tty()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = output.read(buffer)) >= 0; ) {
                    if (n > 0) {
                        listener.onOutput(Arrays.copyOf(buffer, n), false);
                    }
                }
            } else {
                DockerLogFrames.readFrames(output, (stderr, payload) -> listener.onOutput(payload, stderr));
            }
        } catch (IOException | RuntimeException e) {
            broke = e;
        } finally {
            hijack.close();
        }
        ended.set(true);
        onEnd.accept(this);
        end(broke);
    }

    /** The one ending call. */
    private void end(Exception broke) {
        EngineException failure;
        try {
            failure = ending(broke);
        } catch (EngineException e) {
            failure = e;
        }
        if (failure == null) {
            return;
        }
        try {
            listener.onFailure(failure);
        } catch (RuntimeException e) {
            LOG.warn("exec {}: the listener failed on the session's end", execId, e);
        }
    }

    /** Calls {@link ExecListener#onExit} and returns null, or returns the failure to report. */
    private EngineException ending(Exception broke) {
        String cut = cutBecause;
        if (cut != null) {
            killQuietly();
            return new EngineUnavailableException(where() + ": " + cut);
        }
        // a broken connection is looked at once; otherwise dockerd may take a moment to record the exit code
        SwarmExec.State state = exec.awaitEnd(execId, broke != null && !closing.get() ? Duration.ZERO : callTimeout);
        if (state.running() || state.exitCode() == null) {
            return new EngineUnavailableException(where() + ": " + (closing.get()
                    ? "the session was closed but the command could not be killed (Docker has no kill for an exec; the one in"
                    + " the container needs sh, tr, grep and kill there, and finds only processes that kept " + SwarmExec.SESSION_ENV
                    + " in their environment): it may still run"
                    : broke != null ? "the connection to the daemon broke: " + broke.getMessage()
                    : "the output ended but the daemon still reports the command running"));
        }
        if (state.pid() == 0 && state.exitCode() != 0) {
            // dockerd reports a command it could not start (not found, not executable) as exit 126/127 of no process
            return InvalidSpecException.of("command", "'" + request.command().get(0) + "' could not start in task "
                    + target.taskId() + " (exit " + state.exitCode() + "; the daemon's reason is in the output)");
        }
        try {
            listener.onExit(state.exitCode());
        } catch (RuntimeException e) {
            LOG.warn("exec {}: the listener failed on the exit code", execId, e);
        }
        return null;
    }

    private void killQuietly() {
        try {
            exec.kill(target, marker);
        } catch (EngineException e) {
            LOG.debug("exec {}: killing after the cut failed", execId, e);
        }
    }

    private String where() {
        return "Docker engine '" + exec.engineName() + "', exec in task " + target.taskId();
    }
}
