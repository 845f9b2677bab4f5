package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real single-node swarm of this machine, as {@code scripts/swarm-test-env.sh} sets it up: dockerd on
 * {@code /var/run/docker.sock}, a swarm manager, image {@code gantry-test/busybox:1}. Tests only look: they
 * never install, start, stop or initialise anything (the script, run by {@code .ci/run} or a developer, does).
 * A test that needs the daemon to go away talks to it through a {@link UnixSocketForwarder} and closes that.
 */
public final class LocalSwarm {
    public static final String SOCKET = "/var/run/docker.sock";
    public static final String IMAGE = "gantry-test/busybox:1";
    /** Services the tests create carry this label, so that a failed run's leftovers can be found and removed. */
    public static final String TEST_LABEL = "io.gantry.test";
    /** What a test that needs this swarm names when it is missing ({@code RequiredEngine.require}). */
    public static final String REQUIRED = "a Docker Swarm manager on " + SOCKET + " with image " + IMAGE
            + " (prepare the machine with: sudo bash scripts/swarm-test-env.sh)";
    private static Boolean available;

    private LocalSwarm() {
    }

    public static synchronized boolean available() {
        if (available == null) {
            available = isUp();
        }
        return available;
    }

    private static boolean isUp() {
        if (!Files.exists(Path.of(SOCKET))) {
            return false;
        }
        Result manager = run(Duration.ofSeconds(20), docker(), "info", "--format", "{{.Swarm.ControlAvailable}}");
        Result image = run(Duration.ofSeconds(20), docker(), "image", "inspect", "--format", "{{.Id}}", IMAGE);
        return manager.exitCode() == 0 && manager.output().trim().equals("true") && image.exitCode() == 0;
    }

    /** Publishes ports in host mode: this kernel has no IPVS, so Swarm's ingress mesh forwards nothing. */
    static EngineConnection connection(String endpoint, Map<String, String> credentials) {
        return connection(endpoint, credentials, Map.of(SwarmSettings.PUBLISH_MODE_OPTION, "host"));
    }

    static EngineConnection connection(String endpoint, Map<String, String> credentials, Map<String, String> options) {
        return new EngineConnection(UUID.randomUUID(), "local-swarm", endpoint, Map.of(), credentials, options,
                Duration.ofSeconds(10));
    }

    static EngineConnection connection() {
        return connection("unix://" + SOCKET, Map.of());
    }

    /** Runs the docker CLI and returns its output; fails the test when it fails. */
    public static String docker(String... args) {
        List<String> command = new ArrayList<>(List.of(docker()));
        command.addAll(List.of(args));
        Result result = run(Duration.ofSeconds(60), command.toArray(String[]::new));
        assertThat(result.exitCode()).as("docker " + String.join(" ", args) + ": " + result.output()).isZero();
        return result.output().trim();
    }

    /** Removes services by name or id, ignoring those already gone. */
    public static void removeServices(String... namesOrIds) {
        for (String service : namesOrIds) {
            run(Duration.ofSeconds(30), docker(), "service", "rm", service);
        }
    }

    private static String docker() {
        // Debian's client matches the daemon's API version; another docker on PATH may be newer
        return Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
    }

    public record Result(int exitCode, String output) {
    }

    public static Result run(Duration timeout, String... command) {
        return run(timeout, null, command);
    }

    static Result run(Duration timeout, Path workingDirectory, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            Process process = builder.start();
            process.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = process.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                reader.join(1000);
                return new Result(-1, String.join(" ", command) + " timed out after " + timeout);
            }
            reader.join();
            return new Result(process.exitValue(), new String(out[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
