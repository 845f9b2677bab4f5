package io.gantry.exec;

import io.gantry.web.BadRequestException;
import java.util.List;

/** The argv a session runs, as the caller gave it or the default shell. */
final class ExecCommand {
    /**
     * The first of {@code /bin/bash}, {@code /bin/sh} that exists, decided where the command runs: one argv that
     * works on every engine, instead of a probe per engine. The {@code -c} script is fixed text, never user input.
     */
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c",
            "if [ -x /bin/bash ]; then exec /bin/bash; fi; exec /bin/sh");
    private static final int MAX_ARGS = 256;
    private static final int MAX_ARG_CHARS = 4096;

    private ExecCommand() {
    }

    /**
     * @param argv the request's argv, or null/empty for the default shell
     * @throws BadRequestException naming {@code field} when an argument is empty, too long or holds a NUL
     */
    static List<String> of(List<String> argv, String field) {
        if (argv == null || argv.isEmpty()) {
            return DEFAULT_SHELL;
        }
        if (argv.size() > MAX_ARGS) {
            throw BadRequestException.field(field, "at most " + MAX_ARGS + " arguments");
        }
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg == null || i == 0 && arg.isBlank()) {
                throw BadRequestException.field(field, i == 0 ? "the command must not be blank" : "arguments must not be null");
            }
            if (arg.length() > MAX_ARG_CHARS || arg.indexOf('\0') >= 0) {
                throw BadRequestException.field(field, "each argument is at most " + MAX_ARG_CHARS
                        + " characters, without NUL");
            }
        }
        return List.copyOf(argv);
    }
}
