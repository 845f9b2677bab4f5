package io.gantry.spi;

import java.time.Instant;

/**
 * The single place where a workload's {@link Phase} is derived, as {@code API.md} defines it.
 * Adapters gather the counts and the engine's own rollout verdict ({@link Rollout}) and call
 * {@link #status}; they never pick a phase.
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
     * @param rollout            where the rollout stands by the engine's own account
     * @param failedInstances    instances failing now (a crash loop, an image that cannot be pulled, a
     *                           non-zero exit); failures the engine has already replaced do not count
     * @param startedInstances   instances that ever started (running or ended)
     * @param completed          a JOB that finished successfully (running 0 is then fine)
     */
    public record Facts(int desired, int running, int healthy, boolean hasHealthCheck, Rollout rollout,
                        int failedInstances, int startedInstances, boolean completed) {
        public Facts {
            rollout = rollout == null ? Rollout.NONE : rollout;
        }

        public static Facts of(int desired, int running) {
            return new Facts(desired, running, running, false, Rollout.NONE, 0, running, false);
        }
    }

    public static Phase phase(Facts f) {
        // the engine's verdict on the rollout outranks the counts: old replicas may all run while the
        // new ones are paused, given up on, or rolled back
        if (f.rollout() == Rollout.PAUSED) {
            return Phase.PAUSED;
        }
        if (f.desired() == 0 || f.completed()) {
            return Phase.STOPPED;
        }
        if (f.rollout() == Rollout.FAILED) {
            return Phase.FAILED;
        }
        boolean allHealthy = !f.hasHealthCheck() || f.healthy() >= f.desired();
        if (f.running() >= f.desired() && allHealthy && f.rollout() == Rollout.NONE) {
            return Phase.RUNNING;
        }
        // an instance failing now is news even in the middle of a rollout: a new version that crash-loops
        // must not read as an endless DEPLOYING
        if (f.failedInstances() > 0 || f.rollout() == Rollout.ROLLED_BACK) {
            return f.running() > 0 ? Phase.DEGRADED : Phase.FAILED;
        }
        if (f.rollout() == Rollout.PROGRESSING) {
            return Phase.DEPLOYING;
        }
        if (f.running() > 0 && f.running() < f.desired()) {
            return Phase.DEGRADED;
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
