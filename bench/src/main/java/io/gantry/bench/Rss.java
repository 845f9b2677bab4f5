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
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }
}
