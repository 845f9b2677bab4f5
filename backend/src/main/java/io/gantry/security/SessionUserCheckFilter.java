package io.gantry.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A signed-in session keeps the role its user had at sign-in. This re-reads the user on each
 * session request and ends the session when the user was deleted, disabled or given another role,
 * so that an administrator's change takes effect at once rather than up to 12 hours later.
 */
class SessionUserCheckFilter extends OncePerRequestFilter {
    private final UserAccountStore users;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    SessionUserCheckFilter(UserAccountStore users) {
        this.users = users;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = contexts.getContext().getAuthentication();
        if (auth instanceof UsernamePasswordAuthenticationToken && auth.isAuthenticated() && !stillValid(auth)) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            contexts.clearContext();
        }
        chain.doFilter(request, response);
    }

    private boolean stillValid(Authentication auth) {
        Optional<UserAccount> user = users.find(auth.getName());
        return user.isPresent() && !user.get().disabled() && Role.of(auth).equals(Optional.of(user.get().role()));
    }
}
