package io.gantry.spi;

/**
 * Where a workload's rollout stands by its engine's own account (Kubernetes Deployment conditions and
 * {@code spec.paused}, Swarm's {@code UpdateStatus}, Marathon's deployments). Counts alone cannot tell
 * a rollout that gave up from one that is slow, nor a pause from a hang.
 */
public enum Rollout {
    /** No rollout under way: the replica counts decide. */
    NONE,
    /** The engine is replacing instances (an update, a rollback, a deployment step). */
    PROGRESSING,
    /** Stopped on purpose by an operator (or a suspended schedule): PAUSED whatever the counts. */
    PAUSED,
    /** The engine gave up (a progress deadline passed, a Job hit its back-off limit): FAILED. */
    FAILED,
    /** The update failed and the engine put the previous spec back: what was asked for is not running, DEGRADED. */
    ROLLED_BACK
}
