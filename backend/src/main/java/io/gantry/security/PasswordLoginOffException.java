package io.gantry.security;

import org.springframework.security.core.AuthenticationException;

/** An ADMIN turned password sign-in off: users sign in at an identity provider (API tokens still work). */
class PasswordLoginOffException extends AuthenticationException {
    PasswordLoginOffException() {
        super("Password sign-in is turned off: sign in with your identity provider, or use an API token.");
    }
}
