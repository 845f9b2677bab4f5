package io.gantry.security;

import io.gantry.web.ProblemType;
import io.gantry.web.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

/**
 * 403 for the API as problem+json, saying which role the call needs or that the CSRF token is bad.
 * A path that no access rule names is denied, but it also has no route ({@code RouteRulesIT} fails
 * the build for a route without a rule), so the caller is told the honest thing: 404.
 */
class ProblemAccessDeniedHandler implements AccessDeniedHandler {
    private final ProblemWriter problems;

    ProblemAccessDeniedHandler(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        if (e instanceof CsrfException) {
            problems.write(response, ProblemType.CSRF.problem("A change made with a session cookie needs the "
                    + "session's CSRF token in the X-CSRF-TOKEN header (or use an API token)."));
            return;
        }
        if (AccessRules.ruleFor(request).isEmpty()) {
            problems.write(response, ProblemType.NOT_FOUND.problem(
                    "No API route " + request.getMethod() + " " + request.getRequestURI() + "."));
            return;
        }
        problems.write(response, ProblemType.FORBIDDEN.problem(why(request)));
    }

    private static String why(HttpServletRequest request) {
        String call = request.getMethod() + " " + request.getRequestURI();
        var needed = AccessRules.ruleFor(request).orElseThrow().access().role;
        String have = Role.of(SecurityContextHolder.getContext().getAuthentication()).map(Role::name).orElse("no role");
        return call + " needs the " + needed + " role; you have " + have + ".";
    }
}
