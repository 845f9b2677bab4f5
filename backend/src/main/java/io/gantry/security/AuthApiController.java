package io.gantry.security;

import io.gantry.audit.AuditFilter;
import io.gantry.web.BadRequestException;
import io.gantry.web.ProblemException;
import io.gantry.web.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Exchanging a password for an API token, and telling callers who they are. */
@RestController
class AuthApiController {
    private final AuthenticationManager authentication;
    private final ApiTokens tokens;
    private final UserAccounts users;
    private final GrantLookup grants;

    AuthApiController(AuthenticationManager authentication, ApiTokens tokens, UserAccounts users, GrantLookup grants) {
        this.grants = grants;
        this.authentication = authentication;
        this.tokens = tokens;
        this.users = users;
    }

    /** @param code the two-factor code (or a recovery code), for a user who has an authenticator */
    record TokenRequest(@NotBlank String username, @NotBlank String password, String code) {
    }

    record TokenResponse(String token, Instant expiresAt) {
    }

    /**
     * Who is calling. For a browser session it also hands over the CSRF token that the page's own
     * scripts must echo in {@code X-CSRF-TOKEN} on changes; another site cannot read this answer.
     */
    /** @param grants what the caller may do beyond {@code role}, on which engines and namespaces */
    record Me(String username, Role role, String authenticatedBy, String csrfHeader, String csrfToken,
              List<GrantLookup.HeldGrant> grants) {
    }

    @PostMapping("/api/v1/auth/token")
    TokenResponse token(@Valid @RequestBody TokenRequest request, HttpServletRequest http) {
        http.setAttribute(AuditFilter.ACTOR, request.username());
        Authentication user;
        try {
            UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated(
                    request.username(), request.password());
            attempt.setDetails(new SignInDetails(http, request.code(), false));
            user = authentication.authenticate(attempt);
        } catch (LoginThrottledException e) {
            throw throttled(e);
        } catch (SecondFactorRequiredException e) {
            throw new ProblemException(ProblemType.TOTP_REQUIRED, e.getMessage());
        } catch (PasswordLoginOffException e) {
            throw new ProblemException(ProblemType.PASSWORD_LOGIN_OFF, e.getMessage());
        } catch (AuthenticationException e) {
            // One answer for unknown user, wrong password, wrong code and disabled user: no probing.
            throw new ProblemException(ProblemType.UNAUTHORIZED, "Wrong username, password or code.");
        }
        Role role = Role.of(user).orElseThrow();
        ApiTokens.IssuedToken issued = tokens.issueForLogin(user.getName(), role);
        return new TokenResponse(issued.token(), issued.expiresAt());
    }

    record PasswordChange(@NotBlank String currentPassword,
            @NotNull @Size(min = UserAccounts.MIN_PASSWORD_LENGTH, max = UserAccounts.MAX_PASSWORD_BYTES,
                    message = UserApiController.PASSWORD_RULE) String newPassword) {
    }

    /**
     * Anyone signed in changes their own password, proving the current one (throttled like a
     * sign-in, so a stolen session cannot guess it either). Their other sessions end and all their
     * API tokens are revoked, including one this call came with: whoever knew the old password may
     * have made some. The session this call came from stays signed in.
     */
    @PutMapping("/api/v1/auth/password")
    ResponseEntity<Void> changePassword(@Valid @RequestBody PasswordChange request, Authentication caller,
            HttpServletRequest http) {
        try {
            authentication.authenticate(attempt(caller.getName(), request.currentPassword(), http));
        } catch (LoginThrottledException e) {
            throw throttled(e);
        } catch (AuthenticationException e) {
            throw BadRequestException.field("currentPassword", "is not your current password");
        }
        users.update(caller.getName(), request.newPassword(), null, null, actor(caller, http));
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/v1/auth/me")
    Me me(Authentication caller, HttpServletRequest http) {
        Role role = Role.of(caller).orElseThrow();
        if (caller instanceof ApiTokenAuthentication) {
            return new Me(caller.getName(), role, "token", null, null, grants.held(caller.getName()));
        }
        CsrfToken csrf = (CsrfToken) http.getAttribute(CsrfToken.class.getName());
        return new Me(caller.getName(), role, "session", csrf == null ? null : csrf.getHeaderName(),
                csrf == null ? null : csrf.getToken(), grants.held(caller.getName()));
    }

    /** Who asks, and from which browser session (none when they came with a token). */
    static UserAccounts.Actor actor(Authentication caller, HttpServletRequest http) {
        HttpSession session = caller instanceof ApiTokenAuthentication ? null : http.getSession(false);
        return new UserAccounts.Actor(caller.getName(), session == null ? null : session.getId());
    }

    /** A password to check, with the caller's address for the throttle (as form login passes it). */
    private static Authentication attempt(String username, String password, HttpServletRequest http) {
        UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated(username, password);
        attempt.setDetails(new WebAuthenticationDetails(http));
        return attempt;
    }

    private static ProblemException throttled(LoginThrottledException e) {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        return new ProblemException(ProblemType.LOGIN_THROTTLED, e.getMessage(), List.of(), Map.of(), headers);
    }
}
