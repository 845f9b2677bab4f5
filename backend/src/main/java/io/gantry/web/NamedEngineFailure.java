package io.gantry.web;

/**
 * Carries the name of the engine that failed, as the cause of the port exception the backend
 * rethrows, so that the 503 problem can name the engine.
 */
public class NamedEngineFailure extends RuntimeException {
    private final String engine;

    public NamedEngineFailure(String engine, Throwable cause) {
        super("engine '" + engine + "'", cause);
        this.engine = engine;
    }

    public String engine() {
        return engine;
    }
}
