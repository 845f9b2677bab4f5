package io.gantry.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Username + password sign-in (form, {@code POST /api/v1/auth/token} and the current-password
 * proof of a password change) and a sign-in's second factor ({@link SecondFactorCheck}) behind {@link LoginThrottle}: the password is hashed only for an
 * attempt that got a slot, which also holds for unknown usernames (whose check Spring Security
 * still hashes, so that they take as long as known ones).
 *
 * <p>The client is the request's remote address as the servlet container reports it. Gantry sets no
 * {@code server.forward-headers-strategy}: behind a reverse proxy every caller then counts as the
 * proxy unless the operator configures that strategy (Spring Boot does so itself on Kubernetes,
 * trusting {@code X-Forwarded-For} only from private addresses); a client-chosen header is never
 * trusted otherwise.
 */
class ThrottledAuthenticationProvider implements AuthenticationProvider {
    private final AuthenticationProvider passwords;
    private final LoginThrottle throttle;
    private final SecondFactorCheck secondFactor;

    ThrottledAuthenticationProvider(AuthenticationProvider passwords, LoginThrottle throttle,
            SecondFactorCheck secondFactor) {
        this.passwords = passwords;
        this.throttle = throttle;
        this.secondFactor = secondFactor;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        LoginThrottle.Attempt attempt = throttle.begin(authentication.getName(), client(authentication));
        if (attempt instanceof LoginThrottle.Refused refused) {
            throw new LoginThrottledException(refused);
        }
        LoginThrottle.Permit permit = (LoginThrottle.Permit) attempt;
        boolean settled = false;
        try {
            Authentication result = passwords.authenticate(authentication);
            if (authentication.getDetails() instanceof SignInDetails signIn) {
                // in the same throttled attempt: six digits are only safe while guesses are counted
                secondFactor.check(result.getName(), signIn);
            }
            throttle.succeeded(permit);
            settled = true;
            return result;
        } catch (SecondFactorRequiredException e) {
            // the password was right and no code was guessed: neither a failure nor a success
            throw e;
        } catch (AuthenticationException e) {
            // wrong password, unknown or disabled user: all the same to a guesser
            throttle.failed(permit);
            settled = true;
            throw e;
        } finally {
            if (!settled) {
                throttle.abandoned(permit);
            }
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return passwords.supports(authentication);
    }

    private static String client(Authentication authentication) {
        return authentication.getDetails() instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : null;
    }
}
