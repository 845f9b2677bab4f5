package io.gantry.security;

import io.gantry.audit.AuditFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.time.Instant;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Exchanging a password for an API token, and telling callers who they are. */
@RestController
class AuthApiController {
    private final AuthenticationManager authentication;
    private final ApiTokens tokens;

    AuthApiController(AuthenticationManager authentication, ApiTokens tokens) {
        this.authentication = authentication;
        this.tokens = tokens;
    }

    record TokenRequest(@NotBlank String username, @NotBlank String password) {
    }

    record TokenResponse(String token, Instant expiresAt) {
    }

    /**
     * Who is calling. For a browser session it also hands over the CSRF token that the page's own
     * scripts must echo in {@code X-CSRF-TOKEN} on changes; another site cannot read this answer.
     */
    record Me(String username, Role role, String authenticatedBy, String csrfHeader, String csrfToken) {
    }

    @PostMapping("/api/v1/auth/token")
    TokenResponse token(@Valid @RequestBody TokenRequest request, HttpServletRequest http) {
        http.setAttribute(AuditFilter.ACTOR, request.username());
        Authentication user;
        try {
            user = authentication.authenticate(
                    UsernamePasswordAuthenticationToken.unauthenticated(request.username(), request.password()));
        } catch (LoginThrottledException e) {
            HttpHeaders headers = new HttpHeaders();
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
            throw new ProblemException(Problem.of(HttpStatus.TOO_MANY_REQUESTS, "login-throttled",
                    "Too many failed sign-ins", e.getMessage()), headers);
        } catch (AuthenticationException e) {
            // One answer for unknown user, wrong password and disabled user: no username probing.
            throw new ProblemException(Problem.unauthorized("Wrong username or password."));
        }
        Role role = Role.of(user).orElseThrow();
        ApiTokens.IssuedToken issued = tokens.issueForLogin(user.getName(), role);
        return new TokenResponse(issued.token(), issued.expiresAt());
    }

    @GetMapping("/api/v1/auth/me")
    Me me(Authentication caller, HttpServletRequest http) {
        Role role = Role.of(caller).orElseThrow();
        if (caller instanceof ApiTokenAuthentication) {
            return new Me(caller.getName(), role, "token", null, null);
        }
        CsrfToken csrf = (CsrfToken) http.getAttribute(CsrfToken.class.getName());
        return new Me(caller.getName(), role, "session", csrf == null ? null : csrf.getHeaderName(),
                csrf == null ? null : csrf.getToken());
    }
}
