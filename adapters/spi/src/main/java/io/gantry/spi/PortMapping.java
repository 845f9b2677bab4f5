package io.gantry.spi;

import java.util.Locale;

/**
 * A port the workload listens on.
 *
 * @param containerPort port inside the container or process, 1..65535
 * @param publishedPort port on the node or load balancer, or {@code null} when not published
 *                      (agent engines then pick a free host port)
 * @param protocol      {@code tcp} or {@code udp}; defaults to {@code tcp}
 */
public record PortMapping(int containerPort, Integer publishedPort, String protocol) {
    public PortMapping {
        protocol = protocol == null || protocol.isBlank() ? "tcp" : protocol.toLowerCase(Locale.ROOT);
    }

    public static PortMapping tcp(int containerPort) {
        return new PortMapping(containerPort, null, "tcp");
    }
}
