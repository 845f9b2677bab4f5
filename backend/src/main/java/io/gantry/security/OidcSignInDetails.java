package io.gantry.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Marks a session signed in at an identity provider: Gantry's second factor is not asked of it (the provider owns
 * multi-factor sign-in), see {@link EnrolmentFirstFilter}. Kept in the session, so it must stay serializable.
 */
class OidcSignInDetails extends WebAuthenticationDetails {
    private static final long serialVersionUID = 1L;

    private final String provider;

    OidcSignInDetails(HttpServletRequest request, String provider) {
        super(request);
        this.provider = provider;
    }

    String provider() {
        return provider;
    }
}
