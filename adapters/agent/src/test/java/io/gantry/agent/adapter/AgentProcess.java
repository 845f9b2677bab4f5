package io.gantry.agent.adapter;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineException;
import io.gantry.agent.runtime.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real agent daemon as a child JVM: the packaged daemon jar when the build made it (failsafe passes
 * its path), else the daemon's main class on this JVM's class path. Public for the backend's cluster
 * test, which runs an agent that outlives the Gantry replicas syncing it.
 */
public final class AgentProcess implements AutoCloseable {
    private static final Pattern PID = Pattern.compile("\"pid\": \"(\\d+)\",\\s*\"pidStartTicks\": \"(\\d+)\"");
    public final String token;
    final Path root;
    final Path dataDir;
    public final int port;
    final int metricsPort;
    private final List<String> extraArgs = new ArrayList<>();
    private boolean allowRaw = true;
    /** Tuned for tests on a shared machine: quick start-up, little memory. */
    private List<String> jvmOptions = List.of("-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private Process process;

    /** @param root a directory for the agent's data dir and its log */
    public AgentProcess(Path root) throws IOException {
        this(root, "it-" + UUID.randomUUID(), freePort(), freePort());
    }

    /** An agent on a previous agent's data dir, token and ports: its restart. */
    AgentProcess(Path root, String token, int port, int metricsPort) {
        this.root = root;
        this.dataDir = root.resolve("data");
        this.token = token;
        this.port = port;
        this.metricsPort = metricsPort;
    }

    public AgentProcess start() throws IOException {
        Files.createDirectories(root);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        String jar = System.getProperty("gantry.agent.daemonJar");
        if (jar != null && Files.isRegularFile(Path.of(jar))) {
            command.addAll(List.of("-jar", jar));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.gantry.agent.daemon.AgentDaemon"));
        }
        command.addAll(extraArgs);
        if (allowRaw) {
            // the tests run host processes: this agent's operator allows them, as a standalone agent must be told to
            command.add("--allow-raw-runtime");
        }
        command.addAll(List.of("--listen", "127.0.0.1:" + port, "--data-dir", dataDir.toString(),
                "--metrics-listen", "127.0.0.1:" + metricsPort, "--stop-grace-seconds", "2"));
        if (extraArgs.isEmpty()) {
            command.addAll(List.of("--label", "zone=a"));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("agent.log").toFile()));
        builder.environment().put("GANTRY_AGENT_TOKEN", token);
        process = builder.start();
        awaitServing();
        return this;
    }

    /** JVM options instead of the test defaults; none for the JVM's own defaults, as operators run the daemon. */
    AgentProcess jvm(String... options) {
        jvmOptions = List.of(options);
        return this;
    }

    /** An agent started as operators start one by default: without the raw runtime. */
    public AgentProcess withoutRaw() {
        allowRaw = false;
        return this;
    }

    /** Options added to the command line (then the default label zone=a is left out). */
    AgentProcess with(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    EngineConnection connection() {
        return new EngineConnection(UUID.randomUUID(), "it-agent", "grpc://127.0.0.1:" + port, Map.of(),
                Map.of("token", token), Map.of(), Duration.ofSeconds(10));
    }

    EngineClient client() {
        return new AgentEngineAdapter().connect(connection());
    }

    /** Ends the agent like a crash: its tasks keep running. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    long pid() {
        return process.pid();
    }

    /** Stops the agent, then whatever its tasks still run: tasks outlive an agent by design, not a test. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        Path tasks = dataDir.resolve("tasks");
        if (!Files.isDirectory(tasks)) {
            return;
        }
        try (Stream<Path> files = Files.walk(tasks)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                Matcher m = PID.matcher(Files.readString(file));
                if (m.find() && Proc.alive(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))) {
                    new ProcessBuilder("kill", "-9", "--", "-" + m.group(1)).start().waitFor();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitServing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (EngineClient client = client()) {
            while (true) {
                try {
                    client.ping();
                    return;
                } catch (EngineException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("agent did not start (alive=" + process.isAlive() + ")", notYet);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
