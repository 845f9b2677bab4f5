package io.gantry.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <token>}. A request that presents a token is judged by
 * that token alone: an unknown, expired or revoked one is answered 401 at once, even if a session
 * cookie rides along. The authentication lives for this request only and never enters a session.
 */
class ApiTokenAuthenticationFilter extends OncePerRequestFilter {
    private final ApiTokens tokens;
    private final AuthenticationEntryPoint entryPoint;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiTokenAuthenticationFilter(ApiTokens tokens, AuthenticationEntryPoint entryPoint) {
        this.tokens = tokens;
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String secret = BearerTokens.presented(request);
        if (secret == null) {
            chain.doFilter(request, response);
            return;
        }
        ApiTokens.Check check = secret.isEmpty() ? ApiTokens.Check.failed("The bearer token is empty.")
                : tokens.authenticate(secret);
        if (check.authentication() == null) {
            contexts.clearContext();
            entryPoint.commence(request, response, new InvalidBearerTokenException(check.failure()));
            return;
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(check.authentication());
        contexts.setContext(context);
        chain.doFilter(request, response);
    }

    /** A token was presented and is no good; the entry point names it in {@code WWW-Authenticate}. */
    static class InvalidBearerTokenException extends BadCredentialsException {
        InvalidBearerTokenException(String message) {
            super(message);
        }
    }
}
