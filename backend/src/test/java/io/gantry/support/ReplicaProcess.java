package io.gantry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Gantry server in a process of its own (the test JVM's classpath, {@code io.gantry.GantryApplication},
 * on a database the test names; or the packaged jar on its embedded defaults): a replica that can be
 * killed ({@code kill -9}) or paused ({@code SIGSTOP}) like a real one. Its output goes to
 * {@code target/replicas/<name>.log}.
 */
public final class ReplicaProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private ReplicaProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts replica {@code name}; {@code env} adds to (or overrides) the test defaults. */
    public static ReplicaProcess start(String name, String databaseUrl, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of("GANTRY_DB_URL", databaseUrl, "GANTRY_DB_USER", "postgres",
                "GANTRY_DB_PASSWORD", "", "GANTRY_EMBEDDED_AGENT", "false"));
        all.putAll(env);
        return launch(name, java("-cp", System.getProperty("java.class.path"), "io.gantry.GantryApplication"),
                Path.of("target", "replicas", name + "-data").toAbsolutePath(), all);
    }

    /**
     * The packaged server (built by the package phase, before failsafe runs) as a user starts it, by the README's
     * {@code scripts/run} (its own JVM options, the extracted layout and class data sharing archive made in
     * {@code runDir}), with its defaults: the embedded PostgreSQL and the built-in agent, both in {@code dataDir}.
     * {@code env} adds to (or overrides) the admin token and password. The script ends in {@code exec java}: the
     * process is the server's JVM.
     */
    public static ReplicaProcess startWithRunScript(String name, Path runDir, Path dataDir, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("GANTRY_JAR", packagedJar().toAbsolutePath().toString());
        all.put("GANTRY_RUN_DIR", runDir.toString());
        return launch(name, List.of("sh", Path.of("..", "scripts", "run").toAbsolutePath().normalize().toString()),
                dataDir, all);
    }

    /** The server jar the package phase made, as a user runs it. */
    public static Path packagedJar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("gantry-backend-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no target/gantry-backend-*.jar: "
                            + "run the package phase (mvn verify does) before this test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> java(String... main) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small and quick to start: three of these share the build machine's two cores
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(List.of(main));
        return command;
    }

    private static ReplicaProcess launch(String name, List<String> command, Path dataDir, Map<String, String> env) {
        try {
            int port = freePort();
            Path dir = Path.of("target", "replicas").toAbsolutePath();
            Files.createDirectories(dir);
            Files.createDirectories(dataDir);
            Path log = dir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> e = pb.environment();
            e.put("SERVER_PORT", Integer.toString(port));
            e.put("GANTRY_DATA_DIR", dataDir.toString());
            e.put("GANTRY_BOOTSTRAP_TOKEN", IntegrationTest.ADMIN_TOKEN);
            e.put("GANTRY_ADMIN_PASSWORD", IntegrationTest.ADMIN_PASSWORD);
            e.putAll(env);
            return new ReplicaProcess(name, pb.start(), log, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + name, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits until the server answers its health endpoint; returns its replica id. */
    public String awaitUp(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("replica " + name + " ended: " + logText());
            }
            try {
                Api.Response health = api().get("/api/v1/health");
                if (health.status() == 200) {
                    return health.json().get("replica").asString();
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            sleep(250);
        }
        throw new AssertionError("replica " + name + " did not start within " + within + ": " + logText());
    }

    public Api api() {
        return new Api(port);
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** {@code kill -9}: no shutdown hook runs, its leases stay until they expire. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** Stops ({@code SIGSTOP}) or resumes ({@code SIGCONT}) the process, like a long GC pause or a frozen VM. */
    public void signal(String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " failed: " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void waitFor() {
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends the server as an operator would (SIGTERM, graceful), or kills it if it hangs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            signal("CONT");
            process.destroy();
            waitFor();
            if (process.isAlive()) {
                kill();
            }
        }
    }
}
