package io.gantry.agent.exec;

/**
 * Where a running exec's output and end go. Calls come one at a time, in order; {@link #exit} is the last.
 * They may block (a slow client): the exec's pumps wait, and the command blocks on a full pipe or terminal.
 */
public interface ExecSink {

    /** A chunk as the command wrote it; {@code stderr} is always false on a terminal. */
    void output(byte[] data, boolean stderr);

    /** The command ended: its exit status, or 128 + the signal that killed it. */
    void exit(int code);
}
