package io.gantry.spi;

/** How a workload is scheduled, independent of the engine that runs it. */
public enum WorkloadKind {
    /** Long-running, N interchangeable replicas (Deployment, Marathon app, Swarm replicated service). */
    SERVICE,
    /** One replica per eligible node (DaemonSet, Swarm global service). */
    DAEMON,
    /** Replicas with stable identity and storage (StatefulSet). */
    STATEFUL,
    /** Runs to completion (Job, Swarm replicated-job). */
    JOB
}
