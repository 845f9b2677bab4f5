package io.gantry.spi;

import java.time.Instant;

/**
 * What the engine last reported. Build it with {@link PhaseRule#status} so that the phase is
 * derived the same way for every engine.
 *
 * @param phase   derived phase
 * @param desired replicas asked for
 * @param running replicas running
 * @param healthy replicas passing their health check (equals running when there is no check)
 * @param message why the workload is not RUNNING, empty otherwise
 * @param since   when the phase last changed as far as the engine tells, or {@code null}
 */
public record WorkloadStatus(Phase phase, int desired, int running, int healthy, String message, Instant since) {
    public WorkloadStatus {
        message = message == null ? "" : message;
    }
}
