package io.gantry.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * A sign-in attempt's context beyond the password: the two-factor {@code code} typed with it, and whether it comes
 * from the browser's form (which may sign in a user who still has to enrol, to the enrolment page only) or asks for an
 * API token (which never goes to such a user). A password proof without these details (a password change) is no
 * sign-in, so no second factor is asked.
 */
class SignInDetails extends WebAuthenticationDetails {
    /** The form field and the token request's member that carry the code. */
    static final String CODE = "code";

    private final String code;
    private final boolean browser;

    SignInDetails(HttpServletRequest request, String code, boolean browser) {
        super(request);
        this.code = code;
        this.browser = browser;
    }

    /** The form login's details: the code is the form's {@code code} field. */
    static SignInDetails ofForm(HttpServletRequest request) {
        return new SignInDetails(request, request.getParameter(CODE), true);
    }

    String code() {
        return code;
    }

    boolean browser() {
        return browser;
    }
}
