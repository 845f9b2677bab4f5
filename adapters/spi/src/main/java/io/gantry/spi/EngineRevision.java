package io.gantry.spi;

import java.time.Instant;

/**
 * A past (or the current) spec of a workload as the engine itself keeps it: a Deployment's ReplicaSet with its
 * {@code deployment.kubernetes.io/revision}, a StatefulSet's or DaemonSet's ControllerRevision, a Swarm
 * service's {@code PreviousSpec}, a Marathon app version. Gantry records them in its own history so that a
 * workload has one from its first sync, and hands {@link #id} back to {@link EngineClient#rollback} so that the
 * engine can roll back its own way.
 *
 * @param id        the engine's handle on it: the revision number, the ControllerRevision's name,
 *                  {@code previous}, the Marathon version timestamp
 * @param createdAt when the engine made it, or {@code null}
 * @param spec      the normalized spec it holds
 * @param message   the engine's words about it (a change cause annotation), empty when none
 * @param current   whether this is what the engine runs now
 */
public record EngineRevision(String id, Instant createdAt, WorkloadSpec spec, String message, boolean current) {
    public EngineRevision {
        message = message == null ? "" : message;
    }
}
