package io.gantry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident set size, read from {@code /proc/<pid>/status} as {@code ps} and the kernel report it. */
final class Rss {
    private Rss() {
    }

    /** {@code VmRSS} of the process in bytes; throws when the process is gone (or this is not Linux). */
    static long of(long pid) throws IOException {
        return field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    /**
     * The process's proportional set size ({@code Pss} of {@code smaps_rollup}): memory shared between processes
     * (PostgreSQL's shared buffers) counted once over them, so that the figures of a process tree add up.
     */
    static long proportional(long pid) throws IOException {
        return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
    }

    private static long field(Path file, String name) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no " + name + " in " + file);
    }
}
