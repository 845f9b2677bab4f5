package io.gantry.agent.exec;

import io.gantry.agent.task.AgentFailure;
import java.util.List;

/**
 * What to run in a task.
 *
 * @param argv run as given, no shell around it; never empty
 * @param tty  on a pseudo-terminal of {@code cols x rows} (both at least 1), its output one stream
 */
public record ExecCommand(List<String> argv, boolean tty, int cols, int rows) {
    /** The size a terminal gets when the client names none. */
    static final int DEFAULT_COLS = 80;
    static final int DEFAULT_ROWS = 24;
    /** The kernel keeps a terminal's size in unsigned shorts (struct winsize). */
    private static final int MAX_DIMENSION = 0xFFFF;

    public ExecCommand {
        argv = List.copyOf(argv);
        if (argv.isEmpty() || argv.get(0).isBlank()) {
            throw AgentFailure.invalid("command: an exec needs a command");
        }
        cols = cols > 0 ? dimension(cols) : DEFAULT_COLS;
        rows = rows > 0 ? dimension(rows) : DEFAULT_ROWS;
    }

    /** A terminal dimension the kernel can hold. */
    static int dimension(int value) {
        return Math.max(1, Math.min(MAX_DIMENSION, value));
    }
}
