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
 * into stdout), so the server's side of a console is tested against real output, exit codes and kills. Resizes are
 * only recorded, as {@code "COLSxROWS"}.
 */
final class LocalProcessExec implements ExecSession {
    private final Process process;
    private final OutputStream stdin;
    private final List<String> resizes;

    private LocalProcessExec(Process process, List<String> resizes) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.resizes = resizes;
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
        return new LocalProcessExec(process, resizes);
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
            stdin.write(data);
            stdin.flush();
        } catch (IOException e) {
            // the command is gone or closed its stdin
        }
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
