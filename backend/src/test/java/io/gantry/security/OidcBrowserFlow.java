package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser without a browser: a plain HTTP client with a cookie jar that walks the authorization code flow between
 * Gantry and the provider one redirect at a time, so that a test can look at (or tamper with) each step.
 */
final class OidcBrowserFlow {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    /** A JSON call with this flow's cookies (and the headers given, e.g. the CSRF token). */
    HttpResponse<String> send(String method, String url, String json, java.util.Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return send(b.build());
    }

    /** A form post with this flow's cookies. */
    HttpResponse<String> postForm(String url, String form, java.util.Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        headers.forEach(b::header);
        return send(b.build());
    }

    /** The redirect's target, resolved against the request's URL. */
    static String location(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.uri() + " answered " + response.body()).isBetween(300, 399);
        return response.uri().resolve(response.headers().firstValue("Location").orElseThrow()).toString();
    }

    /** Starts at Gantry's "Sign in with ..." link; returns the provider's authorization URL Gantry sent us to. */
    String start(String site, String provider) {
        return location(get(site + "/oauth2/authorization/" + provider));
    }

    /**
     * At the provider: its authorization endpoint sends us to its login form, we sign in, and it sends us back with
     * a code (at once when this client is signed in there already); returns that redirect (Gantry's callback URL with {@code code} and {@code state}).
     */
    String signInAtProvider(String authorizationUrl, String username, String password) {
        String loginPage = location(get(authorizationUrl));
        if (!URI.create(loginPage).getPath().equals("/login")) {
            return loginPage; // signed in at the provider already: it answers with the code at once
        }
        HttpResponse<String> form = get(loginPage);
        Matcher csrf = CSRF.matcher(form.body());
        assertThat(csrf.find()).as("the provider's login form: " + form.body()).isTrue();
        String body = "username=" + enc(username) + "&password=" + enc(password) + "&_csrf=" + enc(csrf.group(1));
        HttpResponse<String> posted = send(HttpRequest.newBuilder(URI.create(loginPage)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        String next = location(posted);
        assertThat(next).as("a wrong password at the provider").doesNotContain("error");
        return location(get(next));
    }

    /** The whole flow: returns where Gantry sent us after its callback. */
    String signIn(String site, String provider, String username, String password) {
        String callback = signInAtProvider(start(site, provider), username, password);
        return location(get(callback));
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
