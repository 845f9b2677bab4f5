package io.gantry.operation;

enum OperationState {
    PENDING, RUNNING, SUCCEEDED, FAILED;

    boolean finished() {
        return this == SUCCEEDED || this == FAILED;
    }
}
