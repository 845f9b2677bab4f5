package io.gantry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A tiny HTTP client for API tests; every call carries the bootstrap admin token, or the token it was given. */
public final class Api {
    public static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * A query string with its values URL-encoded: {@code &} separates parameters and the first {@code =} ends a name;
     * a {@code cursor} is passed as it is (cursors are URL-safe, and a caller may hand one over encoded already).
     */
    public static String query(String query) {
        List<String> parts = new ArrayList<>();
        for (String p : query.split("&")) {
            int eq = p.indexOf('=');
            String value = p.substring(eq + 1);
            parts.add(p.substring(0, eq) + "=" + (p.startsWith("cursor=") ? value
                    : URLEncoder.encode(value, StandardCharsets.UTF_8)));
        }
        return String.join("&", parts);
    }
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    public Api(int port) {
        this(port, IntegrationTest.ADMIN_TOKEN);
    }

    /** A client acting as whoever {@code token} belongs to. */
    public Api(int port, String token) {
        this.base = "http://localhost:" + port;
        this.token = token;
    }

    public String base() {
        return base;
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response post(String path, Object body) {
        return send(request(path).POST(body(body)).header("Content-Type", "application/json"));
    }

    public Response post(String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder b = request(path).POST(body(body)).header("Content-Type", "application/json");
        headers.forEach(b::header);
        return send(b);
    }

    public Response put(String path, Object body) {
        return send(request(path).PUT(body(body)).header("Content-Type", "application/json"));
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Location").orElse(null), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpClient http() {
        return http;
    }

    private static HttpRequest.BodyPublisher body(Object body) {
        if (body == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    public record Response(int status, String contentType, String location, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }
}
