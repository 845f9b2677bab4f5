package io.gantry.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.security.web.util.matcher.RequestMatcher;

/** Reading a bearer token off a request, and the request kinds that follow from having one or not. */
final class BearerTokens {
    private static final String SCHEME = "bearer ";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    /**
     * Mutations that ride on the session cookie: they need the CSRF token and a same-origin check.
     * A bearer request cannot be forged by another site (browsers never add the header on their
     * own), and a request without a live session has no ambient authority to abuse: it is simply
     * anonymous, so a page whose session expired gets 401 (sign in again), not a CSRF error.
     */
    static final RequestMatcher SESSION_MUTATION = request -> isMutation(request)
            && presented(request) == null && request.getRequestedSessionId() != null
            && request.isRequestedSessionIdValid();

    /** Every mutation that does not carry a bearer token (the UI's form posts). */
    static final RequestMatcher BROWSER_MUTATION = request -> isMutation(request) && presented(request) == null;

    /**
     * WebSocket upgrades that ride on the session cookie (a browser's WebSocket cannot send a bearer header): they
     * need the same-origin check, since no CSRF token comes with an upgrade and another site's page could otherwise
     * open a console with the user's cookie (cross-site WebSocket hijacking).
     */
    static final RequestMatcher COOKIE_UPGRADE = request -> "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))
            && presented(request) == null;

    private BearerTokens() {
    }

    /** The token of an {@code Authorization: Bearer} header, or null when there is none. */
    static String presented(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < SCHEME.length()
                || !header.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return null;
        }
        return header.substring(SCHEME.length()).trim();
    }

    static boolean isMutation(HttpServletRequest request) {
        return !SAFE_METHODS.contains(request.getMethod());
    }
}
