package io.gantry.marathon;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The process of a nested container on {@link MesosTestAgent}: a real local process, on a pty when the launch
 * asked for a tty. Stands in for the Mesos containerizer's launch helper, including its way of failing: a command
 * that cannot be executed prints {@code Failed to execute '<argv0>': <strerror>} on stderr and exits 1
 * ({@code src/slave/containerizer/mesos/launch.cpp}).
 */
abstract class NestedChild {
    private volatile boolean killed;

    static NestedChild start(List<String> argv, boolean tty, int cols, int rows, Path dir) throws IOException {
        if (!executable(argv.get(0), dir)) {
            return new Failed("Failed to execute '" + argv.get(0) + "': No such file or directory\n");
        }
        if (tty) {
            // its own class: pty4j is loaded only by tty sessions (the backend's tests reuse this server without it)
            return PtyChild.start(argv, cols, rows, dir);
        }
        return new Plain(new ProcessBuilder(argv).directory(dir.toFile()).start());
    }

    /** stdout, or the tty's output (both streams) with a tty. */
    abstract InputStream stdout();

    /** stderr; {@code null} with a tty. */
    abstract InputStream stderr();

    abstract OutputStream stdin();

    abstract boolean tty();

    /** Sets the terminal's size (the child gets SIGWINCH); a child without a tty ignores it. */
    abstract void resize(int cols, int rows);

    /** The process, or {@code null} when none started. */
    abstract Process process();

    /** Kills the container: every process of it, as Mesos destroys a container's whole cgroup. */
    void kill() {
        killed = true;
        Process p = process();
        if (p != null) {
            // pty4j's processes have no toHandle(); their pid is real
            ProcessHandle.of(p.pid()).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
            p.destroyForcibly();
        }
    }

    /** What wait(2) gives: the exit code shifted left by 8, or the signal (SIGKILL 9) when killed. */
    int waitStatus(long timeoutSeconds) throws InterruptedException {
        Process p = process();
        if (p == null) {
            return 1 << 8;
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("nested container still running after " + timeoutSeconds + " s");
        }
        return killed ? 9 : (p.exitValue() & 0xff) << 8;
    }

    private static boolean executable(String command, Path dir) {
        if (command.contains("/")) {
            return Files.isExecutable(dir.resolve(command));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String entry : path.split(":")) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, command))) {
                return true;
            }
        }
        return false;
    }

    /** A child without a tty: its pipes. */
    private static final class Plain extends NestedChild {
        private final Process process;

        Plain(Process process) {
            this.process = process;
        }

        @Override
        InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        boolean tty() {
            return false;
        }

        @Override
        void resize(int cols, int rows) {
        }

        @Override
        Process process() {
            return process;
        }
    }

    /** The launch helper's failure to exec: its message on stderr, exit status 1, no process. */
    private static final class Failed extends NestedChild {
        private final byte[] message;

        Failed(String message) {
            this.message = message.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        InputStream stdout() {
            return InputStream.nullInputStream();
        }

        @Override
        InputStream stderr() {
            return new ByteArrayInputStream(message);
        }

        @Override
        OutputStream stdin() {
            return OutputStream.nullOutputStream();
        }

        @Override
        boolean tty() {
            return false;
        }

        @Override
        void resize(int cols, int rows) {
        }

        @Override
        Process process() {
            return null;
        }
    }
}
