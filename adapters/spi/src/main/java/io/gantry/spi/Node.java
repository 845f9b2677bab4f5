package io.gantry.spi;

import java.util.Map;

/**
 * A machine the engine schedules on.
 *
 * @param name        node name as the engine knows it
 * @param address     IP or host name, or {@code null}
 * @param status      {@code READY}, {@code DOWN}, {@code DRAINING} or {@code UNKNOWN}
 * @param role        {@code manager}, {@code worker}, {@code master}, {@code agent}... as the engine says
 * @param cpuMillis   allocatable CPU, or {@code null}
 * @param memoryBytes allocatable memory, or {@code null}
 * @param labels      node labels
 */
public record Node(String name, String address, String status, String role, Long cpuMillis, Long memoryBytes,
                   Map<String, String> labels) {
    public Node {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
