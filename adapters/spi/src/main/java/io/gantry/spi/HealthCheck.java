package io.gantry.spi;

import java.util.List;

/**
 * How the engine decides an instance is healthy.
 *
 * @param type            what is probed
 * @param path            HTTP path, for {@link Type#HTTP} only
 * @param port            port probed (container port), for HTTP and TCP
 * @param command         command run inside the instance, for {@link Type#COMMAND} only
 * @param intervalSeconds seconds between probes, or {@code null} for the engine's default
 * @param timeoutSeconds  seconds before a probe counts as failed, or {@code null}
 */
public record HealthCheck(Type type, String path, Integer port, List<String> command,
                          Integer intervalSeconds, Integer timeoutSeconds) {
    public enum Type { HTTP, TCP, COMMAND }

    public HealthCheck {
        command = command == null ? List.of() : List.copyOf(command);
    }

    public static HealthCheck http(String path, int port, Integer intervalSeconds) {
        return new HealthCheck(Type.HTTP, path, port, List.of(), intervalSeconds, null);
    }

    public static HealthCheck tcp(int port, Integer intervalSeconds) {
        return new HealthCheck(Type.TCP, null, port, List.of(), intervalSeconds, null);
    }
}
