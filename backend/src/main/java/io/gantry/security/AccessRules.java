package io.gantry.security;

import static org.springframework.http.HttpMethod.DELETE;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.PATCH;
import static org.springframework.http.HttpMethod.POST;
import static org.springframework.http.HttpMethod.PUT;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * THE access rule table: every route of the application, by method and path pattern, and who may
 * call it. This is the only place where access is decided; both filter chains apply it, first
 * match wins, and a request that matches no rule is denied. {@code RouteRulesIT} fails when the
 * running application has a route that no rule here covers, so a new endpoint cannot ship without
 * someone deciding its access in this table.
 *
 * <p>A {@code GET} rule also covers {@code HEAD}. A rule without a method covers every method.
 */
final class AccessRules {

    /**
     * Who may call a route. {@code SIGNED_IN}: anyone signed in, whatever their role (their own account). The
     * {@code SCOPED_} ones: a global role of at least that, or a grant of at least that on some engine or namespace;
     * the route itself then shows and allows only what the caller's grants cover. The others: the global role only.
     */
    enum Access {
        PUBLIC(null, false), SIGNED_IN(Role.NONE, false), SCOPED_VIEWER(Role.VIEWER, true),
        SCOPED_OPERATOR(Role.OPERATOR, true), VIEWER(Role.VIEWER, false), OPERATOR(Role.OPERATOR, false),
        ADMIN(Role.ADMIN, false);

        final Role role;
        final boolean scoped;

        Access(Role role, boolean scoped) {
            this.role = role;
            this.scoped = scoped;
        }
    }

    record Rule(HttpMethod method, String pattern, Access access) {
        RequestMatcher matcher() {
            PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
            if (method == null) {
                return paths.matcher(pattern);
            }
            if (method.equals(GET)) {
                return new OrRequestMatcher(paths.matcher(GET, pattern), paths.matcher(HttpMethod.HEAD, pattern));
            }
            return paths.matcher(method, pattern);
        }

        @Override
        public String toString() {
            return (method == null ? "ANY" : method.name()) + " " + pattern + " -> " + access;
        }
    }

    private static final List<Rule> RULES = List.of(
            // Anonymous: health, getting a token, the API docs, the login page and static assets.
            rule(GET, "/api/v1/health", Access.PUBLIC),
            rule(POST, "/api/v1/auth/token", Access.PUBLIC),
            rule(GET, "/actuator/health", Access.PUBLIC),
            rule(GET, "/actuator/health/**", Access.PUBLIC),
            rule(GET, "/v3/api-docs", Access.PUBLIC),
            rule(GET, "/v3/api-docs.yaml", Access.PUBLIC),
            rule(GET, "/v3/api-docs/**", Access.PUBLIC),
            rule(GET, "/swagger-ui.html", Access.PUBLIC),
            rule(GET, "/swagger-ui/**", Access.PUBLIC),
            rule(GET, "/login", Access.PUBLIC),
            rule(POST, "/login", Access.PUBLIC),
            rule(POST, "/logout", Access.PUBLIC),
            // Sign-in with an identity provider: its start and the provider's redirect back (OidcLogin).
            rule(GET, "/oauth2/authorization/*", Access.PUBLIC),
            rule(GET, "/login/oauth2/code/*", Access.PUBLIC),
            rule(GET, "/assets/**", Access.PUBLIC),
            rule(GET, "/webjars/**", Access.PUBLIC),
            rule(GET, "/favicon.ico", Access.PUBLIC),
            // The error page renders whatever status the real route produced.
            rule(null, "/error", Access.PUBLIC),

            // Users, teams, grants, settings and the audit trail: administrators only.
            rule(GET, "/api/v1/users", Access.ADMIN),
            rule(GET, "/api/v1/users/**", Access.ADMIN),
            rule(POST, "/api/v1/users", Access.ADMIN),
            rule(PUT, "/api/v1/users/*", Access.ADMIN),
            rule(DELETE, "/api/v1/users/*", Access.ADMIN),
            rule(DELETE, "/api/v1/users/*/sessions", Access.ADMIN),
            rule(DELETE, "/api/v1/users/*/totp", Access.ADMIN),
            rule(GET, "/api/v1/settings/security", Access.ADMIN),
            rule(GET, "/api/v1/teams", Access.ADMIN),
            rule(GET, "/api/v1/teams/*", Access.ADMIN),
            rule(POST, "/api/v1/teams", Access.ADMIN),
            rule(PUT, "/api/v1/teams/*", Access.ADMIN),
            rule(DELETE, "/api/v1/teams/*", Access.ADMIN),
            rule(GET, "/api/v1/grants", Access.ADMIN),
            rule(POST, "/api/v1/grants", Access.ADMIN),
            rule(DELETE, "/api/v1/grants/*", Access.ADMIN),
            rule(PUT, "/api/v1/settings/security", Access.ADMIN),
            rule(GET, "/api/v1/audit", Access.ADMIN),
            rule(GET, "/api/v1/audit/**", Access.ADMIN),

            // Own tokens, sessions and identity: anyone signed in (a token's role is capped by the caller's).
            rule(GET, "/api/v1/auth/me", Access.SIGNED_IN),
            rule(PUT, "/api/v1/auth/password", Access.SIGNED_IN),
            rule(GET, "/api/v1/auth/sessions", Access.SIGNED_IN),
            rule(DELETE, "/api/v1/auth/sessions/*", Access.SIGNED_IN),
            rule(GET, "/api/v1/auth/totp", Access.SIGNED_IN),
            rule(POST, "/api/v1/auth/totp", Access.SIGNED_IN),
            rule(POST, "/api/v1/auth/totp/confirm", Access.SIGNED_IN),
            rule(DELETE, "/api/v1/auth/totp", Access.SIGNED_IN),
            rule(GET, "/api/v1/tokens", Access.SIGNED_IN),
            rule(POST, "/api/v1/tokens", Access.SIGNED_IN),
            rule(DELETE, "/api/v1/tokens/*", Access.SIGNED_IN),

            // Engines: everyone reads, administrators change (including a forced sync).
            rule(GET, "/api/v1/engines", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/engines/**", Access.SCOPED_VIEWER),
            rule(POST, "/api/v1/engines", Access.ADMIN),
            rule(POST, "/api/v1/engines/**", Access.ADMIN),
            rule(PUT, "/api/v1/engines/**", Access.ADMIN),
            rule(PATCH, "/api/v1/engines/**", Access.ADMIN),
            rule(DELETE, "/api/v1/engines/**", Access.ADMIN),

            // Workloads: everyone reads (revisions and their diffs too), operators act (deploy, update
            // and its dry run, scale, restart, delete, import, copy, rollback, a command in an instance).
            // A console in an instance is a GET (a WebSocket upgrade) that acts: operators only, refused before the
            // upgrade. Workloads on a privileged runtime take an ADMIN (PrivilegedRuntimes decides).
            rule(GET, "/api/v1/workloads/*/instances/*/exec", Access.SCOPED_OPERATOR),
            rule(GET, "/api/v1/workloads", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/workloads/**", Access.SCOPED_VIEWER),
            rule(POST, "/api/v1/workloads", Access.SCOPED_OPERATOR),
            rule(POST, "/api/v1/workloads/**", Access.SCOPED_OPERATOR),
            rule(PUT, "/api/v1/workloads/**", Access.SCOPED_OPERATOR),
            rule(PATCH, "/api/v1/workloads/**", Access.SCOPED_OPERATOR),
            rule(DELETE, "/api/v1/workloads/**", Access.SCOPED_OPERATOR),
            // bulk runs act item by item within the caller's grants (each item refused outside them)
            rule(POST, "/api/v1/bulk", Access.SCOPED_OPERATOR),
            rule(POST, "/api/v1/bulk/**", Access.SCOPED_OPERATOR),
            rule(GET, "/api/v1/bulk/**", Access.SCOPED_VIEWER),

            // Secrets and configs: everyone reads metadata (a CONFIG's values only where the caller operates, a
            // SECRET's never), operators create, rotate and delete; each checked again on the object's namespace.
            rule(GET, "/api/v1/configs", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/configs/*", Access.SCOPED_VIEWER),
            rule(POST, "/api/v1/configs", Access.SCOPED_OPERATOR),
            rule(PUT, "/api/v1/configs/*/data", Access.SCOPED_OPERATOR),
            rule(DELETE, "/api/v1/configs/*", Access.SCOPED_OPERATOR),

            // Read-only views.
            rule(GET, "/api/v1/operations", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/operations/**", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/events", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/compare", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/history", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/stream", Access.SCOPED_VIEWER),
            rule(GET, "/api/v1/search", Access.SCOPED_VIEWER),
            rule(GET, "/actuator", Access.VIEWER),
            rule(GET, "/actuator/prometheus", Access.VIEWER),

            // Dashboard pages: everyone reads; a page that only changes things needs the role that may.
            // The pages' actions call the API above, which checks the role again.
            rule(GET, "/", Access.SCOPED_VIEWER),
            rule(GET, "/workloads", Access.SCOPED_VIEWER),
            rule(GET, "/workloads/*", Access.SCOPED_VIEWER),
            rule(GET, "/compare", Access.SCOPED_VIEWER),
            rule(GET, "/events", Access.SCOPED_VIEWER),
            rule(GET, "/nodes", Access.SCOPED_VIEWER),
            rule(GET, "/operations", Access.SCOPED_VIEWER),
            rule(GET, "/engines", Access.SCOPED_VIEWER),
            rule(GET, "/configs", Access.SCOPED_VIEWER),
            rule(GET, "/tokens", Access.SIGNED_IN),
            rule(GET, "/deploy", Access.SCOPED_OPERATOR),
            rule(GET, "/workloads/*/console", Access.SCOPED_OPERATOR),
            rule(GET, "/users", Access.ADMIN),
            rule(GET, "/teams", Access.ADMIN),
            rule(GET, "/audit", Access.ADMIN));

    private static final List<RequestMatcher> MATCHERS = RULES.stream().map(Rule::matcher).toList();

    private AccessRules() {
    }

    private static Rule rule(HttpMethod method, String pattern, Access access) {
        return new Rule(method, pattern, access);
    }

    static List<Rule> all() {
        return RULES;
    }

    /** The first rule that matches the request, as the filter chains pick it. */
    static Optional<Rule> ruleFor(HttpServletRequest request) {
        for (int i = 0; i < RULES.size(); i++) {
            if (MATCHERS.get(i).matches(request)) {
                return Optional.of(RULES.get(i));
            }
        }
        return Optional.empty();
    }

    /** A global role of at least {@code role}, or a grant of at least it somewhere. */
    private static AuthorizationManager<RequestAuthorizationContext> scoped(Role role, GrantLookup grants) {
        return (authentication, context) -> {
            Authentication caller = authentication.get();
            if (caller == null || !caller.isAuthenticated() || caller instanceof AnonymousAuthenticationToken) {
                return new AuthorizationDecision(false);
            }
            boolean global = Role.of(caller).map(r -> r.includes(role)).orElse(false);
            return new AuthorizationDecision(global || grants.holdsGrant(caller.getName(), role));
        };
    }

    /** The table as the filter chains apply it: in order, then deny whatever no rule named. */
    static void apply(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry registry,
            GrantLookup grants) {
        // An async dispatch (SSE, streamed logs) continues a request that was authorized when it began.
        registry.dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll();
        for (int i = 0; i < RULES.size(); i++) {
            Access access = RULES.get(i).access();
            var route = registry.requestMatchers(MATCHERS.get(i));
            if (access == Access.PUBLIC) {
                route.permitAll();
            } else if (access == Access.SIGNED_IN) {
                route.authenticated();
            } else if (access.scoped) {
                route.access(scoped(access.role, grants));
            } else {
                route.hasAnyAuthority(access.role.authoritiesIncludingThis());
            }
        }
        registry.anyRequest().denyAll();
    }
}
