package io.gantry.spi;

import java.nio.file.Path;

/**
 * An engine that Gantry can run inside its own process, so that a fresh install has a working
 * engine with nothing else installed (the built-in node agent). Found through
 * {@link java.util.ServiceLoader}; the backend registers what it starts as an engine of
 * {@link #kind()}.
 */
public interface EmbeddedEngineLauncher {

    /** Kind of the engine this launches; an {@link EngineAdapter} of the same kind must exist. */
    String kind();

    /**
     * Starts the engine on loopback with a fresh random secret.
     *
     * @param dataDir a directory the engine owns for its state; it persists across restarts
     * @return the running engine; closing it stops the engine and whatever it runs
     */
    EmbeddedEngine start(Path dataDir);

    /**
     * Starts the engine with settings of the server's configuration ({@code gantry.embedded-agent.*}); each kind
     * documents the keys it reads and ignores the others. The default ignores them all.
     *
     * @param settings never {@code null}; values as configured, e.g. {@code raw=false}
     */
    default EmbeddedEngine start(Path dataDir, java.util.Map<String, String> settings) {
        return start(dataDir);
    }

    /** A running embedded engine: how to reach it, and how to stop it. */
    interface EmbeddedEngine extends AutoCloseable {
        /** Endpoint to register, as {@link EngineConnection#endpoint()} expects for this kind. */
        String endpoint();

        /** Credentials to register; regenerated at every start. */
        java.util.Map<String, String> credentials();

        @Override
        void close();
    }
}
