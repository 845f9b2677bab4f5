package io.gantry.agent.task;

/**
 * Why the agent refused a request. The gRPC layer turns {@link #reason()} into a status code; the
 * message is shown to operators as is.
 */
public final class AgentFailure extends RuntimeException {

    /** The gRPC status each reason leaves as, named after it. */
    public enum Reason { NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, INVALID_ARGUMENT, ABORTED, RESOURCE_EXHAUSTED }

    private final Reason reason;

    private AgentFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static AgentFailure notFound(String message) {
        return new AgentFailure(Reason.NOT_FOUND, message);
    }

    public static AgentFailure alreadyExists(String message) {
        return new AgentFailure(Reason.ALREADY_EXISTS, message);
    }

    public static AgentFailure precondition(String message) {
        return new AgentFailure(Reason.FAILED_PRECONDITION, message);
    }

    public static AgentFailure invalid(String message) {
        return new AgentFailure(Reason.INVALID_ARGUMENT, message);
    }

    public static AgentFailure aborted(String message) {
        return new AgentFailure(Reason.ABORTED, message);
    }

    public static AgentFailure exhausted(String message) {
        return new AgentFailure(Reason.RESOURCE_EXHAUSTED, message);
    }
}
