package io.gantry.spi.exec;

/**
 * A running exec ({@link io.gantry.spi.EngineClient#exec}). Thread-safe: stdin and resizes may come from one thread
 * while output is delivered on another.
 */
public interface ExecSession extends AutoCloseable {

    /** Sends bytes to the command's stdin (keystrokes, with a tty). May block while the engine is slow to read. */
    void write(byte[] stdin);

    /** Ends the command's stdin (EOF); with a tty, send {@code ^D} through {@link #write} instead. */
    void closeStdin();

    /** Changes the terminal's size, so that the command gets SIGWINCH; ignored without a tty. */
    void resize(int cols, int rows);

    /**
     * Ends the session: the command is killed (or, where the engine cannot kill an exec, its terminal hung up and
     * its streams closed) and the engine's resources released. The listener still gets its one ending call soon after:
     * {@link ExecListener#onExit} with the code the engine reports, or {@link ExecListener#onFailure} when it reports
     * none. Idempotent.
     */
    @Override
    void close();
}
