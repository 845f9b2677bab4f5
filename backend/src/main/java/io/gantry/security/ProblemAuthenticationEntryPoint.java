package io.gantry.security;

import io.gantry.web.ProblemType;
import io.gantry.web.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/** 401 for the API: problem+json and the RFC 6750 {@code WWW-Authenticate: Bearer} challenge. */
class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {
    private final ProblemWriter problems;

    ProblemAuthenticationEntryPoint(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        String detail;
        if (e instanceof ApiTokenAuthenticationFilter.InvalidBearerTokenException) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"gantry\", error=\"invalid_token\", "
                    + "error_description=\"" + e.getMessage() + "\"");
            detail = e.getMessage();
        } else {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"gantry\"");
            detail = "This call needs an API token (Authorization: Bearer <token>) or a signed-in session.";
        }
        problems.write(response, ProblemType.UNAUTHORIZED.problem(detail));
    }
}
