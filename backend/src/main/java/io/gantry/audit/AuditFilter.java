package io.gantry.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ContentCachingRequestWrapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records every mutation (POST, PUT, PATCH, DELETE) in the audit trail: who, which route, which
 * target, the resulting status and the request's fields with secrets redacted, including the ones
 * security refused. Sits in both filter chains right behind the security context so it sees the
 * caller and the final status whichever filter or controller answered.
 *
 * <p>The target is the route's path variables, else the id at the end of a {@code Location} header.
 * A controller whose caller is not signed in yet names the actor with the request attribute
 * {@link #ACTOR} (the username tried at {@code POST /api/v1/auth/token}).
 */
public class AuditFilter extends OncePerRequestFilter {
    public static final String ACTOR = AuditFilter.class.getName() + ".ACTOR";
    private static final Set<String> MUTATIONS = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(AuditFilter.class);

    private final AuditTrail trail;
    private final JsonMapper json;
    private final Clock clock;

    public AuditFilter(AuditTrail trail, JsonMapper json) {
        this.trail = trail;
        this.json = json;
        this.clock = Clock.systemUTC();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!MUTATIONS.contains(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        // Before the chain: logout clears the caller, yet the trail must say who logged out.
        String callerBefore = caller();
        HttpServletRequest audited = isJson(request) ? new ContentCachingRequestWrapper(request, MAX_BODY_BYTES) : request;
        int status = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
        try {
            chain.doFilter(audited, response);
            status = response.getStatus();
        } finally {
            record(audited, response, status, callerBefore);
        }
    }

    private void record(HttpServletRequest request, HttpServletResponse response, int status, String callerBefore) {
        try {
            trail.record(new AuditTrail.Record(clock.instant(), actor(request, callerBefore),
                    request.getMethod() + " " + route(request), target(request, response), status,
                    detail(request, response, status), request.getRemoteAddr()));
        } catch (RuntimeException e) {
            // The response is already decided; losing an audit row must be loud but must not turn a
            // successful change into an error the caller would retry.
            log.error("Could not write the audit record of {} {}", request.getMethod(), request.getRequestURI(), e);
        }
    }

    private static String caller() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth == null || auth instanceof AnonymousAuthenticationToken ? null : auth.getName();
    }

    private static String actor(HttpServletRequest request, String callerBefore) {
        String caller = caller();
        if (caller != null) {
            return caller;
        }
        if (callerBefore != null) {
            return callerBefore;
        }
        Object named = request.getAttribute(ACTOR);
        if (named != null) {
            return named.toString();
        }
        // A form sign-in, successful or not, is attributed to the username that was tried.
        String tried = "/login".equals(request.getServletPath()) ? request.getParameter("username") : null;
        return tried != null && !tried.isBlank() ? tried : "anonymous";
    }

    /** The route pattern Spring MVC matched, e.g. {@code /api/v1/workloads/{id}/scale}; else the path. */
    private static String route(HttpServletRequest request) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        return pattern != null ? pattern.toString() : request.getRequestURI();
    }

    private static String target(HttpServletRequest request, HttpServletResponse response) {
        Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        if (variables instanceof Map<?, ?> map && !map.isEmpty()) {
            return String.join(",", map.values().stream().map(String::valueOf).toList());
        }
        String location = response.getHeader(HttpHeaders.LOCATION);
        if (location != null && location.startsWith("/api/")) {
            return location.substring(location.lastIndexOf('/') + 1);
        }
        return null;
    }

    /**
     * {@code {"fields": ..., "redirect": ...}}: the request's fields, redacted, and where a redirect
     * sent the browser (a form sign-in answers 302 both ways; only the target tells them apart).
     */
    private String detail(HttpServletRequest request, HttpServletResponse response, int status) {
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        if (request instanceof ContentCachingRequestWrapper cached && cached.getContentAsByteArray().length > 0) {
            detail.set("fields", Redactor.json(cached.getContentAsByteArray(), json));
        } else if (!request.getParameterMap().isEmpty()) {
            detail.set("fields", Redactor.parameters(request.getParameterMap()));
        }
        String location = response.getHeader(HttpHeaders.LOCATION);
        if (status >= 300 && status < 400 && location != null) {
            detail.put("redirect", Redactor.string(location));
        }
        return detail.isEmpty() ? null : json.writeValueAsString(detail);
    }

    private static boolean isJson(HttpServletRequest request) {
        // application/json and its +json relatives (merge-patch, problem...).
        String type = request.getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).contains("json");
    }
}
