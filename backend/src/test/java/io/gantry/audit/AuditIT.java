package io.gantry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every mutation leaves a row: who, route, target, status; secrets never reach the table. */
class AuditIT extends IntegrationTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newHttpClient();

    @Autowired
    JdbcTemplate db;

    @Test
    void aMutationIsRecordedWithItsSecretsRedacted() throws Exception {
        String password = "very-secret-password-42";
        HttpResponse<String> created = send("POST", "/api/v1/users", ADMIN_TOKEN,
                "{\"username\":\"audited-user\",\"password\":\"" + password + "\",\"role\":\"VIEWER\"}");
        assertThat(created.statusCode()).isEqualTo(201);

        JsonNode row = find("POST /api/v1/users", "audited-user");

        assertThat(row.get("username").asString()).isEqualTo("admin");
        assertThat(row.get("status").asInt()).isEqualTo(201);
        assertThat(row.get("remoteAddress").asString()).isNotBlank();
        JsonNode fields = row.get("detail").get("fields");
        assertThat(fields.get("password").asString()).isEqualTo("[REDACTED]");
        assertThat(fields.get("username").asString()).isEqualTo("audited-user");
        assertThat(db.queryForObject("SELECT count(*) FROM audit_log WHERE detail LIKE ?", Long.class,
                "%" + password + "%")).isZero();
    }

    @Test
    void theRoutePatternAndTargetAreRecorded() throws Exception {
        send("POST", "/api/v1/users", ADMIN_TOKEN,
                "{\"username\":\"patterned\",\"password\":\"long-enough-password\",\"role\":\"VIEWER\"}");
        send("PUT", "/api/v1/users/patterned", ADMIN_TOKEN, "{\"role\":\"OPERATOR\"}");

        JsonNode row = find("PUT /api/v1/users/{username}", "patterned");

        assertThat(row.get("status").asInt()).isEqualTo(200);
        assertThat(row.get("detail").get("fields").get("role").asString()).isEqualTo("OPERATOR");
    }

    @Test
    void refusedMutationsAreRecordedToo() throws Exception {
        HttpResponse<String> refused = send("DELETE", "/api/v1/users/someone-else", null, null);
        assertThat(refused.statusCode()).isEqualTo(401);

        Long rows = db.queryForObject("SELECT count(*) FROM audit_log WHERE action = 'DELETE /api/v1/users/someone-else' "
                + "AND username = 'anonymous' AND status = 401", Long.class);
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void formSignInsAreRecordedWithTheirOutcome() throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String page = browser.send(HttpRequest.newBuilder(URI.create(base() + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).isTrue();
        String form = "username=form-guesser&password=guessed-password-1&_csrf=" + csrf.group(1);

        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(base() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base())
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(302);
        String detail = db.queryForObject("SELECT detail FROM audit_log WHERE action = 'POST /login' "
                + "AND username = 'form-guesser' AND status = 302", String.class);
        assertThat(detail).contains("\"redirect\"", "/login?error", "\"password\":\"[REDACTED]\"")
                .doesNotContain("guessed-password-1").doesNotContain(csrf.group(1));
    }

    @Test
    void tokenLoginsAreAttributedToTheUsernameWithoutThePassword() throws Exception {
        send("POST", "/api/v1/auth/token", null, "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}");

        List<String> details = db.queryForList("SELECT detail FROM audit_log WHERE action = "
                + "'POST /api/v1/auth/token' AND username = 'admin' AND status = 200", String.class);
        assertThat(details).isNotEmpty().allSatisfy(d -> assertThat(d).doesNotContain(ADMIN_PASSWORD));
    }

    @Test
    void pagesGoNewestFirstAndAForeignCursorIsABadRequest() throws Exception {
        for (int i = 0; i < 3; i++) {
            send("POST", "/api/v1/tokens", ADMIN_TOKEN, "{\"name\":\"page-" + i + "\"}");
        }
        JsonNode first = JSON.readTree(send("GET", "/api/v1/audit?limit=2", ADMIN_TOKEN, null).body());
        String cursor = first.get("nextCursor").asString();
        JsonNode second = JSON.readTree(send("GET", "/api/v1/audit?limit=2&cursor=" + cursor, ADMIN_TOKEN, null).body());

        long a = first.get("items").get(0).get("id").asLong();
        long b = first.get("items").get(1).get("id").asLong();
        long c = second.get("items").get(0).get("id").asLong();
        assertThat(a).isGreaterThan(b);
        assertThat(b).isGreaterThan(c);
        assertThat(first.get("total").asLong()).isGreaterThanOrEqualTo(3);

        HttpResponse<String> tampered = send("GET", "/api/v1/audit?cursor=bm90LWEtY3Vyc29y", ADMIN_TOKEN, null);
        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(tampered.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(JSON.readTree(tampered.body()).get("errors").get(0).get("field").asString()).isEqualTo("cursor");
    }

    @Test
    void onlyAdministratorsReadTheTrail() throws Exception {
        send("POST", "/api/v1/users", ADMIN_TOKEN,
                "{\"username\":\"audit-reader\",\"password\":\"long-enough-password\",\"role\":\"OPERATOR\"}");
        String token = JSON.readTree(send("POST", "/api/v1/auth/token", null,
                "{\"username\":\"audit-reader\",\"password\":\"long-enough-password\"}").body()).get("token").asString();

        assertThat(send("GET", "/api/v1/audit", token, null).statusCode()).isEqualTo(403);
    }

    private JsonNode find(String action, String target) throws Exception {
        JsonNode page = JSON.readTree(send("GET", "/api/v1/audit?limit=500", ADMIN_TOKEN, null).body());
        return StreamSupport.stream(page.get("items").spliterator(), false)
                .filter(i -> i.get("action").asString().equals(action) && i.get("target").isString()
                        && i.get("target").asString().equals(target))
                .findFirst().orElseThrow(() -> new AssertionError("no audit row " + action + " " + target + ": " + page));
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
