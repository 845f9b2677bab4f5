package io.gantry.access;

import io.gantry.security.GrantLookup;
import io.gantry.security.Role;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The caller's {@link Scope}, read once per request. Outside a request (the server's own work: sync, recovery,
 * scheduled jobs) nobody is signed in and the scope is everything.
 */
@Component
public class Scopes implements GrantLookup {
    private static final String ATTRIBUTE = Scopes.class.getName();

    private final GrantStore grants;

    Scopes(GrantStore grants) {
        this.grants = grants;
    }

    public Scope current() {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (caller == null || caller instanceof AnonymousAuthenticationToken || !caller.isAuthenticated()) {
            return RequestContextHolder.getRequestAttributes() == null ? Scope.unrestricted()
                    : new Scope("anonymous", Role.NONE, List.of());
        }
        HttpServletRequest request = request();
        if (request != null && request.getAttribute(ATTRIBUTE) instanceof Scope cached
                && cached.username().equals(caller.getName())) {
            return cached;
        }
        Scope scope = of(caller.getName(), Role.of(caller).orElse(Role.NONE));
        if (request != null) {
            request.setAttribute(ATTRIBUTE, scope);
        }
        return scope;
    }

    /** A user's scope with the global role {@code global} (a token's role caps it; grants apply as they are). */
    public Scope of(String username, Role global) {
        return new Scope(username, global, global.includes(Role.ADMIN) ? List.of() : grants.heldBy(username));
    }

    @Override
    public boolean holdsGrant(String username, Role atLeast) {
        return grants.holds(username, atLeast);
    }

    @Override
    public List<HeldGrant> held(String username) {
        return grants.heldBy(username).stream()
                .map(g -> new HeldGrant(g.role(), g.engine(), g.namespace(), g.teamName())).toList();
    }

    private static HttpServletRequest request() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes instanceof ServletRequestAttributes servlet ? servlet.getRequest() : null;
    }
}
