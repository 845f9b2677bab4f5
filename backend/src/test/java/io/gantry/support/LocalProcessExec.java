package io.gantry.support;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@link FakeEngine}'s exec: the command runs as a real local process (no terminal: {@code tty} only merges stderr
 * into stdout and turns typed CRs into NLs), so the server's side of a console is tested against real output, exit codes and kills. Resizes are
 * only recorded, as {@code "COLSxROWS"}.
 */
final class LocalProcessExec implements ExecSession {
    private final Process process;
    private final OutputStream stdin;
    private final List<String> resizes;
    private final boolean tty;

    private LocalProcessExec(Process process, List<String> resizes, boolean tty) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.resizes = resizes;
        this.tty = tty;
    }

    static ExecSession start(ExecRequest request, ExecListener listener, List<String> resizes) {
        Process process;
        try {
            process = new ProcessBuilder(request.command()).redirectErrorStream(request.tty()).start();
        } catch (IOException e) {
            throw InvalidSpecException.of("command", "cannot run '" + request.command().get(0) + "': " + e.getMessage());
        }
        resizes.add(request.cols() + "x" + request.rows());
        CountDownLatch drained = new CountDownLatch(request.tty() ? 1 : 2);
        pump(process.getInputStream(), false, listener, drained);
        if (!request.tty()) {
            pump(process.getErrorStream(), true, listener, drained);
        }
        daemon(() -> {
            try {
                int code = process.waitFor();
                drained.await();
                listener.onExit(code);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return new LocalProcessExec(process, resizes, request.tty());
    }

    private static void pump(InputStream from, boolean stderr, ExecListener listener, CountDownLatch drained) {
        daemon(() -> {
            byte[] buffer = new byte[8192];
            try (from) {
                for (int n; (n = from.read(buffer)) > 0; ) {
                    listener.onOutput(Arrays.copyOf(buffer, n), stderr);
                }
            } catch (IOException e) {
                // the process was killed: its exit code tells
            } finally {
                drained.countDown();
            }
        });
    }

    private static void daemon(Runnable body) {
        Thread thread = new Thread(body, "fake-exec");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void write(byte[] data) {
        try {
            stdin.write(tty ? enterEndsLines(data) : data);
            stdin.flush();
        } catch (IOException e) {
            // the command is gone or closed its stdin
        }
    }

    /**
     * A terminal's Enter key sends CR, which a pty's line discipline turns into NL (termios ICRNL) before the shell
     * reads it. Without a pty, a tty session does that much, so that a browser terminal's Enter ends a line here as
     * it does on a real engine.
     */
    private static byte[] enterEndsLines(byte[] data) {
        byte[] lines = data.clone();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i] == '\r') {
                lines[i] = '\n';
            }
        }
        return lines;
    }

    @Override
    public void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void resize(int cols, int rows) {
        resizes.add(cols + "x" + rows);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
