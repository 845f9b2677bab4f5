package io.gantry.security;

import io.gantry.web.ProblemType;
import io.gantry.web.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a browser mutation whose {@code Origin} (or, lacking it, {@code Referer}) is another
 * site, or that names no origin at all; a second wall behind the CSRF token (OWASP CSRF cheat
 * sheet, "Verifying Origin With Standard Headers"). The origin is compared with the {@code Host}
 * the browser addressed, so it works behind a proxy that keeps the Host header; origins a proxy
 * rewrites can be allowed with {@code gantry.security.allowed-origins}.
 */
class SameOriginFilter extends OncePerRequestFilter {
    private final RequestMatcher applies;
    private final List<String> allowedOrigins;
    private final ProblemWriter problems;

    SameOriginFilter(RequestMatcher applies, List<String> allowedOrigins, ProblemWriter problems) {
        this.applies = applies;
        this.allowedOrigins = allowedOrigins.stream().map(SameOriginFilter::normalize).toList();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!applies.matches(request) || sameOrigin(request)) {
            chain.doFilter(request, response);
            return;
        }
        problems.write(response, ProblemType.CROSS_ORIGIN.problem("A change made, or a console opened, with a session "
                + "cookie must come from a page of this server (Origin or Referer header of this host)."));
    }

    static boolean sameOrigin(HttpServletRequest request, List<String> allowedOrigins) {
        String source = request.getHeader(HttpHeaders.ORIGIN);
        if (source == null || source.isBlank()) {
            source = request.getHeader(HttpHeaders.REFERER);
        }
        if (source == null || source.isBlank() || "null".equals(source)) {
            return false;
        }
        String origin = normalize(source);
        if (origin == null) {
            return false;
        }
        if (allowedOrigins.contains(origin)) {
            return true;
        }
        String host = request.getHeader(HttpHeaders.HOST);
        return host != null && authorityOf(origin).equals(normalizeAuthority(host, schemeOf(origin)));
    }

    private boolean sameOrigin(HttpServletRequest request) {
        return sameOrigin(request, allowedOrigins);
    }

    /** {@code scheme://host[:port]} of a URL, lower case, default port dropped; null if unparsable. */
    static String normalize(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            String authority = uri.getHost().toLowerCase(Locale.ROOT)
                    + (uri.getPort() == -1 || uri.getPort() == defaultPort(scheme) ? "" : ":" + uri.getPort());
            return scheme + "://" + authority;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String schemeOf(String origin) {
        return origin.substring(0, origin.indexOf("://"));
    }

    private static String authorityOf(String origin) {
        return origin.substring(origin.indexOf("://") + 3);
    }

    private static String normalizeAuthority(String host, String scheme) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        String suffix = ":" + defaultPort(scheme);
        return h.endsWith(suffix) ? h.substring(0, h.length() - suffix.length()) : h;
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }
}
