package io.gantry.spi;

/**
 * The port: one implementation per engine kind, found by the backend as a Spring bean (or through
 * {@link java.util.ServiceLoader}). It holds no per-engine state; {@link #connect} makes a client
 * for one registered engine.
 */
public interface EngineAdapter {

    /** The engine kind this adapter serves, lower-case: {@code kubernetes}, {@code marathon}, {@code swarm}, {@code agent}. */
    String kind();

    /**
     * Validates the registration before anything is stored, without network I/O: a malformed endpoint
     * or a missing credential.
     *
     * @throws InvalidSpecException naming the field ({@code endpoint}, {@code credentials.token}...)
     */
    void validate(EngineConnection connection);

    /**
     * A client for one engine. Cheap and without network I/O: reachability is learned through
     * {@link EngineClient#ping()}. The caller closes it when the engine is removed or changed.
     */
    EngineClient connect(EngineConnection connection);
}
