package io.gantry.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a session that was idle too long or that is simply too old. The servlet container already
 * drops idle sessions ({@code server.servlet.session.timeout}), but nothing bounds a session that is
 * used every few minutes: without the absolute limit a stolen cookie would work forever. Runs before
 * the security context is read from the session, so an expired session authenticates nothing.
 */
class SessionExpiryFilter extends OncePerRequestFilter {
    /** Request attribute set when this request's session was just ended, for a friendlier login page. */
    static final String EXPIRED = SessionExpiryFilter.class.getName() + ".EXPIRED";

    private final Duration idle;
    private final Duration absolute;
    private final Clock clock;

    SessionExpiryFilter(Duration idle, Duration absolute, Clock clock) {
        this.idle = idle;
        this.absolute = absolute;
        this.clock = clock;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpSession session = request.getSession(false);
        if (session != null && expired(Instant.ofEpochMilli(session.getCreationTime()),
                Instant.ofEpochMilli(session.getLastAccessedTime()), clock.instant())) {
            session.invalidate();
            request.setAttribute(EXPIRED, Boolean.TRUE);
        } else if (session == null && request.getRequestedSessionId() != null && !request.isRequestedSessionIdValid()) {
            // the container already dropped it for idleness
            request.setAttribute(EXPIRED, Boolean.TRUE);
        }
        chain.doFilter(request, response);
    }

    boolean expired(Instant created, Instant lastAccessed, Instant now) {
        return !now.isBefore(created.plus(absolute)) || !now.isBefore(lastAccessed.plus(idle));
    }
}
