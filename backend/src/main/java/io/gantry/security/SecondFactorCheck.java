package io.gantry.security;

import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;

/**
 * A sign-in's second step, once its password passed: a user with an authenticator must give a current code (or a
 * recovery code); while an ADMIN requires two-factor for everyone, a user without one gets no API token and a browser
 * session that only reaches enrolment ({@link EnrolmentFirstFilter}).
 */
class SecondFactorCheck {
    private final TwoFactor twoFactor;
    private final SecuritySettings settings;

    SecondFactorCheck(TwoFactor twoFactor, SecuritySettings settings) {
        this.twoFactor = twoFactor;
        this.settings = settings;
    }

    /**
     * @throws SecondFactorRequiredException no code came where one is needed (not a failed guess)
     * @throws BadCredentialsException       the code is wrong or was used before (a failed guess: throttled)
     */
    void check(String username, SignInDetails signIn) throws AuthenticationException {
        if (twoFactor.enabled(username)) {
            if (signIn.code() == null || signIn.code().isBlank()) {
                throw new SecondFactorRequiredException("Enter the code from your authenticator app (or a recovery code) "
                        + "in `code`.");
            }
            if (!twoFactor.verify(username, signIn.code())) {
                throw new BadCredentialsException("wrong or reused two-factor code");
            }
        } else if (settings.totpRequired() && !signIn.browser()) {
            throw new SecondFactorRequiredException("Two-factor sign-in is required: enrol an authenticator on your "
                    + "account page in the browser first.");
        }
    }
}
