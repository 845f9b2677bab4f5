package io.gantry.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What one running instance used, as its engine measured it.
 *
 * @param instanceId  the {@link Instance#id()} it was measured for
 * @param cpuSeconds  CPU time used since the instance (re)started, all its processes together; grows
 *                    monotonically while it runs, so a rate comes from two readings
 * @param memoryBytes resident memory now
 * @param at          when it was measured; never {@code null}
 */
public record InstanceUsage(String instanceId, double cpuSeconds, long memoryBytes, Instant at) {
    public InstanceUsage {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(at, "at");
    }
}
