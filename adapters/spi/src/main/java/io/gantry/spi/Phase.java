package io.gantry.spi;

/** The one-word health of a workload. Derived only by {@link PhaseRule}. */
public enum Phase {
    RUNNING, DEPLOYING, DEGRADED, STOPPED, FAILED, PENDING, UNKNOWN
}
