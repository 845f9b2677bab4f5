package io.gantry.agent.adapter;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadNotFoundException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the agent's gRPC status codes into the port's exceptions. */
final class AgentErrors {
    /** The agent words invalid-spec messages as {@code spec.field: why}. */
    private static final Pattern FIELD = Pattern.compile("^(spec(?:\\.[A-Za-z]+)*(?:\\[\\d+\\])?(?:\\.[A-Za-z]+)*):? (.*)$");

    private AgentErrors() {
    }

    static EngineException map(StatusRuntimeException e, String engine, String nativeId) {
        Status status = e.getStatus();
        // whatever answers at the endpoint writes the description: only a short, clean reason is kept
        String description = EngineMessages.sanitize(status.getDescription());
        String detail = description.isEmpty() ? status.getCode().name() : description;
        return switch (status.getCode()) {
            case NOT_FOUND -> new WorkloadNotFoundException(nativeId);
            case ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION -> new EngineConflictException(detail, e);
            case INVALID_ARGUMENT -> invalid(detail);
            case UNAUTHENTICATED, PERMISSION_DENIED ->
                    new EngineForbiddenException("agent engine '" + engine + "' rejected the credentials: " + detail);
            case DEADLINE_EXCEEDED -> new EngineUnavailableException("agent engine '" + engine + "' did not answer in time", e);
            default -> new EngineUnavailableException("agent engine '" + engine + "' is unavailable: " + detail, e);
        };
    }

    /** A spec the agent cannot run, naming the field when the agent's message does. */
    static InvalidSpecException invalid(String detail) {
        Matcher m = FIELD.matcher(detail);
        if (m.matches()) {
            return new InvalidSpecException(detail, List.of(new InvalidSpecException.FieldError(m.group(1), m.group(2))));
        }
        String field = detail.startsWith("command") ? "spec.command"
                : detail.startsWith("host port") ? "spec.ports"
                : detail.startsWith("image") ? "spec.image"
                : "spec";
        return new InvalidSpecException(detail, List.of(new InvalidSpecException.FieldError(field, detail)));
    }
}
