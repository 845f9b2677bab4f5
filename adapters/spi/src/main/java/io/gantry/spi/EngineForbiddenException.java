package io.gantry.spi;

/** The engine's credentials lack a permission. Maps to 403 naming the permission; the engine is DEGRADED. */
public final class EngineForbiddenException extends EngineException {
    public EngineForbiddenException(String message) {
        super(message, null);
    }
}
