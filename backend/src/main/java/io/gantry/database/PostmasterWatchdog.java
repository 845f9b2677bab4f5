package io.gantry.database;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the embedded postmaster when this JVM dies without stopping it ({@code kill -9}, an OOM kill):
 * pg_ctl starts it as a daemon, so nothing else ties its life to ours. The watchdog is a shell blocked
 * on reading a pipe whose only writer is this JVM; the kernel closes that pipe when the JVM ends,
 * however it ends, and the shell then asks the postmaster for a fast shutdown (SIGINT). Where there is
 * no shell, {@link OrphanedPostmaster} at the next start is the only guard.
 */
final class PostmasterWatchdog implements AutoCloseable {
    /** The shell's {@code $0}: how it shows in {@code ps}. */
    static final String NAME = "gantry-postgres-watchdog";
    private static final Logger log = LoggerFactory.getLogger(PostmasterWatchdog.class);

    private final Process shell;

    private PostmasterWatchdog(Process shell) {
        this.shell = shell;
    }

    static PostmasterWatchdog watch(long postmasterPid) {
        try {
            Process shell = new ProcessBuilder("/bin/sh", "-c", "read -r line; kill -INT \"$1\"", NAME,
                    Long.toString(postmasterPid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // this JVM keeps the pipe's write end (shell.getOutputStream()) open, and writes nothing
            return new PostmasterWatchdog(shell);
        } catch (IOException e) {
            log.warn("No watchdog for the embedded PostgreSQL (pid {}): {}; if this server is killed, the next "
                    + "start stops it", postmasterPid, e.toString());
            return new PostmasterWatchdog(null);
        }
    }

    /** Ends the watchdog without signalling: an orderly shutdown stops the postmaster itself. */
    @Override
    public void close() {
        if (shell != null) {
            shell.destroy();
        }
    }
}
