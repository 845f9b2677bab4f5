package io.gantry.spi;

/**
 * The engine refused a change because of concurrent state: a newer version of the object, a
 * deployment in progress (Marathon's lock), a name already taken. Maps to 409.
 */
public final class EngineConflictException extends EngineException {
    public EngineConflictException(String message) {
        super(message, null);
    }

    public EngineConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
