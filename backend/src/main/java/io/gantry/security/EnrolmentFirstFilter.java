package io.gantry.security;

import io.gantry.web.ProblemType;
import io.gantry.web.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * While an ADMIN requires two-factor sign-in, a browser session of a user who has no authenticator yet reaches only
 * what enrolling needs: the account page and its calls under {@code /api/v1/auth/}. Anything else sends pages there
 * and answers API calls with a 403 saying why; no API token can be made meanwhile (it would outlive the rule).
 */
class EnrolmentFirstFilter extends OncePerRequestFilter {
    static final String ACCOUNT_PAGE = "/tokens";
    /** Paths such a session may still use: the account page, its assets and calls, signing out. */
    private static final List<String> OPEN = List.of(ACCOUNT_PAGE, "/assets/", "/webjars/", "/api/v1/auth/", "/logout",
            "/login", "/error");

    private final TwoFactor twoFactor;
    private final SecuritySettings settings;
    private final ProblemWriter problems;

    EnrolmentFirstFilter(TwoFactor twoFactor, SecuritySettings settings, ProblemWriter problems) {
        this.twoFactor = twoFactor;
        this.settings = settings;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        String path = request.getRequestURI().substring(request.getContextPath().length());
        // a session signed in at an identity provider: that provider owns its second factor
        if (auth instanceof UsernamePasswordAuthenticationToken && auth.isAuthenticated() && !open(path)
                && !(auth.getDetails() instanceof OidcSignInDetails)
                && settings.totpRequired() && !twoFactor.enabled(auth.getName())) {
            if (path.startsWith("/api/") || path.startsWith("/actuator/")) {
                problems.write(response, ProblemType.FORBIDDEN.problem("Two-factor sign-in is required: enrol an "
                        + "authenticator on the account page (" + ACCOUNT_PAGE + ") first."));
            } else {
                response.sendRedirect(request.getContextPath() + ACCOUNT_PAGE + "?enrol");
            }
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean open(String path) {
        return OPEN.stream().anyMatch(p -> p.endsWith("/") ? path.startsWith(p) : path.equals(p));
    }
}
