package io.gantry.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A postmaster left running on our data dir by a server that died without stopping it ({@code kill -9},
 * an OOM kill, before {@link PostmasterWatchdog} acted). It holds {@code postmaster.pid}, so a new one
 * would refuse to start. Called only while this server holds the data dir's lock: a postmaster serving
 * that data dir then belongs to nobody.
 */
final class OrphanedPostmaster {
    private static final Logger log = LoggerFactory.getLogger(OrphanedPostmaster.class);
    /** How long each of PostgreSQL's shutdown modes gets before the next, harder one. */
    private static final List<Step> STEPS = List.of(
            new Step("INT", "fast shutdown", 60),
            new Step("QUIT", "immediate shutdown", 15),
            new Step("KILL", "kill", 15));

    private OrphanedPostmaster() {
    }

    /** The pid named by {@code postmaster.pid} (its first line), if the file exists. */
    static Optional<Long> pid(Path pgData) {
        try {
            List<String> lines = Files.readAllLines(pgData.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pgData.resolve("postmaster.pid"), e);
        } catch (NumberFormatException e) {
            // a file cut short by a crash while it was written: PostgreSQL's own check discards it too
            return Optional.empty();
        }
    }

    /** Stops the postmaster that {@code postmaster.pid} names, if it is alive and serves {@code pgData}. */
    static void stopIfRunning(Path pgData) {
        Optional<ProcessHandle> named = pid(pgData).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (named.isEmpty()) {
            // no file, or a stale one: PostgreSQL replaces a pid file whose process is gone
            return;
        }
        ProcessHandle process = named.get();
        if (!servesDataDir(process, pgData)) {
            // the pid now belongs to an unrelated process; PostgreSQL would take it for a running postmaster
            log.info("Removing the stale {}: pid {} is not a PostgreSQL of this data dir", pgData.resolve("postmaster.pid"),
                    process.pid());
            deleteStalePidFile(pgData);
            return;
        }
        log.warn("An embedded PostgreSQL (pid {}) left running by an earlier server still serves {}; stopping it",
                process.pid(), pgData);
        for (Step step : STEPS) {
            signal(process, step.signal());
            if (ended(process, step.seconds())) {
                log.info("The earlier embedded PostgreSQL (pid {}) ended after a {}", process.pid(), step.name());
                return;
            }
            log.warn("The earlier embedded PostgreSQL (pid {}) did not end within {} s of a {}", process.pid(),
                    step.seconds(), step.name());
        }
        throw new IllegalStateException("The PostgreSQL (pid " + process.pid() + ") left running in " + pgData
                + " by an earlier server does not stop; stop it, then start Gantry again");
    }

    /** Its command line is {@code postgres -D <pgData> ...}, as pg_ctl started it for zonky. */
    private static boolean servesDataDir(ProcessHandle process, Path pgData) {
        ProcessHandle.Info info = process.info();
        String[] args = info.arguments().orElseThrow(() -> new IllegalStateException("cannot tell whether pid "
                + process.pid() + ", named by " + pgData.resolve("postmaster.pid") + ", is a PostgreSQL serving it; "
                + "stop it if it is, or remove that file"));
        boolean postgres = info.command().map(c -> Path.of(c).getFileName().toString().equals("postgres")).orElse(true);
        for (int i = 0; postgres && i + 1 < args.length; i++) {
            if (args[i].equals("-D") && samePath(Path.of(args[i + 1]), pgData)) {
                return true;
            }
        }
        return false;
    }

    private static boolean samePath(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    private static void deleteStalePidFile(Path pgData) {
        try {
            Files.deleteIfExists(pgData.resolve("postmaster.pid"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the stale " + pgData.resolve("postmaster.pid"), e);
        }
    }

    /** Java signals only TERM and KILL; PostgreSQL's fast and immediate shutdowns are INT and QUIT. */
    private static void signal(ProcessHandle process, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            log.warn("kill -{} {} failed: {}", signal, process.pid(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping pid " + process.pid(), e);
        }
    }

    private static boolean ended(ProcessHandle process, int seconds) {
        try {
            process.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping pid " + process.pid(), e);
        }
    }

    private record Step(String signal, String name, int seconds) {
    }
}
