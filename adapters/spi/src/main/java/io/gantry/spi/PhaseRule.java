package io.gantry.spi;

import java.time.Instant;

/**
 * The single place where a workload's {@link Phase} is derived, as {@code API.md} defines it.
 * Adapters gather the counts from their engine and call {@link #status}; they never pick a phase.
 */
public final class PhaseRule {
    private PhaseRule() {
    }

    /**
     * Facts an adapter knows about a workload.
     *
     * @param desired            replicas asked for
     * @param running            replicas running
     * @param healthy            replicas passing the health check
     * @param hasHealthCheck     whether a health check is defined (then healthy must reach desired)
     * @param rolloutInProgress  a deployment, rollout or update is under way
     * @param failedInstances    instances that ended in failure (crash loops, non-zero exits)
     * @param startedInstances   instances that ever started (running or ended)
     * @param completed          a JOB that finished successfully (running 0 is then fine)
     */
    public record Facts(int desired, int running, int healthy, boolean hasHealthCheck, boolean rolloutInProgress,
                        int failedInstances, int startedInstances, boolean completed) {
        public static Facts of(int desired, int running) {
            return new Facts(desired, running, running, false, false, 0, running, false);
        }
    }

    public static Phase phase(Facts f) {
        if (f.desired() == 0 || f.completed()) {
            return Phase.STOPPED;
        }
        boolean allHealthy = !f.hasHealthCheck() || f.healthy() >= f.desired();
        if (f.running() >= f.desired() && allHealthy && !f.rolloutInProgress()) {
            return Phase.RUNNING;
        }
        if (f.rolloutInProgress()) {
            return Phase.DEPLOYING;
        }
        if (f.running() > 0 && f.running() < f.desired()) {
            return Phase.DEGRADED;
        }
        if (f.running() == 0 && f.failedInstances() > 0) {
            return Phase.FAILED;
        }
        if (f.running() == 0 && f.startedInstances() == 0) {
            return Phase.PENDING;
        }
        if (f.running() >= f.desired() && !allHealthy) {
            return Phase.DEGRADED;
        }
        return Phase.UNKNOWN;
    }

    /** The status for these facts, with the phase derived here. */
    public static WorkloadStatus status(Facts f, String message, Instant since) {
        return new WorkloadStatus(phase(f), f.desired(), f.running(),
                f.hasHealthCheck() ? f.healthy() : f.running(), message, since);
    }
}
