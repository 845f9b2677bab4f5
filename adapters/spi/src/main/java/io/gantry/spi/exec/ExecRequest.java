package io.gantry.spi.exec;

import java.util.List;

/**
 * A command to run in an instance ({@link io.gantry.spi.EngineClient#exec}).
 *
 * @param command argv, never empty: the engine runs it as given, with no shell around it
 * @param tty     whether it runs on a terminal (what an interactive shell needs): output is then one stream
 * @param cols    the terminal's width in columns at start; ignored without a tty
 * @param rows    the terminal's height in rows at start; ignored without a tty
 */
public record ExecRequest(List<String> command, boolean tty, int cols, int rows) {

    /** Where a client said nothing: the size terminals start with. */
    public static final int DEFAULT_COLS = 80;
    public static final int DEFAULT_ROWS = 24;

    public ExecRequest {
        command = List.copyOf(command);
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("an exec needs a command");
        }
        if (cols < 1 || rows < 1) {
            throw new IllegalArgumentException("a terminal needs at least one column and one row");
        }
    }

    /** A command without a terminal: stdout and stderr stay apart. */
    public static ExecRequest plain(List<String> command) {
        return new ExecRequest(command, false, DEFAULT_COLS, DEFAULT_ROWS);
    }

    /** A command on a terminal of the given size. */
    public static ExecRequest terminal(List<String> command, int cols, int rows) {
        return new ExecRequest(command, true, cols, rows);
    }
}
