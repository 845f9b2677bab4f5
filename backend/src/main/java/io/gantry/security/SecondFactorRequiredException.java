package io.gantry.security;

import org.springframework.security.core.AuthenticationException;

/** The password was right, but the user's sign-in also needs a two-factor code (or enrolment) that did not come. */
class SecondFactorRequiredException extends AuthenticationException {
    SecondFactorRequiredException(String message) {
        super(message);
    }
}
