package io.gantry.spi;

import java.util.List;

/** The engine (or the adapter before calling it) rejected a spec. Maps to 422 with field errors. */
public final class InvalidSpecException extends EngineException {
    /** One rejected field; {@code field} is a model path such as {@code spec.ports[0].containerPort}. */
    public record FieldError(String field, String message) {
    }

    private final List<FieldError> errors;

    public InvalidSpecException(String message, List<FieldError> errors) {
        super(message, null);
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static InvalidSpecException of(String field, String message) {
        return new InvalidSpecException(field + ": " + message, List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
