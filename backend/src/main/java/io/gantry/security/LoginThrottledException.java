package io.gantry.security;

import java.time.Duration;
import org.springframework.security.core.AuthenticationException;

/**
 * A sign-in refused without checking the password, because the username or the caller's address
 * failed too often lately (see {@link LoginThrottle}).
 */
class LoginThrottledException extends AuthenticationException {
    private final Duration retryAfter;

    LoginThrottledException(LoginThrottle.Refused refused) {
        super("Too many failed sign-ins " + (refused.perClient() ? "from your address" : "for this username")
                + "; try again in " + seconds(refused.retryAfter()) + " s.");
        this.retryAfter = refused.retryAfter();
    }

    long retryAfterSeconds() {
        return seconds(retryAfter);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
