package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.support.IntegrationTest;
import io.gantry.support.StreamRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** Tokens, roles, sessions, CSRF and origin checks against the running server and its PostgreSQL. */
class SecurityIT extends IntegrationTest {
    @Autowired
    JdbcTemplate db;

    @Autowired
    SecurityBootstrap bootstrap;

    @Autowired
    LoginThrottle throttle;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ConfigurableApplicationContext context;

    HttpCaller http;

    /** The {@link UserAccessChanged} events published during the test. */
    final List<UserAccessChanged> accessChanges = new CopyOnWriteArrayList<>();
    final ApplicationListener<ApplicationEvent> accessListener = e -> {
        if (e instanceof PayloadApplicationEvent<?> p && p.getPayload() instanceof UserAccessChanged change) {
            accessChanges.add(change);
        }
    };

    @BeforeEach
    void client() {
        http = new HttpCaller(port);
        // every test signs in from 127.0.0.1: failures of one must not lock out the next
        throttle.forgetAll();
        context.addApplicationListener(accessListener);
    }

    @AfterEach
    void cleanUp() {
        context.removeApplicationListener(accessListener);
        throttle.forgetAll();
    }

    @Test
    void noTokenIs401ProblemWithBearerChallenge() {
        HttpCaller.Reply r = http.get("/api/v1/tokens", null);

        assertUnauthorized(r);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gantry\"");
        assertThat(r.json().get("type").asString()).isEqualTo("https://gantry.io/problems/unauthorized");
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
        // a stream opened with the token closes with it
        assertThat(accessChanges).containsExactly(new UserAccessChanged("admin", "token revoked"));
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
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES; i++) {
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
    void demotingAUserDemotesTheirTokensAndEndsTheirSessionsAtOnce() {
        String token = tokenOf(createUser("demoted-1", "ADMIN"));
        assertThat(http.get("/api/v1/users", token).status()).isEqualTo(200);
        HttpCaller browser = signedIn("demoted-1");

        http.send("PUT", "/api/v1/users/demoted-1", ADMIN_TOKEN, "{\"role\":\"VIEWER\"}", Map.of());

        assertThat(http.get("/api/v1/users", token).status()).isEqualTo(403);
        JsonNode me = http.get("/api/v1/auth/me", token).json();
        assertThat(me.get("role").asString()).isEqualTo("VIEWER");
        assertSessionEnded(browser);
        assertThat(accessChanges).containsExactly(new UserAccessChanged("demoted-1", "demoted to VIEWER"));
    }

    // --- login throttle (issue 13) ---

    @Test
    void fortyParallelWrongPasswordsForOneUserGetAtMostFivePasswordChecks() throws Exception {
        createUser("parallel-guessed", "VIEWER");
        double before = passwordChecks();

        List<HttpCaller.Reply> replies = inParallel(40,
                i -> tokenRequest("parallel-guessed", "wrong-guess-number-" + i));

        double checks = passwordChecks() - before;
        assertThat(checks).isLessThanOrEqualTo(LoginThrottle.USERNAME_FAILURES);
        assertThat(replies).allSatisfy(r -> assertThat(r.status()).isIn(401, 429));
        assertThat(replies.stream().filter(r -> r.status() == 401).count()).isEqualTo((long) checks);
        assertThat(replies.stream().filter(r -> r.status() == 429))
                .hasSizeGreaterThanOrEqualTo(40 - LoginThrottle.USERNAME_FAILURES)
                .allSatisfy(r -> {
                    assertThat(r.contentType()).startsWith("application/problem+json");
                    assertThat(r.json().get("type").asString()).isEqualTo("https://gantry.io/problems/login-throttled");
                    assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
                });

        // locked: the right password is refused without being checked
        HttpCaller.Reply right = tokenRequest("parallel-guessed", "password-of-parallel-guessed");
        assertThat(right.status()).isEqualTo(429);
        assertThat(passwordChecks() - before).isEqualTo(checks);
    }

    @Test
    void formLoginIsThrottledLikeTheApi() {
        createUser("form-guessed", "VIEWER");
        for (int i = 0; i < LoginThrottle.USERNAME_FAILURES; i++) {
            assertThat(http.formLogin("form-guessed", "wrong-password-" + i).header("Location")).endsWith("/login?error");
        }
        double before = passwordChecks();

        HttpCaller.Reply right = new HttpCaller(port).formLogin("form-guessed", "password-of-form-guessed");

        assertThat(right.status()).isEqualTo(302);
        assertThat(right.header("Location")).endsWith("/login?locked");
        assertThat(passwordChecks()).isEqualTo(before);
        assertThat(tokenRequest("form-guessed", "password-of-form-guessed").status()).isEqualTo(429);
    }

    @Test
    void oneClientGuessingOverManyUsernamesIsStoppedWithoutHashing() {
        double before = passwordChecks();
        for (int i = 0; i < LoginThrottle.CLIENT_FAILURES; i++) {
            // unknown usernames: each costs a hash all the same, so that they take as long as known ones
            assertThat(tokenRequest("nobody-" + i, "sprayed-password").status()).isEqualTo(401);
        }
        assertThat(passwordChecks() - before).isEqualTo(LoginThrottle.CLIENT_FAILURES);

        HttpCaller.Reply next = tokenRequest("nobody-else", "sprayed-password");
        HttpCaller.Reply admin = tokenRequest("admin", ADMIN_PASSWORD);
        HttpCaller.Reply form = http.formLogin("admin", ADMIN_PASSWORD);

        assertThat(next.status()).isEqualTo(429);
        assertThat(next.json().get("detail").asString()).contains("from your address");
        assertThat(admin.status()).isEqualTo(429);
        assertThat(form.header("Location")).endsWith("/login?locked");
        assertThat(passwordChecks() - before).isEqualTo(LoginThrottle.CLIENT_FAILURES);
        // bearer tokens are not affected
        assertThat(http.get("/api/v1/auth/me", ADMIN_TOKEN).status()).isEqualTo(200);
    }

    // --- revocation (issue 13) ---

    /** Issue 13: a password change ends a live session, the user's tokens and an open live stream, at once. */
    @Test
    void aPasswordResetEndsTheUsersSessionsAndRevokesTheirTokens() throws Exception {
        createUser("reset-user", "OPERATOR");
        HttpCaller browser = signedIn("reset-user");
        String token = tokenOf("reset-user");
        try (StreamRecorder stream = new StreamRecorder(api(), "/api/v1/stream", token);
             StreamRecorder othersStream = new StreamRecorder(api(), "/api/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(othersStream.status()).isEqualTo(200);

            HttpCaller.Reply reset = http.send("PUT", "/api/v1/users/reset-user", ADMIN_TOKEN,
                    "{\"password\":\"a-password-from-the-admin\"}", Map.of());

            assertThat(reset.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(stream::ended);
            assertThat(othersStream.ended()).as("another user's stream stays open").isFalse();
        }
        assertSessionEnded(browser);
        HttpCaller.Reply old = http.get("/api/v1/auth/me", token);
        assertUnauthorized(old);
        assertThat(old.json().get("detail").asString()).isEqualTo("The bearer token was revoked.");
        assertThat(accessChanges).containsExactly(new UserAccessChanged("reset-user", "password reset"));
    }

    @Test
    void changingOnesPasswordWithATokenEndsTheSessionsAndThatToken() {
        createUser("token-changer", "VIEWER");
        HttpCaller browser = signedIn("token-changer");
        String token = tokenOf("token-changer");

        HttpCaller.Reply change = http.send("PUT", "/api/v1/auth/password", token,
                "{\"currentPassword\":\"password-of-token-changer\",\"newPassword\":\"the-next-password\"}", Map.of());

        assertThat(change.status()).isEqualTo(204);
        assertSessionEnded(browser);
        assertUnauthorized(http.get("/api/v1/auth/me", token));
        assertThat(accessChanges).containsExactly(new UserAccessChanged("token-changer", "password changed"));
    }

    @Test
    void changingOnesPasswordInTheBrowserKeepsThatSessionAndEndsTheOthers() {
        createUser("browser-changer", "VIEWER");
        HttpCaller here = signedIn("browser-changer");
        HttpCaller elsewhere = signedIn("browser-changer");
        String token = tokenOf("browser-changer");
        String csrf = here.get("/api/v1/auth/me", null).json().get("csrfToken").asString();

        HttpCaller.Reply change = here.send("PUT", "/api/v1/auth/password", null,
                "{\"currentPassword\":\"password-of-browser-changer\",\"newPassword\":\"the-next-password\"}",
                Map.of("Origin", here.base, "X-CSRF-TOKEN", csrf));

        assertThat(change.status()).as(change.body()).isEqualTo(204);
        assertThat(here.get("/api/v1/auth/me", null).status()).isEqualTo(200);
        assertSessionEnded(elsewhere);
        assertUnauthorized(http.get("/api/v1/auth/me", token));
    }

    @Test
    void disablingAUserEndsTheirSessionsAndTokensAtOnce() {
        createUser("disabled-user", "OPERATOR");
        HttpCaller browser = signedIn("disabled-user");
        String token = tokenOf("disabled-user");

        http.send("PUT", "/api/v1/users/disabled-user", ADMIN_TOKEN, "{\"disabled\":true}", Map.of());

        assertSessionEnded(browser);
        HttpCaller.Reply withToken = http.get("/api/v1/auth/me", token);
        assertUnauthorized(withToken);
        assertThat(withToken.json().get("detail").asString()).isEqualTo("The bearer token's user is disabled.");
        assertThat(accessChanges).containsExactly(new UserAccessChanged("disabled-user", "disabled"));
        // disabling suspends: the tokens were not revoked and work again once the user is enabled
        http.send("PUT", "/api/v1/users/disabled-user", ADMIN_TOKEN, "{\"disabled\":false}", Map.of());
        assertThat(http.get("/api/v1/auth/me", token).status()).isEqualTo(200);
    }

    @Test
    void deletingAUserTellsTheirStreams() {
        createUser("deleted-user", "VIEWER");

        http.send("DELETE", "/api/v1/users/deleted-user", ADMIN_TOKEN, null, Map.of());

        assertThat(accessChanges).containsExactly(new UserAccessChanged("deleted-user", "deleted"));
    }

    @Test
    void aRefusedChangeEndsNothing() {
        db.update("UPDATE users SET disabled = true WHERE role = 'ADMIN' AND username <> 'admin'");
        HttpCaller browser = signedInAsAdmin();

        HttpCaller.Reply demote = http.send("PUT", "/api/v1/users/admin", ADMIN_TOKEN, "{\"role\":\"VIEWER\"}",
                Map.of());

        assertThat(demote.status()).isEqualTo(409);
        assertThat(browser.get("/api/v1/auth/me", null).status()).isEqualTo(200);
        assertThat(accessChanges).isEmpty();
    }

    // --- token expiry (issue 13) ---

    @Test
    void tokensExpireAfterNinetyDaysUnlessTold() {
        Instant expires = Instant.parse(createToken(ADMIN_TOKEN, "{\"name\":\"default-expiry\"}").json()
                .get("expiresAt").asString());

        assertThat(expires).isBetween(Instant.now().plus(Duration.ofDays(90)).minusSeconds(60),
                Instant.now().plus(Duration.ofDays(90)).plusSeconds(60));
    }

    @Test
    void onlyAnAdministratorMakesATokenThatNeverExpires() {
        String operator = tokenOf(createUser("operator-never", "OPERATOR"));
        String later = Instant.now().plus(Duration.ofDays(400)).toString();

        HttpCaller.Reply service = createToken(ADMIN_TOKEN, "{\"name\":\"service\",\"role\":\"VIEWER\",\"expiresAt\":\"never\"}");
        HttpCaller.Reply adminLater = createToken(ADMIN_TOKEN, "{\"name\":\"long\",\"expiresAt\":\"" + later + "\"}");
        HttpCaller.Reply never = createToken(operator, "{\"name\":\"forever\",\"expiresAt\":\"never\"}");
        HttpCaller.Reply tooLate = createToken(operator, "{\"name\":\"long\",\"expiresAt\":\"" + later + "\"}");
        HttpCaller.Reply notATime = createToken(operator, "{\"name\":\"odd\",\"expiresAt\":\"tomorrow\"}");
        HttpCaller.Reply fine = createToken(operator, "{\"name\":\"month\",\"expiresAt\":\""
                + Instant.now().plus(Duration.ofDays(30)) + "\"}");

        assertThat(service.status()).isEqualTo(201);
        JsonNode serviceExpiry = service.json().get("expiresAt");
        assertThat(serviceExpiry == null || serviceExpiry.isNull()).as(service.body()).isTrue();
        assertThat(http.get("/api/v1/auth/me", service.json().get("token").asString()).status()).isEqualTo(200);
        assertThat(adminLater.status()).isEqualTo(201);
        for (HttpCaller.Reply refused : List.of(never, tooLate, notATime)) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("expiresAt");
        }
        assertThat(fine.status()).isEqualTo(201);
    }

    @Test
    void theMigrationGivesNonAdministratorsTokensAnExpiryAndKeepsAdministratorsOnes() throws Exception {
        createUser("legacy-viewer", "VIEWER");
        UUID viewers = UUID.randomUUID();
        UUID admins = UUID.randomUUID();
        String insert = "INSERT INTO api_tokens (id, username, name, role, token_hash, created_at) VALUES (?, ?, 'old', ?, ?, now())";
        db.update(insert, viewers, "legacy-viewer", "VIEWER", TokenSecrets.hash(TokenSecrets.generate()));
        db.update(insert, admins, "admin", "ADMIN", TokenSecrets.hash(TokenSecrets.generate()));

        db.execute(new ClassPathResource("db/migration/V8__token_expiry_user_sessions.sql")
                .getContentAsString(StandardCharsets.UTF_8));

        Instant viewersExpiry = db.queryForObject("SELECT expires_at FROM api_tokens WHERE id = ?",
                java.sql.Timestamp.class, viewers).toInstant();
        assertThat(viewersExpiry).isAfter(Instant.now().plus(Duration.ofDays(89)));
        assertThat(db.queryForObject("SELECT expires_at FROM api_tokens WHERE id = ?", Object.class, admins)).isNull();
        assertThat(db.queryForObject("SELECT expires_at FROM api_tokens WHERE token_hash = ?", Object.class,
                TokenSecrets.hash(ADMIN_TOKEN))).isNull();
    }

    // --- one's sessions (issue 13) ---

    @Test
    void usersListAndEndTheirOwnSessions() {
        createUser("two-browsers", "VIEWER");
        HttpCaller here = signedIn("two-browsers");
        HttpCaller there = signedIn("two-browsers");

        JsonNode list = here.get("/api/v1/auth/sessions", null).json();
        assertThat(list.get("total").asInt()).isEqualTo(2);
        assertThat(list.get("items").valueStream().toList()).allSatisfy(s -> {
            assertThat(s.get("clientAddress").asString()).isEqualTo("127.0.0.1");
            assertThat(s.get("userAgent").asString()).isNotBlank();
            assertThat(s.get("createdAt").asString()).isNotBlank();
            assertThat(s.get("lastUsedAt").asString()).isNotBlank();
        });
        List<JsonNode> items = list.get("items").valueStream().toList();
        assertThat(list.toString()).doesNotContain(here.sessionId()).doesNotContain(there.sessionId());
        JsonNode other = items.stream().filter(s -> !s.get("current").asBoolean()).findFirst().orElseThrow();
        assertThat(items.stream().filter(s -> s.get("current").asBoolean())).hasSize(1);
        String csrf = here.get("/api/v1/auth/me", null).json().get("csrfToken").asString();

        HttpCaller.Reply end = here.send("DELETE", "/api/v1/auth/sessions/" + other.get("id").asString(), null, null,
                Map.of("Origin", here.base, "X-CSRF-TOKEN", csrf));

        assertThat(end.status()).isEqualTo(204);
        assertSessionEnded(there);
        assertThat(here.get("/api/v1/auth/sessions", null).json().get("total").asInt()).isEqualTo(1);
        assertThat(accessChanges).containsExactly(new UserAccessChanged("two-browsers", "session ended"));
        assertThat(db.queryForObject("SELECT count(*) FROM audit_log WHERE action = 'DELETE /api/v1/auth/sessions/{id}' "
                + "AND username = 'two-browsers' AND target = ? AND status = 204", Long.class, other.get("id").asString()))
                .isEqualTo(1);
        // someone else's session, or one that is gone: 404
        assertThat(http.send("DELETE", "/api/v1/auth/sessions/" + other.get("id").asString(), ADMIN_TOKEN, null,
                Map.of()).status()).isEqualTo(404);
    }

    @Test
    void anAdministratorSignsAUserOutEverywhere() {
        createUser("signed-out", "OPERATOR");
        HttpCaller browser = signedIn("signed-out");

        HttpCaller.Reply list = http.get("/api/v1/users/signed-out/sessions", ADMIN_TOKEN);
        HttpCaller.Reply end = http.send("DELETE", "/api/v1/users/signed-out/sessions", ADMIN_TOKEN, null, Map.of());

        assertThat(list.json().get("total").asInt()).isEqualTo(1);
        assertThat(list.json().get("items").get(0).get("current").asBoolean()).isFalse();
        assertThat(end.status()).isEqualTo(204);
        assertSessionEnded(browser);
        assertThat(accessChanges).containsExactly(
                new UserAccessChanged("signed-out", "sessions ended by an administrator"));
        assertThat(http.send("DELETE", "/api/v1/users/signed-out/sessions", tokenOf("signed-out"), null, Map.of())
                .status()).isEqualTo(403);
        assertThat(http.get("/api/v1/users/nobody-at-all/sessions", ADMIN_TOKEN).status()).isEqualTo(404);
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
        assertThat(http.get("/login?error", null).body()).contains("Wrong username, password or code.");
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
        assertThat(without.json().get("type").asString()).isEqualTo("https://gantry.io/problems/csrf");
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
        assertThat(evil.json().get("type").asString()).isEqualTo("https://gantry.io/problems/cross-origin");
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

    private double passwordChecks() {
        return meters.counter(CountedPasswordEncoder.CHECKS).count();
    }

    /** {@code POST /api/v1/auth/token} as a script would: no cookies. */
    private HttpCaller.Reply tokenRequest(String username, String password) {
        return new HttpCaller(port).send("POST", "/api/v1/auth/token", null,
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}", Map.of());
    }

    /** {@code count} calls started together, each on its own thread. */
    private static List<HttpCaller.Reply> inParallel(int count, java.util.function.IntFunction<HttpCaller.Reply> call)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpCaller.Reply>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.apply(n);
                }));
            }
            start.countDown();
            List<HttpCaller.Reply> replies = new ArrayList<>();
            for (Future<HttpCaller.Reply> f : futures) {
                replies.add(f.get(60, TimeUnit.SECONDS));
            }
            return replies;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A browser signed in with the form as {@code user} (password "password-of-" + user). */
    private HttpCaller signedIn(String user) {
        HttpCaller browser = new HttpCaller(port);
        assertThat(browser.formLogin(user, "password-of-" + user).header("Location")).doesNotContain("error");
        assertThat(browser.get("/api/v1/auth/me", null).status()).isEqualTo(200);
        return browser;
    }

    private HttpCaller signedInAsAdmin() {
        HttpCaller browser = new HttpCaller(port);
        assertThat(browser.formLogin("admin", ADMIN_PASSWORD).header("Location")).doesNotContain("error");
        return browser;
    }

    /** The browser's session is gone: the API says 401, a page sends it to sign in again. */
    private static void assertSessionEnded(HttpCaller browser) {
        assertUnauthorized(browser.get("/api/v1/auth/me", null));
        HttpCaller.Reply page = browser.get("/", null);
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.header("Location")).contains("/login");
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
