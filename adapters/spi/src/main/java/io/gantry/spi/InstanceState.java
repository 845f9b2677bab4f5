package io.gantry.spi;

/** State of one running copy of a workload (a pod, a task, a process). */
public enum InstanceState {
    RUNNING, STARTING, EXITED, FAILED, PENDING
}
