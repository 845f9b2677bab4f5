package io.gantry.spi;

/**
 * Base of the typed errors the port throws. The backend maps each subtype to an RFC 9457 problem;
 * messages are shown to operators, so they must be human and must never hold credentials.
 */
public abstract sealed class EngineException extends RuntimeException
        permits EngineUnavailableException, WorkloadNotFoundException, EngineConflictException,
        InvalidSpecException, EngineForbiddenException, UnsupportedCapabilityException {

    protected EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
