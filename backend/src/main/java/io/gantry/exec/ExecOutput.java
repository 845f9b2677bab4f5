package io.gantry.exec;

/** Where a session's output goes: a console's WebSocket, or a run's answer. Called in order, on adapter threads. */
interface ExecOutput {

    void output(byte[] data, boolean stderr);

    /**
     * The session ended, once.
     *
     * @param exitCode the command's exit code, or null when none is known (the engine failed, the session was cut)
     * @param reason   why it ended, for the record: {@code exited}, {@code idle}, {@code client closed}...
     * @param failure  the engine's failure when it broke, else null
     */
    void ended(Integer exitCode, String reason, io.gantry.spi.EngineException failure);
}
