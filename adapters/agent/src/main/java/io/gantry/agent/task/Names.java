package io.gantry.agent.task;

import java.util.regex.Pattern;

/** Namespace and object ids: they become file and cgroup names, so they are kept to a safe alphabet. */
public final class Names {
    private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");

    private Names() {
    }

    public static boolean valid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** @throws AgentFailure INVALID_ARGUMENT naming {@code what} */
    public static String require(String what, String name) {
        if (!valid(name)) {
            throw AgentFailure.invalid(what + " '" + name + "' is invalid: use 1-63 lower-case letters, digits, '.', '_' or '-',"
                    + " starting and ending with a letter or digit");
        }
        return name;
    }
}
