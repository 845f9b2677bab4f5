package io.gantry.spi;

/** The engine could not be reached or did not answer in time. Maps to 503. */
public final class EngineUnavailableException extends EngineException {
    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public EngineUnavailableException(String message) {
        super(message, null);
    }
}
