package io.gantry.spi;

import java.time.Instant;

/**
 * Something the engine said about a workload: a Kubernetes Event, a Marathon status update, a
 * Swarm task failure, an agent task exit.
 *
 * @param time             when it happened
 * @param workloadNativeId native id of the workload it concerns, or {@code null} for engine-wide events
 * @param type             {@code Normal} or {@code Warning}
 * @param reason           a short CamelCase reason ({@code BackOff}, {@code TaskFailed})
 * @param message          human text
 */
public record EngineEvent(Instant time, String workloadNativeId, String type, String reason, String message) {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    public EngineEvent {
        type = WARNING.equals(type) ? WARNING : NORMAL;
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
    }
}
