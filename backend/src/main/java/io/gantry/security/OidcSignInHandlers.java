package io.gantry.security;

import io.gantry.audit.AuditTrail;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.context.DelegatingSecurityContextRepository;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import tools.jackson.databind.json.JsonMapper;

/**
 * How an OIDC sign-in ends. Success turns it into an ordinary Gantry session: the same
 * {@link UsernamePasswordAuthenticationToken} with one role authority as a form sign-in makes, so that the session
 * checks, the session list, expiry, CSRF and the role rules treat both alike; the provider's tokens are not kept.
 * Both ends are written to the audit trail (the callback is a GET, which {@link io.gantry.audit.AuditFilter} skips).
 */
final class OidcSignInHandlers {
    static final String CALLBACK = "GET /login/oauth2/code/{provider}";
    static final String START = "GET /oauth2/authorization/{provider}";
    private static final Logger log = LoggerFactory.getLogger(OidcSignInHandlers.class);

    private final AuditTrail audit;
    private final JsonMapper json;
    private final SignInRecorder recorder = new SignInRecorder();
    private final SecurityContextRepository contexts = new DelegatingSecurityContextRepository(
            new RequestAttributeSecurityContextRepository(), new HttpSessionSecurityContextRepository());
    private final SecurityContextHolderStrategy holder = SecurityContextHolder.getContextHolderStrategy();
    private final Clock clock = Clock.systemUTC();

    OidcSignInHandlers(AuditTrail audit, JsonMapper json) {
        this.audit = audit;
        this.json = json;
    }

    AuthenticationSuccessHandler success() {
        return this::succeeded;
    }

    AuthenticationFailureHandler failure() {
        return this::failed;
    }

    private void succeeded(HttpServletRequest request, HttpServletResponse response, Authentication oidc)
            throws IOException, ServletException {
        OidcUsers.SignedInUser user = (OidcUsers.SignedInUser) oidc.getPrincipal();
        UsernamePasswordAuthenticationToken session = UsernamePasswordAuthenticationToken.authenticated(user.getName(),
                null, user.getAuthorities());
        session.setDetails(new OidcSignInDetails(request, user.provider()));
        SecurityContext context = holder.createEmptyContext();
        context.setAuthentication(session);
        holder.setContext(context);
        // replaces what the login filter saved a moment ago (the provider's token): the session holds this one only
        contexts.saveContext(context, request, response);
        record(request, user.getName(), user.provider(), HttpServletResponse.SC_FOUND, null);
        recorder.onAuthenticationSuccess(request, response, session);
    }

    private void failed(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        log.info("OIDC sign-in refused: {}", e.getMessage());
        record(request, "anonymous", provider(request), HttpServletResponse.SC_UNAUTHORIZED, e.getMessage());
        response.sendRedirect(request.getContextPath() + "/login?oidcError");
    }

    private void record(HttpServletRequest request, String username, String provider, int status, String failure) {
        try {
            var detail = json.createObjectNode().put("provider", provider);
            if (failure != null) {
                detail.put("failure", failure);
            }
            String action = request.getRequestURI().contains("/oauth2/authorization/") ? START : CALLBACK;
            audit.record(new AuditTrail.Record(clock.instant(), username, action, provider, status,
                    json.writeValueAsString(detail), request.getRemoteAddr()));
        } catch (RuntimeException e) {
            log.error("Could not write the audit record of an OIDC sign-in of {}", username, e);
        }
    }

    private static String provider(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
