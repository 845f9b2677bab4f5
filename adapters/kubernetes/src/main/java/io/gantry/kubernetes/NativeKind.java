package io.gantry.kubernetes;

import io.gantry.spi.WorkloadKind;

/** The Kubernetes controller kinds Gantry reads as workloads, with the model kind each maps to (API.md). */
enum NativeKind {
    Deployment(WorkloadKind.SERVICE),
    ReplicaSet(WorkloadKind.SERVICE),
    StatefulSet(WorkloadKind.STATEFUL),
    DaemonSet(WorkloadKind.DAEMON),
    Job(WorkloadKind.JOB),
    CronJob(WorkloadKind.JOB);

    private final WorkloadKind modelKind;

    NativeKind(WorkloadKind modelKind) {
        this.modelKind = modelKind;
    }

    WorkloadKind modelKind() {
        return modelKind;
    }

    /** The kind Gantry creates for a model kind; JOB is not deployed by Gantry. */
    static NativeKind forDeploy(WorkloadKind kind) {
        return switch (kind) {
            case SERVICE -> Deployment;
            case STATEFUL -> StatefulSet;
            case DAEMON -> DaemonSet;
            case JOB -> null;
        };
    }
}
