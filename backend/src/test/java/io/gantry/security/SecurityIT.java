package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** Tokens, roles, sessions, CSRF and origin checks against the running server and its PostgreSQL. */
class SecurityIT extends IntegrationTest {
    @Autowired
    JdbcTemplate db;

    @Autowired
    SecurityBootstrap bootstrap;

    HttpCaller http;

    @BeforeEach
    void client() {
        http = new HttpCaller(port);
    }

    @Test
    void noTokenIs401ProblemWithBearerChallenge() {
        HttpCaller.Reply r = http.get("/api/v1/tokens", null);

        assertUnauthorized(r);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gantry\"");
        assertThat(r.json().get("type").asString()).isEqualTo("urn:gantry:problem:unauthorized");
    }

    @Test
    void unknownTokenIs401InvalidToken() {
        HttpCaller.Reply r = http.get("/api/v1/tokens", "gantry_not-a-real-token");

        assertUnauthorized(r);
        assertThat(r.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(r.json().get("detail").asString()).isEqualTo("The bearer token is not valid.");
    }

    @Test
    void expiredTokenIs401() {
        String secret = TokenSecrets.generate();
        db.update("INSERT INTO api_tokens (id, username, name, role, token_hash, created_at, expires_at) "
                        + "VALUES (?, 'admin', 'old', 'ADMIN', ?, now() - interval '2 days', now() - interval '1 day')",
                UUID.randomUUID(), TokenSecrets.hash(secret));

        HttpCaller.Reply r = http.get("/api/v1/tokens", secret);

        assertUnauthorized(r);
        assertThat(r.json().get("detail").asString()).isEqualTo("The bearer token has expired.");
    }

    @Test
    void revokedTokenIs401AtOnce() {
        JsonNode created = createToken(ADMIN_TOKEN, "{\"name\":\"short-lived\"}").json();
        String secret = created.get("token").asString();
        assertThat(http.get("/api/v1/tokens", secret).status()).isEqualTo(200);

        HttpCaller.Reply revoke = http.send("DELETE", "/api/v1/tokens/" + created.get("id").asString(), secret, null,
                Map.of());

        assertThat(revoke.status()).isEqualTo(204);
        HttpCaller.Reply after = http.get("/api/v1/tokens", secret);
        assertUnauthorized(after);
        assertThat(after.json().get("detail").asString()).isEqualTo("The bearer token was revoked.");
    }

    @Test
    void bootstrapTokenIsAnAdminTokenOfAdmin() {
        JsonNode me = http.get("/api/v1/auth/me", ADMIN_TOKEN).json();

        assertThat(me.get("username").asString()).isEqualTo("admin");
        assertThat(me.get("role").asString()).isEqualTo("ADMIN");
        assertThat(me.get("authenticatedBy").asString()).isEqualTo("token");
    }

    @Test
    void bootstrapIsIdempotent() {
        bootstrap.afterSingletonsInstantiated();

        assertThat(db.queryForObject("SELECT count(*) FROM api_tokens WHERE token_hash = ?", Long.class,
                TokenSecrets.hash(ADMIN_TOKEN))).isEqualTo(1);
        assertThat(db.queryForObject("SELECT count(*) FROM users WHERE username = 'admin'", Long.class)).isEqualTo(1);
    }

    @Test
    void tokenSecretsAreStoredOnlyAsSha256() {
        JsonNode created = createToken(ADMIN_TOKEN, "{\"name\":\"ci\",\"role\":\"VIEWER\"}").json();
        String secret = created.get("token").asString();

        Map<String, Object> row = db.queryForMap("SELECT * FROM api_tokens WHERE id = ?",
                UUID.fromString(created.get("id").asString()));
        assertThat(row.get("token_hash")).isEqualTo(TokenSecrets.hash(secret));
        assertThat(row.values()).noneMatch(v -> v != null && v.toString().contains(secret));
        assertThat(db.queryForObject("SELECT count(*) FROM api_tokens WHERE token_hash = ?", Long.class, secret))
                .isZero();
        // the list never shows a secret
        assertThat(http.get("/api/v1/tokens", ADMIN_TOKEN).body()).doesNotContain(secret).contains("\"ci\"");
    }

    @Test
    void usingATokenRecordsWhenItWasLastUsed() {
        JsonNode created = createToken(ADMIN_TOKEN, "{\"name\":\"used\"}").json();
        UUID id = UUID.fromString(created.get("id").asString());
        assertThat(db.queryForObject("SELECT last_used_at FROM api_tokens WHERE id = ?", Object.class, id)).isNull();

        http.get("/api/v1/tokens", created.get("token").asString());

        assertThat(db.queryForObject("SELECT last_used_at FROM api_tokens WHERE id = ?", Object.class, id)).isNotNull();
    }

    @Test
    void passwordFromConfigGivesATokenAndTheTokenWorks() {
        HttpCaller.Reply r = http.send("POST", "/api/v1/auth/token", null,
                "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}", Map.of());

        assertThat(r.status()).isEqualTo(200);
        Instant expires = Instant.parse(r.json().get("expiresAt").asString());
        assertThat(expires).isBetween(Instant.now().plusSeconds(11 * 3600), Instant.now().plusSeconds(12 * 3600 + 60));
        JsonNode me = http.get("/api/v1/auth/me", r.json().get("token").asString()).json();
        assertThat(me.get("username").asString()).isEqualTo("admin");
    }

    @Test
    void wrongPasswordIs401AndRepeatedFailuresAreThrottled() {
        createUser("throttled-user", "VIEWER");
        String wrong = "{\"username\":\"throttled-user\",\"password\":\"not-the-password\"}";
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            HttpCaller.Reply r = http.send("POST", "/api/v1/auth/token", null, wrong, Map.of());
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }

        HttpCaller.Reply locked = http.send("POST", "/api/v1/auth/token", null,
                "{\"username\":\"throttled-user\",\"password\":\"password-of-throttled-user\"}", Map.of());

        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.contentType()).startsWith("application/problem+json");
        assertThat(locked.header("Retry-After")).isNotNull();
    }

    @Test
    void tokenRequestWithoutPasswordNamesTheField() {
        HttpCaller.Reply r = http.send("POST", "/api/v1/auth/token", null, "{\"username\":\"admin\"}", Map.of());

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("password");
    }

    @Test
    void viewerGets403ProblemOnMutationsButMayRead() {
        String viewer = tokenOf(createUser("viewer-1", "VIEWER"));

        HttpCaller.Reply mutation = http.send("POST", "/api/v1/users", viewer,
                "{\"username\":\"x\",\"password\":\"long-enough-password\",\"role\":\"ADMIN\"}", Map.of());
        HttpCaller.Reply engines = http.send("POST", "/api/v1/engines", viewer, "{}", Map.of());

        assertThat(mutation.status()).isEqualTo(403);
        assertThat(mutation.contentType()).startsWith("application/problem+json");
        assertThat(mutation.json().get("detail").asString()).contains("needs the ADMIN role; you have VIEWER");
        assertThat(engines.status()).isEqualTo(403);
        assertThat(http.get("/api/v1/tokens", viewer).status()).isEqualTo(200);
    }

    @Test
    void aTokenCannotOutrankItsCreator() {
        String operator = tokenOf(createUser("operator-1", "OPERATOR"));

        HttpCaller.Reply r = createToken(operator, "{\"name\":\"escalate\",\"role\":\"ADMIN\"}");

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(createToken(operator, "{\"name\":\"fine\",\"role\":\"VIEWER\"}").status()).isEqualTo(201);
    }

    @Test
    void demotingAUserDemotesTheirTokensAtOnce() {
        String token = tokenOf(createUser("demoted-1", "ADMIN"));
        assertThat(http.get("/api/v1/users", token).status()).isEqualTo(200);

        http.send("PUT", "/api/v1/users/demoted-1", ADMIN_TOKEN, "{\"role\":\"VIEWER\"}", Map.of());

        assertThat(http.get("/api/v1/users", token).status()).isEqualTo(403);
    }

    @Test
    void formLoginWithConfiguredPasswordChangesTheSessionId() {
        http.get("/login", null);
        String anonymousSession = http.sessionId();

        HttpCaller.Reply login = http.formLogin("admin", ADMIN_PASSWORD);

        assertThat(login.status()).isEqualTo(302);
        assertThat(login.header("Location")).doesNotContain("error");
        assertThat(http.sessionId()).isNotNull().isNotEqualTo(anonymousSession);
        JsonNode me = http.get("/api/v1/auth/me", null).json();
        assertThat(me.get("username").asString()).isEqualTo("admin");
        assertThat(me.get("authenticatedBy").asString()).isEqualTo("session");
    }

    @Test
    void formLoginWithWrongPasswordGoesBackToTheLoginPage() {
        HttpCaller.Reply login = http.formLogin("admin", "wrong-password-here");

        assertThat(login.status()).isEqualTo(302);
        assertThat(login.header("Location")).endsWith("/login?error");
        assertThat(http.get("/login?error", null).body()).contains("Wrong username or password.");
    }

    @Test
    void uiPagesRedirectToLoginWhenSignedOut() {
        HttpCaller.Reply r = http.get("/", null);

        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).endsWith("/login");
    }

    @Test
    void aPageWithASessionThatIsGoneSaysSo() {
        HttpCaller.Reply r = http.send("GET", "/", null, null, Map.of("Cookie", "JSESSIONID=long-gone"));

        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).endsWith("/login?expired");
    }

    @Test
    void sessionMutationNeedsTheCsrfToken() {
        http.formLogin("admin", ADMIN_PASSWORD);

        HttpCaller.Reply without = http.send("POST", "/api/v1/tokens", null, "{\"name\":\"from-ui\"}",
                Map.of("Origin", http.base));
        String csrf = http.get("/api/v1/auth/me", null).json().get("csrfToken").asString();
        HttpCaller.Reply with = http.send("POST", "/api/v1/tokens", null, "{\"name\":\"from-ui\"}",
                Map.of("Origin", http.base, "X-CSRF-TOKEN", csrf));

        assertThat(without.status()).isEqualTo(403);
        assertThat(without.contentType()).startsWith("application/problem+json");
        assertThat(without.json().get("type").asString()).isEqualTo("urn:gantry:problem:csrf");
        assertThat(with.status()).isEqualTo(201);
    }

    @Test
    void sessionMutationFromAnotherOriginIsRefused() {
        http.formLogin("admin", ADMIN_PASSWORD);
        String csrf = http.get("/api/v1/auth/me", null).json().get("csrfToken").asString();

        HttpCaller.Reply evil = http.send("POST", "/api/v1/tokens", null, "{\"name\":\"stolen\"}",
                Map.of("Origin", "http://evil.example", "X-CSRF-TOKEN", csrf));
        HttpCaller.Reply noOrigin = http.send("POST", "/api/v1/tokens", null, "{\"name\":\"stolen\"}",
                Map.of("X-CSRF-TOKEN", csrf));
        HttpCaller.Reply sameByReferer = http.send("POST", "/api/v1/tokens", null, "{\"name\":\"ok\"}",
                Map.of("Referer", http.base + "/workloads", "X-CSRF-TOKEN", csrf));

        assertThat(evil.status()).isEqualTo(403);
        assertThat(evil.json().get("type").asString()).isEqualTo("urn:gantry:problem:cross-origin");
        assertThat(noOrigin.status()).isEqualTo(403);
        assertThat(sameByReferer.status()).isEqualTo(201);
    }

    @Test
    void crossOriginFormLoginIsRefused() {
        String csrf = HttpCaller.csrfFieldOf(http.get("/login", null));

        HttpCaller.Reply r = http.postForm("/login",
                Map.of("username", "admin", "password", ADMIN_PASSWORD, "_csrf", csrf),
                Map.of("Origin", "http://evil.example"));

        assertThat(r.status()).isEqualTo(403);
    }

    @Test
    void logoutEndsTheSession() {
        http.formLogin("admin", ADMIN_PASSWORD);
        String csrf = http.get("/api/v1/auth/me", null).json().get("csrfToken").asString();

        HttpCaller.Reply logout = http.postForm("/logout", Map.of("_csrf", csrf), Map.of("Origin", http.base));

        assertThat(logout.status()).isEqualTo(302);
        assertThat(logout.header("Location")).endsWith("/login?logout");
        assertUnauthorized(http.get("/api/v1/auth/me", null));
    }

    @Test
    void deletingAUserEndsTheirSession() {
        createUser("session-user", "OPERATOR");
        http.formLogin("session-user", "password-of-session-user");
        assertThat(http.get("/api/v1/auth/me", null).status()).isEqualTo(200);

        http.send("DELETE", "/api/v1/users/session-user", ADMIN_TOKEN, null, Map.of());

        assertUnauthorized(http.get("/api/v1/auth/me", null));
        // a page whose session is gone learns to sign in again (401), not that its CSRF token is bad
        assertUnauthorized(http.send("POST", "/api/v1/tokens", null, "{\"name\":\"late\"}", Map.of("Origin", http.base)));
    }

    @Test
    void prometheusNeedsAToken() {
        assertUnauthorized(http.get("/actuator/prometheus", null));
        assertThat(http.get("/actuator/prometheus", ADMIN_TOKEN).status()).isEqualTo(200);
        assertThat(http.get("/actuator/health", null).status()).isEqualTo(200);
    }

    @Test
    void userValidationNamesTheFields() {
        HttpCaller.Reply r = http.send("POST", "/api/v1/users", ADMIN_TOKEN,
                "{\"username\":\"bad name!\",\"password\":\"short\",\"role\":\"VIEWER\"}", Map.of());
        HttpCaller.Reply badRole = http.send("POST", "/api/v1/users", ADMIN_TOKEN,
                "{\"username\":\"someone\",\"password\":\"long-enough-password\",\"role\":\"ROOT\"}", Map.of());

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        List<String> fields = r.json().get("errors").valueStream().map(e -> e.get("field").asString()).toList();
        assertThat(fields).containsExactlyInAnyOrder("username", "password");
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.json().get("errors").get(0).get("field").asString()).isEqualTo("role");
    }

    @Test
    void aBodyThatIsNotJsonIsA4xxProblemNotA500() {
        HttpCaller.Reply plain = http.send("POST", "/api/v1/tokens", ADMIN_TOKEN, null,
                Map.of("Content-Type", "text/plain"));
        HttpCaller.Reply broken = http.send("POST", "/api/v1/tokens", ADMIN_TOKEN, "{\"name\":", Map.of());

        assertThat(plain.status()).isEqualTo(415);
        assertThat(plain.contentType()).startsWith("application/problem+json");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.contentType()).startsWith("application/problem+json");
    }

    @Test
    void usersChangeTheirOwnPasswordByProvingTheCurrentOne() {
        String token = tokenOf(createUser("changer", "VIEWER"));

        HttpCaller.Reply wrong = http.send("PUT", "/api/v1/auth/password", token,
                "{\"currentPassword\":\"not-it-at-all\",\"newPassword\":\"a-brand-new-password\"}", Map.of());
        HttpCaller.Reply right = http.send("PUT", "/api/v1/auth/password", token,
                "{\"currentPassword\":\"password-of-changer\",\"newPassword\":\"a-brand-new-password\"}", Map.of());

        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().get("errors").get(0).get("field").asString()).isEqualTo("currentPassword");
        assertThat(right.status()).isEqualTo(204);
        assertThat(http.send("POST", "/api/v1/auth/token", null,
                "{\"username\":\"changer\",\"password\":\"a-brand-new-password\"}", Map.of()).status()).isEqualTo(200);
    }

    @Test
    void usersNeverShowPasswordsAndDuplicatesConflict() {
        createUser("listed-user", "VIEWER");

        HttpCaller.Reply list = http.get("/api/v1/users", ADMIN_TOKEN);
        HttpCaller.Reply again = http.send("POST", "/api/v1/users", ADMIN_TOKEN,
                "{\"username\":\"listed-user\",\"password\":\"long-enough-password\",\"role\":\"VIEWER\"}", Map.of());

        assertThat(list.body()).contains("listed-user").doesNotContain("password").doesNotContain("$2a$");
        assertThat(again.status()).isEqualTo(409);
    }

    @Test
    void theLastAdministratorCannotBeRemoved() {
        // admin is the only enabled administrator unless a test made another one; make sure of it
        db.update("UPDATE users SET disabled = true WHERE role = 'ADMIN' AND username <> 'admin'");

        HttpCaller.Reply delete = http.send("DELETE", "/api/v1/users/admin", ADMIN_TOKEN, null, Map.of());
        HttpCaller.Reply demote = http.send("PUT", "/api/v1/users/admin", ADMIN_TOKEN, "{\"role\":\"OPERATOR\"}",
                Map.of());

        assertThat(delete.status()).isEqualTo(409);
        assertThat(demote.status()).isEqualTo(409);
        assertThat(delete.contentType()).startsWith("application/problem+json");
    }

    private HttpCaller.Reply createToken(String token, String body) {
        return http.send("POST", "/api/v1/tokens", token, body, Map.of());
    }

    /** Creates a user whose password is "password-of-" + name. */
    private String createUser(String name, String role) {
        HttpCaller.Reply r = http.send("POST", "/api/v1/users", ADMIN_TOKEN, "{\"username\":\"" + name
                + "\",\"password\":\"password-of-" + name + "\",\"role\":\"" + role + "\"}", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return name;
    }

    private String tokenOf(String user) {
        HttpCaller.Reply r = http.send("POST", "/api/v1/auth/token", null,
                "{\"username\":\"" + user + "\",\"password\":\"password-of-" + user + "\"}", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("token").asString();
    }

    private static void assertUnauthorized(HttpCaller.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(r.json().get("status").asInt()).isEqualTo(401);
    }
}
