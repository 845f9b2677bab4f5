package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.security.HttpCaller;
import io.gantry.security.UserAccessChanged;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSpec;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.StreamRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13: secret-looking env values are *** for a VIEWER in every answer and on the live stream, an
 * OPERATOR sees them and the read is audited; live streams and log follows are limited per user and
 * end when the user's access changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretEnvIT extends IntegrationTest {
    private static final String ENGINE = "env-secrets";
    private static final String PASSWORD_A = "hunter2-secret";
    private static final String PASSWORD_B = "other-secret-b";
    private static final String DATABASE_URL = "postgres://app:pw-in-url@db/app";
    private static final String DSN = "https://dsn-key@sentry.example/1";
    private static final List<String> SECRET_VALUES = List.of(PASSWORD_A, PASSWORD_B, DATABASE_URL, DSN);

    @Autowired
    ApplicationEventPublisher events;

    private final FakeEngine engine = FakeEngine.named(ENGINE);
    private String viewer;
    private String operator;
    private String a;
    private String b;
    private String c;

    @BeforeAll
    void workloadsWithSecrets() {
        engine.putQuietly(withEnv("default", "pw-a", env(PASSWORD_A, "info")));
        engine.putQuietly(withEnv("default", "pw-b", env(PASSWORD_B, "info")));
        engine.putQuietly(withEnv("default", "pw-c", env(PASSWORD_A, "info")));
        Api.Response r = api().post("/api/v1/engines", Map.of("name", ENGINE, "kind", "test", "endpoint", "test://" + ENGINE,
                "options", Map.of("secretEnvKeys", "DATABASE_URL, *_dsn")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        Engines.awaitStatus(api(), r.json().get("id").asString(), "UP");
        viewer = userToken("env-viewer", "VIEWER");
        operator = userToken("env-operator", "OPERATOR");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(list(viewer).get("total").asInt()).isEqualTo(3));
        a = idOf("pw-a");
        b = idOf("pw-b");
        c = idOf("pw-c");
    }

    @Test
    void aViewerSeesStarsInTheListAndTheWorkloadAndTheListedJsonIsStillTheWorkload() {
        JsonNode items = list(viewer).get("items");
        assertThat(items).hasSize(3);
        for (JsonNode listed : items) {
            assertMasked(listed.get("spec").get("env"));
            JsonNode single = get("/api/v1/workloads/" + listed.get("id").asString(), viewer).json();
            assertMasked(single.get("spec").get("env"));
            assertThat(listed).isEqualTo(single);
        }
        assertNoSecret(get("/api/v1/workloads?namespace=default&engine=" + ENGINE, viewer).body());
        assertNoSecret(get("/api/v1/workloads/" + a, viewer).body());
        assertThat(auditedReads("env-viewer")).as("a viewer reads nothing secret").isEmpty();
    }

    @Test
    void anOperatorSeesTheValuesAndEachRequestLeavesOneAuditEntry() {
        int before = auditedReads("env-operator").size();
        JsonNode items = list(operator).get("items");
        for (JsonNode listed : items) {
            JsonNode env = listed.get("spec").get("env");
            assertThat(env.get("DB_PASSWORD").asString()).isIn(PASSWORD_A, PASSWORD_B);
            assertThat(env.get("DATABASE_URL").asString()).isEqualTo(DATABASE_URL);
        }
        List<JsonNode> reads = auditedReads("env-operator");
        assertThat(reads).as("one entry for the list of three").hasSize(before + 1);
        JsonNode entry = reads.get(0);
        assertThat(entry.get("action").asString()).isEqualTo("GET /api/v1/workloads");
        JsonNode detail = entry.get("detail").get("secretEnvRead");
        assertThat(detail.get("workloads").asInt()).isEqualTo(3);
        assertThat(detail.get("keys").toString()).contains("DB_PASSWORD", "DATABASE_URL", "SENTRY_DSN")
                .doesNotContain("LOG_LEVEL");
        assertNoSecret(entry.toString());

        assertThat(get("/api/v1/workloads/" + a, operator).json().get("spec").get("env").get("DB_PASSWORD").asString())
                .isEqualTo(PASSWORD_A);
        reads = auditedReads("env-operator");
        assertThat(reads).hasSize(before + 2);
        assertThat(reads.get(0).get("action").asString()).isEqualTo("GET /api/v1/workloads/{id}");
        assertThat(reads.get(0).get("target").asString()).isEqualTo(a);
    }

    @Test
    void compareSaysEqualOrDifferentByTheRealValuesButShowsStars() {
        JsonNode different = envField(get("/api/v1/compare?ids=" + a + "," + b, viewer).json());
        assertThat(different.get("equal").asBoolean()).as("the passwords differ").isFalse();
        assertThat(different.get("differingKeys").toString()).contains("DB_PASSWORD").doesNotContain("DATABASE_URL");
        different.get("values").forEach(SecretEnvIT::assertMasked);

        JsonNode same = envField(get("/api/v1/compare?ids=" + a + "," + c, viewer).json());
        assertThat(same.get("equal").asBoolean()).as("the passwords are the same").isTrue();
        same.get("values").forEach(SecretEnvIT::assertMasked);
        assertNoSecret(get("/api/v1/compare?ids=" + a + "," + b + "," + c, viewer).body());

        JsonNode shown = envField(get("/api/v1/compare?ids=" + a + "," + b, operator).json());
        assertThat(shown.get("values").get(1).get("DB_PASSWORD").asString()).isEqualTo(PASSWORD_B);
    }

    @Test
    void everyManifestFormatCarriesStarsForAViewerAndTheValuesForAnOperator() {
        for (String format : List.of("kubernetes", "marathon", "compose", "agent")) {
            Api.Response masked = get("/api/v1/workloads/" + a + "/manifest?format=" + format, viewer);
            assertThat(masked.status()).as(format + ": " + masked).isEqualTo(200);
            assertThat(masked.body()).as(format).contains("DB_PASSWORD").contains("***").contains("info");
            assertNoSecret(masked.body());
            Api.Response real = get("/api/v1/workloads/" + a + "/manifest?format=" + format, operator);
            assertThat(real.body()).as(format).contains(PASSWORD_A).contains(DSN);
        }
    }

    @Test
    void theWorkloadPageShowsStarsToAViewer() {
        HttpCaller browser = new HttpCaller(port);
        assertThat(browser.formLogin("env-viewer", "password-of-env-viewer").status()).isEqualTo(302);
        HttpCaller.Reply page = browser.send("GET", "/workloads/" + a, null, null, Map.of());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("DB_PASSWORD=***").contains("LOG_LEVEL=info");
        assertNoSecret(page.body());
    }

    @Test
    void theLiveStreamSendsEachRoleItsVariantAndAuditsTheOperatorsFirstRead() throws Exception {
        int before = auditedReads("env-operator").size();
        try (StreamRecorder viewers = new StreamRecorder(api(), "/api/v1/stream", viewer);
             StreamRecorder operators = new StreamRecorder(api(), "/api/v1/stream", operator)) {
            assertThat(viewers.status()).isEqualTo(200);
            assertThat(operators.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> viewers.lines().contains(":connected")
                    && operators.lines().contains(":connected"));
            engine.put(withEnv("live", "pw-live", env("live-secret-1", "debug")));
            await().atMost(Duration.ofSeconds(5)).until(() -> update(viewers, "pw-live") != null
                    && update(operators, "pw-live") != null);
            JsonNode seen = Api.JSON.readTree(update(viewers, "pw-live"));
            assertMasked(seen.get("spec").get("env"));
            assertThat(update(viewers, "pw-live")).doesNotContain("live-secret-1");
            assertThat(Api.JSON.readTree(update(operators, "pw-live")).get("spec").get("env").get("DB_PASSWORD").asString())
                    .isEqualTo("live-secret-1");
            await().atMost(Duration.ofSeconds(5)).until(() -> auditedReads("env-operator").size() == before + 1);
            assertThat(auditedReads("env-operator").get(0).get("action").asString()).isEqualTo("GET /api/v1/stream");
        }
    }

    @Test
    void theNinthStreamOrFollowOfOneUserIsA429NamingTheLimit() throws Exception {
        String token = userToken("stream-hog", "VIEWER");
        List<StreamRecorder> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                open.add(new StreamRecorder(api(), "/api/v1/stream", token));
                assertThat(open.get(i).status()).isEqualTo(200);
            }
            assertTooMany(get("/api/v1/stream", token), "gantry.streams.per-user");
            // a stream its client closed (a browser leaving a page) does not count once the server tries to write it
            open.get(0).close();
            StreamRecorder replacing = new StreamRecorder(api(), "/api/v1/stream", token);
            open.add(replacing);
            assertThat(replacing.status()).isEqualTo(200);
            for (int i = 0; i < 8; i++) {
                StreamRecorder follow = new StreamRecorder(api(), "/api/v1/workloads/" + a + "/logs?follow=true", token);
                open.add(follow);
                assertThat(follow.status()).isEqualTo(200);
            }
            assertTooMany(get("/api/v1/workloads/" + a + "/logs?follow=true", token), "gantry.logs.follows-per-user");
            assertThat(new StreamRecorder(api(), "/api/v1/stream", viewer).status()).as("another user").isEqualTo(200);
        } finally {
            events.publishEvent(new UserAccessChanged("stream-hog", "test over"));
            events.publishEvent(new UserAccessChanged("env-viewer", "test over"));
            for (StreamRecorder r : open) {
                r.close();
            }
        }
        // ended at once: the slots are free again without waiting for a heartbeat to notice
        try (StreamRecorder again = new StreamRecorder(api(), "/api/v1/stream", token)) {
            assertThat(again.status()).isEqualTo(200);
        }
    }

    @Test
    void aUsersAccessChangeEndsTheirStreamsAndFollowsButNotAnotherUsers() throws Exception {
        String revoked = userToken("revoked-user", "VIEWER");
        String kept = userToken("kept-user", "VIEWER");
        try (StreamRecorder revokedStream = new StreamRecorder(api(), "/api/v1/stream", revoked);
             StreamRecorder revokedFollow = new StreamRecorder(api(), "/api/v1/workloads/" + a + "/logs?follow=true", revoked);
             StreamRecorder keptStream = new StreamRecorder(api(), "/api/v1/stream", kept);
             StreamRecorder keptFollow = new StreamRecorder(api(), "/api/v1/workloads/" + a + "/logs?follow=true", kept)) {
            for (StreamRecorder r : List.of(revokedStream, keptStream)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> r.lines().contains(":connected"));
            }
            for (StreamRecorder r : List.of(revokedFollow, keptFollow)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> !r.data("log").isEmpty());
            }

            events.publishEvent(new UserAccessChanged("revoked-user", "password changed"));

            await().atMost(Duration.ofSeconds(5)).until(() -> revokedStream.ended() && revokedFollow.ended());
            assertThat(keptStream.ended()).isFalse();
            assertThat(keptFollow.ended()).isFalse();
            engine.put(withEnv("live", "pw-after-revoke", env("x-secret", "info")));
            await().atMost(Duration.ofSeconds(5)).until(() -> update(keptStream, "pw-after-revoke") != null);
            assertThat(keptFollow.ended()).isFalse();
        }
    }

    private static String update(StreamRecorder recorder, String name) {
        return recorder.data("workload.updated").stream().filter(d -> d.contains("\"name\":\"" + name + "\""))
                .map(d -> d.substring("data:".length())).findFirst().orElse(null);
    }

    private static void assertTooMany(Api.Response r, String limit) {
        assertThat(r.status()).as(r.toString()).isEqualTo(429);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode problem = r.json();
        assertThat(problem.get("type").asString()).endsWith("/too-many-streams");
        assertThat(problem.get("limit").asString()).isEqualTo(limit);
        assertThat(problem.get("max").asInt()).isEqualTo(8);
        assertThat(problem.get("detail").asString()).contains(limit);
    }

    private static JsonNode envField(JsonNode comparison) {
        for (JsonNode f : comparison.get("fields")) {
            if (f.get("path").asString().equals("spec.env")) {
                return f;
            }
        }
        throw new AssertionError("no spec.env in " + comparison);
    }

    private static void assertMasked(JsonNode env) {
        assertThat(env.get("DB_PASSWORD").asString()).as(env.toString()).isEqualTo("***");
        assertThat(env.get("LOG_LEVEL").asString()).as("not secret").isIn("info", "debug");
        if (env.has("DATABASE_URL")) {
            assertThat(env.get("DATABASE_URL").asString()).as("listed in secretEnvKeys").isEqualTo("***");
            assertThat(env.get("SENTRY_DSN").asString()).as("matches *_dsn").isEqualTo("***");
        }
    }

    private static void assertNoSecret(String text) {
        for (String secret : SECRET_VALUES) {
            assertThat(text).doesNotContain(secret);
        }
    }

    /** The audit entries of reads (GET) by {@code user}, newest first. */
    private List<JsonNode> auditedReads(String user) {
        List<JsonNode> reads = new ArrayList<>();
        api().get("/api/v1/audit?limit=500&user=" + user).json().get("items").forEach(e -> {
            if (e.get("action").asString().startsWith("GET ")) {
                reads.add(e);
            }
        });
        return reads;
    }

    private JsonNode list(String token) {
        // the streaming tests add workloads to namespace "live"
        Api.Response r = get("/api/v1/workloads?namespace=default&engine=" + ENGINE, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private String idOf(String name) {
        for (JsonNode w : list(viewer).get("items")) {
            if (w.get("name").asString().equals(name)) {
                return w.get("id").asString();
            }
        }
        throw new AssertionError(name);
    }

    private Api.Response get(String path, String token) {
        Api api = api();
        return api.send(api.request(path).setHeader("Authorization", "Bearer " + token).GET());
    }

    private static Map<String, String> env(String password, String logLevel) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_PASSWORD", password);
        env.put("DATABASE_URL", DATABASE_URL);
        env.put("SENTRY_DSN", DSN);
        env.put("LOG_LEVEL", logLevel);
        return env;
    }

    private static Workload withEnv(String namespace, String name, Map<String, String> env) {
        Workload w = FakeEngine.workload(namespace, name, "nginx:1.27", 1, Map.of("app", name));
        WorkloadSpec spec = new WorkloadSpec("nginx:1.27", null, null, env, null, null, 1, null, null, null);
        return new Workload(w.nativeId(), w.namespace(), w.name(), w.kind(), w.labels(), spec, w.status(),
                w.instances(), w.createdAt(), w.nativeObject());
    }
}
