package io.gantry.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * Refuses a password sign-in (the form, {@code POST /api/v1/auth/token}) while an ADMIN has password sign-in off,
 * before the password is looked at: the answer tells nothing about the account and costs no hashing. A password
 * proof that is no sign-in (a password change) still passes. With no identity provider configured (any more) the
 * switch counts as on: turning it off needs one, and removing the provider afterwards must not lock everyone out.
 */
class PasswordLoginGate implements AuthenticationProvider {
    private final AuthenticationProvider passwords;
    private final SecuritySettings settings;
    private final OidcProperties oidc;

    PasswordLoginGate(AuthenticationProvider passwords, SecuritySettings settings, OidcProperties oidc) {
        this.passwords = passwords;
        this.settings = settings;
        this.oidc = oidc;
    }

    /** Whether passwords sign in now: what the login page shows and what this gate lets through. */
    static boolean on(SecuritySettings settings, OidcProperties oidc) {
        return settings.passwordLogin() || oidc.list().isEmpty();
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        if (authentication.getDetails() instanceof SignInDetails && !on(settings, oidc)) {
            throw new PasswordLoginOffException();
        }
        return passwords.authenticate(authentication);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return passwords.supports(authentication);
    }
}
