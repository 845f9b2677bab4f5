package io.gantry.agent.task;

import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.HealthCheckSpec;
import io.gantry.agent.runtime.LaunchRequest;
import io.gantry.agent.runtime.TaskRuntime;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs one health check of a task: TCP connect, HTTP GET (2xx/3xx) or a command (exit 0) where the task runs. */
final class HealthProbe {
    /** Enough of a failing check's last line to say why, short enough for a status message. */
    private static final int FAILURE_LINE_CHARS = 200;

    private HealthProbe() {
    }

    static boolean defined(ContainerSpec spec) {
        return spec.hasHealthCheck() && !spec.getHealthCheck().getType().isEmpty();
    }

    static Duration interval(ContainerSpec spec) {
        int seconds = spec.getHealthCheck().getIntervalSeconds();
        return Duration.ofSeconds(seconds > 0 ? seconds : 10);
    }

    /** @return empty when healthy, else why not */
    /** @param task the task's launch request, for a command check: it runs as, where and with what the task runs */
    static Optional<String> check(ContainerSpec spec, List<Integer> hostPorts, TaskRuntime runtime,
                                  LaunchRequest task) {
        HealthCheckSpec hc = spec.getHealthCheck();
        int timeoutMillis = (hc.getTimeoutSeconds() > 0 ? hc.getTimeoutSeconds() : 2) * 1000;
        try {
            switch (hc.getType().toLowerCase()) {
                case "tcp" -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", hostPort(spec, hc, hostPorts)), timeoutMillis);
                    }
                    return Optional.empty();
                }
                case "http" -> {
                    String path = hc.getPath().isEmpty() ? "/" : hc.getPath();
                    HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:"
                            + hostPort(spec, hc, hostPorts) + (path.startsWith("/") ? path : "/" + path)).toURL()
                            .openConnection();
                    http.setConnectTimeout(timeoutMillis);
                    http.setReadTimeout(timeoutMillis);
                    int status = http.getResponseCode();
                    http.disconnect();
                    return status < 400 ? Optional.empty() : Optional.of("health check: HTTP " + status);
                }
                case "command" -> {
                    // to a file rather than a pipe: a check that writes much cannot block on it; its last line says why
                    Path output = task.stateDir().resolve("health-check.out");
                    Process p = runtime.exec(task, hc.getCommandList(), false)
                            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                    if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                        p.destroyForcibly();
                        return Optional.of("health check: command timed out");
                    }
                    if (p.exitValue() == 0) {
                        return Optional.empty();
                    }
                    String said = TaskLogs.lastLine(output, FAILURE_LINE_CHARS);
                    return Optional.of("health check: command exited with " + p.exitValue()
                            + (said.isEmpty() ? "" : ": " + said));
                }
                default -> {
                    return Optional.of("health check: unknown type '" + hc.getType() + "'");
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.of("health check: " + e.getClass().getSimpleName() + " " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("health check interrupted");
        }
    }

    /** The host port of the checked container port (the task's first port when none is named). */
    private static int hostPort(ContainerSpec spec, HealthCheckSpec hc, List<Integer> hostPorts) {
        for (int i = 0; i < spec.getPortsCount() && i < hostPorts.size(); i++) {
            if (spec.getPorts(i).getContainerPort() == hc.getPort()) {
                return hostPorts.get(i);
            }
        }
        if (hc.getPort() == 0 && !hostPorts.isEmpty()) {
            return hostPorts.get(0);
        }
        return hc.getPort();
    }
}
