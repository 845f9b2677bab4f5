package io.gantry.spi.exec;

import io.gantry.spi.EngineException;

/**
 * Receives what an exec prints and how it ends. Calls come from one adapter thread at a time, in order; exactly
 * one of {@link #onExit} and {@link #onFailure} ends the session, and nothing comes after it. Implementations must
 * not block for long: the adapter's read loop waits for them.
 */
public interface ExecListener {

    /**
     * A chunk of output, as the engine sent it (not split at lines, possibly mid-UTF-8 sequence).
     *
     * @param stderr whether it came on stderr; always {@code false} with a tty, where both streams are one
     */
    void onOutput(byte[] data, boolean stderr);

    /**
     * The command ended with {@code exitCode}: its exit status, or 128 + the signal number when a signal killed it
     * (as a shell reports it).
     */
    void onExit(int exitCode);

    /** The session broke before an exit code was known (the engine went away, the instance was deleted). */
    void onFailure(EngineException failure);
}
