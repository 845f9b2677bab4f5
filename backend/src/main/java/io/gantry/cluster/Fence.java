package io.gantry.cluster;

import java.util.UUID;

/**
 * The lease under which a replica writes an engine's state: store writes carry it and are refused
 * once the lease's current token is another, so a replica that lost its lease (paused, partitioned)
 * cannot overwrite what the new owner wrote.
 */
public record Fence(UUID engineId, long token) {
    /**
     * The condition that the lease is still this one (parameters: engine id, token), spaced on both sides
     * to be joined to text blocks, which drop trailing spaces. {@code FOR SHARE} makes a concurrent
     * acquisition wait for the write, and the write see the new token if the acquisition came first.
     */
    public static final String HOLDS = " EXISTS (SELECT 1 FROM engine_leases l WHERE l.engine_id = ? AND l.token = ? FOR SHARE) ";
}
