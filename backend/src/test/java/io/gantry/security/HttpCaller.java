package io.gantry.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client against the running server, like curl or a browser: it keeps cookies, never
 * follows redirects and sends exactly the headers a test gives it.
 */
public final class HttpCaller {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"");

    private final HttpClient client;
    final String base;

    public HttpCaller(int port) {
        this.base = "http://localhost:" + port;
        this.client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public record Reply(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Reply get(String path, String token) {
        return send("GET", path, token, null, Map.of());
    }

    public Reply send(String method, String path, String token, String json, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return call(b.build());
    }

    Reply postForm(String path, Map<String, String> fields, Map<String, String> headers) {
        String form = fields.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        headers.forEach(b::header);
        return call(b.build());
    }

    /** Signs in through the login page like a browser: the page's CSRF field, then the form post. */
    public Reply formLogin(String username, String password) {
        return formLogin(username, password, "");
    }

    /** The same with the form's two-factor {@code code} field (empty: left blank, as a browser sends it). */
    public Reply formLogin(String username, String password, String code) {
        String csrf = csrfFieldOf(get("/login", null));
        return postForm("/login", Map.of("username", username, "password", password, "code", code, "_csrf", csrf),
                Map.of("Origin", base));
    }

    public String sessionId() {
        return ((CookieManager) client.cookieHandler().orElseThrow()).getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals("JSESSIONID")).map(c -> c.getValue()).findFirst().orElse(null);
    }

    static String csrfFieldOf(Reply page) {
        Matcher m = CSRF_FIELD.matcher(page.body());
        if (!m.find()) {
            throw new AssertionError("no _csrf field in page: " + page.body());
        }
        return m.group(1);
    }

    private Reply call(HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
