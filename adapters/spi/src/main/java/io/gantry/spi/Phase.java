package io.gantry.spi;

/** The one-word health of a workload. Derived only by {@link PhaseRule}. */
public enum Phase {
    RUNNING, DEPLOYING, DEGRADED,
    /** A rollout (or a schedule) stopped on purpose by an operator: it goes on only when someone resumes it. */
    PAUSED,
    STOPPED, FAILED, PENDING, UNKNOWN
}
