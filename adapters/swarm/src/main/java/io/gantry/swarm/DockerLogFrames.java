package io.gantry.swarm;

import io.gantry.spi.LogLine;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads {@code GET /services/{id}/logs?timestamps=1&details=1}. Without a TTY the body is Docker's
 * multiplexed stream (Engine API, "Attach to a container": an 8-byte header {@code [stream, 0, 0, 0,
 * size as big-endian uint32]} before each payload); with a TTY it is raw text. Each line reads
 * {@code <RFC 3339 time> <details> <text>}, where details are URL-encoded {@code key=value} pairs
 * joined by commas, among them {@code com.docker.swarm.task.id} (what {@code docker service logs}
 * uses to name the task).
 */
final class DockerLogFrames {
    static final String TASK_ID = "com.docker.swarm.task.id";
    private static final int HEADER_SIZE = 8;

    private DockerLogFrames() {
    }

    /** Calls {@code out} once per line until the stream ends; a last line without newline is delivered too. */
    static void read(InputStream body, Consumer<LogLine> out) throws IOException {
        BufferedInputStream in = new BufferedInputStream(body);
        in.mark(HEADER_SIZE);
        byte[] first = in.readNBytes(HEADER_SIZE);
        in.reset();
        if (first.length == HEADER_SIZE && first[0] >= 0 && first[0] <= 2 && first[1] == 0 && first[2] == 0 && first[3] == 0) {
            readMultiplexed(in, out);
        } else {
            Lines lines = new Lines("stdout", out);
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                lines.append(buffer, n);
            }
            lines.flush();
        }
    }

    private static void readMultiplexed(InputStream in, Consumer<LogLine> out) throws IOException {
        Lines stdout = new Lines("stdout", out);
        Lines stderr = new Lines("stderr", out);
        try {
            readFrames(in, (stderrFrame, payload) -> (stderrFrame ? stderr : stdout).append(payload, payload.length));
        } finally {
            stdout.flush();
            stderr.flush();
        }
    }

    /** Receives the payload of one multiplexed frame. */
    interface FrameSink {
        void accept(boolean stderr, byte[] payload) throws IOException;
    }

    /**
     * Reads Docker's multiplexed stream (no TTY) until it ends, one call per frame: logs, and the output of an exec
     * started without a terminal. Stream 2 is stderr; 1 (and 0, which dockerd never sends) are stdout.
     */
    static void readFrames(InputStream in, FrameSink sink) throws IOException {
        while (true) {
            byte[] header = in.readNBytes(HEADER_SIZE);
            if (header.length < HEADER_SIZE) {
                return;
            }
            int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                    | (header[7] & 0xff);
            byte[] payload = in.readNBytes(size);
            if (payload.length > 0) {
                sink.accept(header[0] == 2, payload);
            }
            if (payload.length < size) {
                return;
            }
        }
    }

    /** Splits one stream's bytes into lines; a frame may end mid-line (dockerd splits messages over 16 KiB). */
    private static final class Lines {
        private final String stream;
        private final Consumer<LogLine> out;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Lines(String stream, Consumer<LogLine> out) {
            this.stream = stream;
            this.out = out;
        }

        void append(byte[] bytes, int length) {
            int start = 0;
            for (int i = 0; i < length; i++) {
                if (bytes[i] == '\n') {
                    pending.write(bytes, start, i - start);
                    emit();
                    start = i + 1;
                }
            }
            pending.write(bytes, start, length - start);
        }

        void flush() {
            if (pending.size() > 0) {
                emit();
            }
        }

        private void emit() {
            String line = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            out.accept(parse(stream, line));
        }
    }

    static LogLine parse(String stream, String line) {
        int space = line.indexOf(' ');
        Instant time = null;
        String rest = line;
        if (space > 0) {
            try {
                time = Instant.parse(line.substring(0, space));
                rest = line.substring(space + 1);
            } catch (DateTimeParseException e) {
                // no timestamp in front: the whole line is text
            }
        }
        String task = null;
        int end = rest.indexOf(' ');
        String candidate = end < 0 ? rest : rest.substring(0, end);
        if (time != null && candidate.contains("=")) {
            Map<String, String> details = details(candidate);
            if (details.containsKey(TASK_ID)) {
                task = details.get(TASK_ID);
                rest = end < 0 ? "" : rest.substring(end + 1);
            }
        }
        return new LogLine(time, task, stream, rest);
    }

    private static Map<String, String> details(String text) {
        Map<String, String> out = new HashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    return Map.of();
                }
            }
        }
        return out;
    }
}
