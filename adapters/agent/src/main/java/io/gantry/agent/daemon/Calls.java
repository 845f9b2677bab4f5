package io.gantry.agent.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.gantry.agent.task.AgentFailure;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs a call's work and answers it: the agent's failures leave as their gRPC status, nothing else leaks. */
final class Calls {
    private static final Logger LOG = LoggerFactory.getLogger(Calls.class);

    private Calls() {
    }

    static <T> void answer(StreamObserver<T> observer, Supplier<T> work) {
        T response;
        try {
            response = work.get();
        } catch (RuntimeException e) {
            observer.onError(status(e));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    static StatusRuntimeException status(Throwable e) {
        if (e instanceof AgentFailure f) {
            Status status = switch (f.reason()) {
                case NOT_FOUND -> Status.NOT_FOUND;
                case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
                case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case ABORTED -> Status.ABORTED;
                case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            };
            return status.withDescription(f.getMessage()).asRuntimeException();
        }
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        LOG.error("agent call failed unexpectedly", e);
        return Status.INTERNAL.withDescription("agent error: " + e.getClass().getSimpleName() + ": " + e.getMessage())
                .asRuntimeException();
    }

    /** The call's namespace, required. */
    static String namespace() {
        String namespace = NamespaceInterceptor.current();
        if (namespace == null) {
            throw AgentFailure.invalid("the gantry-namespace header is required");
        }
        return namespace;
    }
}
