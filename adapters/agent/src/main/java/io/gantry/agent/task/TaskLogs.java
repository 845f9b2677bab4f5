package io.gantry.agent.task;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * The output files of tasks, {@code <dir>/<namespace>/<task>/stdout.log} and {@code stderr.log}. The
 * process writes them directly (so output is not lost while the agent restarts); the agent caps them
 * with copy-then-truncate rotation, as logrotate's {@code copytruncate} does, keeping one old file.
 */
public final class TaskLogs {
    public static final List<String> STREAMS = List.of("stdout", "stderr");

    /** How much of a file's end {@link #lastLine} reads. */
    private static final int LAST_LINE_BYTES = 4096;

    private final Path root;
    private final long maxBytes;

    public TaskLogs(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
    }

    /** The task's own directory (created): its logs, its default working directory, its runc bundle. */
    public Path dir(String namespace, String taskId) {
        Path dir = root.resolve(namespace).resolve(taskId);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public Path file(String namespace, String taskId, String stream) {
        return dir(namespace, taskId).resolve(stream + ".log");
    }

    /** The last {@code lines} lines of one stream, the rotated file included. */
    public List<String> tail(String namespace, String taskId, String stream, int lines) {
        Deque<String> last = new ArrayDeque<>();
        if (lines <= 0) {
            return List.of();
        }
        Path current = file(namespace, taskId, stream);
        for (Path f : List.of(current.resolveSibling(stream + ".log.1"), current)) {
            if (!Files.exists(f)) {
                continue;
            }
            try (Stream<String> all = Files.lines(f, StandardCharsets.UTF_8)) {
                all.forEach(line -> {
                    last.addLast(line);
                    if (last.size() > lines) {
                        last.removeFirst();
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                // a malformed byte sequence or a file rotated away while reading: show what was read
            }
        }
        return new ArrayList<>(last);
    }

    /**
     * The last non-empty line of one stream (the rotated file when the current one has none), cut to
     * {@code maxChars}; empty when there is none. Reads only the end of each file: a task's last words, not its log.
     */
    public String lastLine(String namespace, String taskId, String stream, int maxChars) {
        Path current = file(namespace, taskId, stream);
        String line = lastLine(current, maxChars);
        return line.isEmpty() ? lastLine(current.resolveSibling(stream + ".log.1"), maxChars) : line;
    }

    /** The last non-empty line of {@code file}, cut to {@code maxChars}; empty when there is none. */
    static String lastLine(Path file, int maxChars) {
        String line = lastLine(file);
        return line.length() > maxChars ? line.substring(0, maxChars) : line;
    }

    private static String lastLine(Path file) {
        if (!Files.exists(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            byte[] bytes = new byte[(int) Math.min(length, LAST_LINE_BYTES)];
            in.seek(length - bytes.length);
            in.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (!lines[i].isBlank()) {
                    return lines[i].strip();
                }
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Bytes written after {@code offset}, complete lines only; returns the new offset (0 after a truncation). */
    public long readFrom(Path file, long offset, List<String> lines) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length < offset) {
                offset = 0;
            }
            if (length == offset) {
                return offset;
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
            in.seek(offset);
            in.readFully(bytes);
            int lastNewline = -1;
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    lastNewline = i;
                    break;
                }
            }
            if (lastNewline < 0) {
                return offset;
            }
            String text = new String(bytes, 0, lastNewline, StandardCharsets.UTF_8);
            lines.addAll(List.of(text.split("\n", -1)));
            return offset + lastNewline + 1;
        } catch (IOException e) {
            return offset;
        }
    }

    /** Rotates every log file above the cap. */
    public void rotate() {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root, 3)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                if (Files.size(f) > maxBytes) {
                    Files.copy(f, f.resolveSibling(f.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                    // the writer holds the file with O_APPEND: after truncation it goes on writing at offset 0
                    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                        raf.setLength(0);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // a task deleted while walking: the next round sees a consistent tree
        }
    }

    public void delete(String namespace, String taskId) {
        Path dir = root.resolve(namespace).resolve(taskId);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove files of task " + taskId, e);
        }
    }
}
