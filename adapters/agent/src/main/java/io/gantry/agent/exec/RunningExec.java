package io.gantry.agent.exec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.pty4j.PtyProcess;
import com.pty4j.WinSize;
import io.gantry.agent.runtime.Proc;
import io.gantry.agent.runtime.Signals;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One exec's process, on pipes or on a pseudo-terminal: its output pumped to an {@link ExecSink} (stdout and stderr
 * apart on pipes), then its exit code once the process has ended and its output is drained. The process leads its
 * own process group (setsid(1) on pipes, the terminal's session on a pty), so that {@link #kill} reaches what it
 * started.
 */
public final class RunningExec {
    private static final Logger LOG = LoggerFactory.getLogger(RunningExec.class);
    /**
     * How long output may still come once the process has ended: what a child it left behind writes to the inherited
     * pipe or terminal is not waited for beyond this, as {@code docker exec} does not either.
     */
    private static final long DRAIN_MILLIS = 2000;
    private static final int CHUNK = 8192;
    /**
     * On a terminal, how long the first keystrokes wait for the command's first output (a shell's prompt). {@code runc
     * exec --tty} puts the agent's terminal into raw mode only as it starts the command: keys typed before that are
     * echoed and line-edited by that outer terminal, and reached the container's shell mangled (seen on a busy
     * machine). A command that prints nothing before it reads gets its first input this much later, no more.
     */
    private static final long FIRST_INPUT_WAIT_MILLIS = 1500;

    private final Process process;
    private final boolean tty;
    private final ExecSink sink;
    private final Consumer<RunningExec> onEnd;
    private final OutputStream stdin;
    private final CountDownLatch firstOutput = new CountDownLatch(1);
    private boolean ended;

    /** @param onEnd told once, after the exit was delivered */
    RunningExec(Process process, boolean tty, ExecSink sink, Consumer<RunningExec> onEnd) {
        this.process = process;
        this.tty = tty;
        this.sink = sink;
        this.onEnd = onEnd;
        this.stdin = process.getOutputStream();
    }

    /** Starts pumping the process's output, then its exit, on {@code threads}. */
    void watch(ExecutorService threads) {
        CountDownLatch drained = new CountDownLatch(tty ? 1 : 2);
        threads.execute(() -> pump(process.getInputStream(), false, drained));
        if (!tty) {
            threads.execute(() -> pump(process.getErrorStream(), true, drained));
        }
        threads.execute(() -> awaitExit(drained));
    }

    public long pid() {
        return process.pid();
    }

    /** Feeds the command's stdin; blocks while it does not read. Quietly drops input once stdin is closed. */
    public void write(byte[] data) {
        try {
            if (tty && firstOutput.getCount() > 0) {
                firstOutput.await(FIRST_INPUT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            stdin.write(data);
            stdin.flush();
        } catch (IOException closed) {
            LOG.debug("exec {}: stdin closed, {} bytes dropped", process.pid(), data.length);
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    /** EOF on the command's stdin; no-op on a terminal, whose input ends with ^D (closing it would hang it up). */
    public void closeStdin() {
        if (!tty) {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Resizes the terminal: the kernel sends SIGWINCH to its foreground process group. No-op on pipes. */
    public void resize(int cols, int rows) {
        if (tty && cols > 0 && rows > 0 && process instanceof PtyProcess pty) {
            pty.setWinSize(new WinSize(ExecCommand.dimension(cols), ExecCommand.dimension(rows)));
        }
    }

    /**
     * Kills the command with everything it started: its process group, and its descendants by parentage (those that
     * left the group, and for runc the container's side of {@code runc exec}), read before any dies and is reparented.
     */
    public void kill() {
        if (!process.isAlive()) {
            return;
        }
        List<Long> tree = Proc.tree(process.pid()).stream().map(Proc.Stat::pid).toList();
        Signals.group(process.pid(), Signals.SIGKILL);
        Signals.processes(tree, Signals.SIGKILL);
    }

    private void pump(InputStream in, boolean stderr, CountDownLatch drained) {
        byte[] buffer = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    deliver(Arrays.copyOf(buffer, n), stderr);
                }
            }
        } catch (IOException endOfTerminal) {
            // a pty's master reads EIO once the last process holding the terminal has gone: its end of file
        } finally {
            drained.countDown();
        }
    }

    private void awaitExit(CountDownLatch drained) {
        int code;
        try {
            code = exitCode(process.waitFor());
            drained.await(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException agentClosing) {
            kill();
            code = 128 + Signals.SIGKILL;
        }
        synchronized (this) {
            ended = true;
            sink.exit(code);
        }
        closeQuietly();
        onEnd.accept(this);
    }

    private synchronized void deliver(byte[] data, boolean stderr) {
        firstOutput.countDown();
        if (!ended) {
            sink.output(data, stderr);
        }
    }

    /** Java reports a signal's end as 128 + signal already; pty4j's native wait as the negated signal. */
    static int exitCode(int status) {
        return status < 0 ? 128 - status : status;
    }

    private void closeQuietly() {
        for (AutoCloseable stream : List.<AutoCloseable>of(stdin, process.getInputStream(), process.getErrorStream())) {
            try {
                stream.close();
            } catch (Exception ignored) {
                // best effort: the process has ended
            }
        }
    }
}
