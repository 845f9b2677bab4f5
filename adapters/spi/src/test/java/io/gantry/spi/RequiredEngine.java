package io.gantry.spi;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards tests that need a real engine or a tool of the machine (dockerd, runc, openssl, root...). In CI
 * ({@code CI=true}) a missing one fails the test: a skipped test must never pass for a green build, and
 * {@code .ci/run} installs what the tests need. Outside CI the test is skipped with the reason printed.
 * Tests never install or start anything themselves: {@code .ci/run} and {@code scripts/swarm-test-env.sh}
 * prepare a machine.
 */
public final class RequiredEngine {
    private RequiredEngine() {
    }

    public static void require(boolean available, String what) {
        if (available) {
            return;
        }
        String reason = what + " is not available here";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(reason + " and CI=true: the CI script must provide it");
        }
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }

    /** Requires an executable named {@code command} on PATH; {@code what} says what for and how to get it. */
    public static void requireCommand(String command, String what) {
        require(onPath(command), command + " on PATH (" + what + ")");
    }

    /** Requires the test to run as root (runc, cgroups); {@code what} says what needs it. */
    public static void requireRoot(String what) {
        require(isRoot(), "root (" + what + ")");
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** True when an executable file of that name is in a directory of PATH. */
    public static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
