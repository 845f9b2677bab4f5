package io.gantry.spi;

import org.junit.jupiter.api.Assumptions;

/**
 * Guards tests that need a real engine (dockerd, runc...). In CI ({@code CI=true}) a missing
 * engine fails the test: a skipped test must never pass for a green build. Outside CI the test
 * is skipped with the reason printed.
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
}
