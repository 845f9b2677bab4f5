package io.gantry.kubernetes;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the kubelet does with an exec that reached it, done on this machine: the command runs as a local process (on
 * a real pty with {@code tty}, {@link PtyTerminal}, so {@code stty} and SIGWINCH behave as in a container), and the
 * WebSocket speaks the channel protocol as k8s.io/kubelet's {@code cri/streaming/remotecommand} does: an empty
 * message on stdout once the streams are set up, output on 1 and 2, stdin on 0, resizes on 4, in v5 a
 * {@code [255, 0]} that ends stdin, and at the end a {@code metav1.Status} on 3 before the close. A client that leaves
 * has the command killed (a terminal that hangs up), whose status is still sent while the socket is open.
 */
final class PodExecEmulator {
    /** What a runaway output pump may delay the status by, once the process is gone. */
    private static final long DRAIN_MILLIS = 5_000;

    private final WebSocketFrames frames;
    private final String protocol;
    private final List<String> command;
    private final boolean tty;
    private final String pod;

    private PodExecEmulator(WebSocketFrames frames, String protocol, List<String> command, boolean tty, String pod) {
        this.frames = frames;
        this.protocol = protocol;
        this.command = command;
        this.tty = tty;
        this.pod = pod;
    }

    /** Runs the exec on an upgraded connection until the command ended and its status was sent, or the client left. */
    static void run(WebSocketFrames frames, String protocol, List<String> command, boolean tty, String pod)
            throws IOException {
        new PodExecEmulator(frames, protocol, command, tty, pod).run();
    }

    private void run() throws IOException {
        frames.write(WebSocketFrames.BINARY, new byte[] {ExecChannels.STDOUT});
        Optional<String> missing = missing(command.get(0));
        Process process;
        try {
            if (missing.isPresent()) {
                throw new IOException(missing.get());
            }
            process = tty ? PtyTerminal.start(command, workDir()) : new ProcessBuilder(command).directory(workDir()).start();
        } catch (IOException e) {
            sendStatus(notStarted(e.getMessage()));
            frames.close(1000);
            return;
        }
        Thread out = pump(process.getInputStream(), ExecChannels.STDOUT);
        Thread err = tty ? null : pump(process.getErrorStream(), ExecChannels.STDERR);
        Thread waiter = daemon("pod-exec-wait-" + pod, () -> finish(process, out, err));
        try {
            readClient(process);
        } finally {
            // the client closed or went away: the command goes with it (if it has not ended)
            kill(process);
            try {
                waiter.join(DRAIN_MILLIS * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static File workDir() {
        return new File(System.getProperty("java.io.tmpdir"));
    }

    /** Stdin, resizes and (v5) the close of stdin, until the client closes or its connection ends. */
    private void readClient(Process process) {
        OutputStream stdin = process.getOutputStream();
        try {
            while (true) {
                WebSocketFrames.Message message = frames.read();
                if (message.opcode() == WebSocketFrames.CLOSE) {
                    return;
                }
                byte[] data = message.payload();
                if (message.opcode() != WebSocketFrames.BINARY || data.length == 0) {
                    continue;
                }
                int channel = data[0] & 0xff;
                if (channel == ExecChannels.STDIN) {
                    write(stdin, Arrays.copyOfRange(data, 1, data.length));
                } else if (channel == ExecChannels.RESIZE && tty) {
                    JsonObject size = JsonParser.parseString(new String(data, 1, data.length - 1, StandardCharsets.UTF_8))
                            .getAsJsonObject();
                    PtyTerminal.resize(process, size.get("Width").getAsInt(), size.get("Height").getAsInt());
                } else if (channel == ExecChannels.CLOSE && ExecChannels.V5.equals(protocol) && data.length > 1
                        && data[1] == ExecChannels.STDIN) {
                    closeQuietly(stdin);
                }
            }
        } catch (IOException e) {
            // the connection ended without a close
        }
    }

    private static void write(OutputStream stdin, byte[] data) {
        try {
            stdin.write(data);
            stdin.flush();
        } catch (IOException e) {
            // the command closed its stdin or ended; as in a container, what comes after is dropped
        }
    }

    /** Waits for the command, lets its output drain, then sends the status and closes. */
    private void finish(Process process, Thread out, Thread err) {
        try {
            int code = process.waitFor();
            out.join(DRAIN_MILLIS);
            if (err != null) {
                err.join(DRAIN_MILLIS);
            }
            sendStatus(code == 0 ? "{\"metadata\":{},\"status\":\"Success\"}" : nonZero(code));
            frames.close(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client is gone: nobody to tell
        }
    }

    private Thread pump(InputStream from, int channel) {
        return daemon("pod-exec-out-" + pod, () -> {
            byte[] buffer = new byte[8192];
            try (from) {
                for (int n; (n = from.read(buffer)) > 0; ) {
                    frames.write(WebSocketFrames.BINARY, ExecChannels.frame(channel, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                // the command's end (a pty reports it as an error) or the client's
            }
        });
    }

    private void sendStatus(String json) throws IOException {
        frames.write(WebSocketFrames.BINARY, ExecChannels.frame(ExecChannels.ERROR, json.getBytes(StandardCharsets.UTF_8)));
    }

    /** The kubelet's words for a command that ended with a non-zero code. */
    private String nonZero(int code) {
        String message = "command terminated with non-zero exit code: error executing command " + command
                + ", exit code " + code;
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":" + quoted(message) + ",\"reason\":\""
                + ExecChannels.NON_ZERO_EXIT + "\",\"details\":{\"causes\":[{\"reason\":\"" + ExecChannels.EXIT_CODE
                + "\",\"message\":\"" + code + "\"}]}}";
    }

    /** What containerd and runc answer through the kubelet when the command cannot be started. */
    private static String notStarted(String why) {
        String cause = "error executing command in container: failed to exec in container: failed to start exec: "
                + "OCI runtime exec failed: exec failed: unable to start container process: " + why + ": unknown";
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":" + quoted("Internal error occurred: " + cause)
                + ",\"reason\":\"InternalError\",\"details\":{\"causes\":[{\"message\":" + quoted(cause) + "}]},\"code\":500}";
    }

    /** runc's message for a command it would not find, as Go's exec.LookPath and stat say it; empty when it runs. */
    private static Optional<String> missing(String argv0) {
        if (argv0.contains("/")) {
            Path path = Path.of(argv0);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.empty()
                    : Optional.of("exec: \"" + argv0 + "\": stat " + argv0 + ": no such file or directory");
        }
        String searched = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String dir : searched.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, argv0);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.empty();
            }
        }
        return Optional.of("exec: \"" + argv0 + "\": executable file not found in $PATH");
    }

    private static String quoted(String text) {
        return new com.google.gson.JsonPrimitive(text).toString();
    }

    private static void kill(Process process) {
        if (!process.isAlive()) {
            return;
        }
        ProcessHandle.of(process.pid()).ifPresent(handle -> handle.descendants().forEach(ProcessHandle::destroyForcibly));
        process.destroyForcibly();
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
