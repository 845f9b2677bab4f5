package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.function.support.RouterFunctionMapping;
import org.springframework.web.servlet.handler.AbstractUrlHandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Portainer once shipped a route that skipped authorization. This enumerates every route the
 * running application serves (controllers, actuator and springdoc endpoints, resource handlers)
 * and fails for any route that no explicit entry of {@link AccessRules} covers; such a route would
 * be denied to everybody at run time. It also calls every {@code /api} route without a token.
 */
class RouteRulesIT extends IntegrationTest {
    private static final List<String> ALL_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    @Autowired
    ApplicationContext context;

    /** One method + path the application serves, with a concrete path that the pattern matches. */
    record Route(String method, String pattern, String example) implements Comparable<Route> {
        @Override
        public int compareTo(Route o) {
            return (pattern + " " + method).compareTo(o.pattern + " " + o.method);
        }

        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    @Test
    void everyRouteHasAnExplicitAccessRule() {
        Set<Route> routes = routes();
        List<Route> unruled = routes.stream()
                .filter(r -> AccessRules.ruleFor(new MockHttpServletRequest(r.method(), r.example())).isEmpty())
                .toList();

        assertThat(routes).as("the enumeration must see the application's own routes")
                .extracting(Route::toString)
                .contains("POST /api/v1/tokens", "GET /api/v1/audit", "GET /actuator/prometheus", "GET /v3/api-docs",
                        "GET /api/v1/history", "GET /api/v1/workloads/{id}/history");
        assertThat(unruled).as("routes without an entry in AccessRules (add one there)").isEmpty();
    }

    @Test
    void viewersReadTheChartsHistory() {
        for (String path : List.of("/api/v1/history", "/api/v1/workloads/sample-1/history")) {
            assertThat(AccessRules.ruleFor(new MockHttpServletRequest("GET", path)).orElseThrow().access())
                    .as(path).isEqualTo(AccessRules.Access.SCOPED_VIEWER);
        }
        assertThat(AccessRules.ruleFor(new MockHttpServletRequest("POST", "/api/v1/history"))).isEmpty();
    }

    @Test
    void aConsoleTakesAnOperatorAndTheAuditPageAnAdmin() {
        // the console page only opens a WebSocket that checks the role again; the audit page lists every user's sessions
        assertThat(AccessRules.ruleFor(new MockHttpServletRequest("GET", "/workloads/sample-1/console")).orElseThrow()
                .access()).isEqualTo(AccessRules.Access.SCOPED_OPERATOR);
        assertThat(AccessRules.ruleFor(new MockHttpServletRequest("GET", "/audit")).orElseThrow().access())
                .isEqualTo(AccessRules.Access.ADMIN);
        assertThat(AccessRules.ruleFor(new MockHttpServletRequest("GET", "/workloads/sample-1")).orElseThrow().access())
                .isEqualTo(AccessRules.Access.SCOPED_VIEWER);
    }

    @Test
    void theRuleTableHasNoCatchAll() {
        for (String path : List.of("/api/v1/not-a-route", "/api/v2/workloads", "/anything", "/actuator/env")) {
            for (String method : ALL_METHODS) {
                assertThat(AccessRules.ruleFor(new MockHttpServletRequest(method, path)))
                        .as(method + " " + path).isEmpty();
            }
        }
        // read rules do not let an unforeseen mutation through
        assertThat(AccessRules.ruleFor(new MockHttpServletRequest("POST", "/api/v1/operations/x/cancel"))).isEmpty();
    }

    @Test
    void everyApiRouteAnswers401ProblemWithoutAToken() {
        HttpCaller http = new HttpCaller(port);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Route route : routes()) {
            if (!route.example().startsWith("/api/") && !route.example().startsWith("/actuator/")) {
                continue;
            }
            var rule = AccessRules.ruleFor(new MockHttpServletRequest(route.method(), route.example()));
            if (rule.isPresent() && rule.get().access() == AccessRules.Access.PUBLIC) {
                continue;
            }
            boolean mutation = !route.method().equals("GET");
            HttpCaller.Reply r = http.send(route.method(), route.example(), null, mutation ? "{}" : null, Map.of());
            checked++;
            if (r.status() != 401 || !r.contentType().startsWith("application/problem+json")
                    || r.header("WWW-Authenticate") == null || !r.header("WWW-Authenticate").startsWith("Bearer")) {
                failures.add(route + " -> " + r.status() + " " + r.contentType());
            }
        }
        assertThat(checked).isGreaterThan(5);
        assertThat(failures).isEmpty();
    }

    @Test
    void theTwoPublicApiRoutesArePublic() {
        assertThat(AccessRules.ruleFor(new MockHttpServletRequest("GET", "/api/v1/health")).orElseThrow().access())
                .isEqualTo(AccessRules.Access.PUBLIC);
        assertThat(AccessRules.ruleFor(new MockHttpServletRequest("POST", "/api/v1/auth/token")).orElseThrow().access())
                .isEqualTo(AccessRules.Access.PUBLIC);
        List<AccessRules.Rule> publicApi = AccessRules.all().stream()
                .filter(r -> r.pattern().startsWith("/api/") && r.access() == AccessRules.Access.PUBLIC).toList();
        assertThat(publicApi).hasSize(2);
    }

    private Set<Route> routes() {
        Set<Route> routes = new TreeSet<>();
        Map<String, HandlerMapping> mappings =
                BeanFactoryUtils.beansOfTypeIncludingAncestors(context, HandlerMapping.class, true, false);
        for (HandlerMapping mapping : mappings.values()) {
            if (mapping instanceof RequestMappingInfoHandlerMapping infos) {
                for (RequestMappingInfo info : infos.getHandlerMethods().keySet()) {
                    Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                    for (String pattern : info.getPatternValues()) {
                        for (String method : methods.isEmpty() ? ALL_METHODS
                                : methods.stream().map(Enum::name).toList()) {
                            routes.add(new Route(method, pattern, example(pattern)));
                        }
                    }
                }
            } else if (mapping instanceof AbstractUrlHandlerMapping urls) {
                // Resource handlers, view controllers and the welcome page answer GET (and HEAD) only.
                urls.getHandlerMap().keySet().forEach(p -> routes.add(new Route("GET", p, example(p))));
                if (urls.getRootHandler() != null) {
                    routes.add(new Route("GET", "/", "/"));
                }
            } else if (mapping instanceof RouterFunctionMapping functions) {
                assertThat(functions.getRouterFunction())
                        .as("functional routes exist: teach this test to enumerate them").isNull();
            } else {
                throw new AssertionError("unknown kind of handler mapping " + mapping.getClass().getName()
                        + ": teach this test to enumerate its routes");
            }
        }
        return routes;
    }

    /** A concrete path the pattern matches: variables and wildcards replaced by sample segments. */
    static String example(String pattern) {
        String path = pattern.replaceAll("\\{\\*[^}]+}", "a/b")
                .replaceAll("\\{[^}]+}", "sample-1")
                .replace("/**", "/a/b");
        return Arrays.stream(path.split("/", -1))
                .map(segment -> segment.equals("*") ? "x" : segment.replace("*", ""))
                .collect(Collectors.joining("/"));
    }
}
