package io.gantry.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gantry.security.HttpCaller;
import io.gantry.support.Api;
import io.gantry.support.ConsoleClient;
import io.gantry.support.ConsoleTarget;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The server's side of consoles and commands, over an engine whose exec runs real local processes: roles and origin
 * before the upgrade, the frames, exit codes, the per-user cap, revocation, the record and the audit entry.
 */
class ExecApiIT extends IntegrationTest {

    @Test
    void aConsoleRunsTheShellSendsResizesAndEndsWithTheExitCodeOnRecord() {
        String path = ConsoleTarget.onFakeEngine(api(), "exec-1").execPath();
        FakeEngine fake = FakeEngine.named("exec-1");
        try (ConsoleClient console = ConsoleClient.open(port, path + "?command=sh&cols=100&rows=30", ADMIN_TOKEN)) {
            console.type("echo console-$((6*7))\n");
            console.awaitOutput("console-42");
            console.resize(120, 40);
            console.sendText("{\"resize\":{\"cols\":0}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> console.texts().stream().anyMatch(t -> t.has("notice")));
            console.type("exit 3\n");
            assertThat(console.awaitExit()).isEqualTo(3);
            assertThat(console.awaitClose()).isEqualTo(1000);
        }
        assertThat(fake.resizes()).containsSubsequence("100x30", "120x40");
        assertThat(fake.calls()).contains("exec team/web web-0 sh");

        // the record is completed just after the exit frame is sent
        JsonNode session = await().atMost(Duration.ofSeconds(10)).until(() -> endedSessionOf("exec-1"), s -> s != null);
        assertThat(session.get("username").asString()).isEqualTo("admin");
        assertThat(session.get("mode").asString()).isEqualTo("console");
        assertThat(session.get("instance").asString()).isEqualTo("web-0");
        assertThat(session.get("command").toString()).isEqualTo("[\"sh\"]");
        assertThat(session.get("exitCode").asInt()).isEqualTo(3);
        assertThat(session.get("endReason").asString()).isEqualTo("exited");
        assertThat(session.get("bytesIn").asLong()).isEqualTo("echo console-$((6*7))\nexit 3\n".length());
        assertThat(session.get("bytesOut").asLong()).isEqualTo("console-42\n".length());
        assertThat(session.get("recorded").asBoolean()).isFalse();

        JsonNode audit = auditEntry(session.get("id").asString());
        assertThat(audit.get("username").asString()).isEqualTo("admin");
        assertThat(audit.get("status").asInt()).isEqualTo(101);
        assertThat(audit.get("detail").get("exitCode").asInt()).isEqualTo(3);
        assertThat(audit.get("detail").get("command").toString()).isEqualTo("[\"sh\"]");
        assertThat(audit.get("detail").get("startedAt").asString()).isNotBlank();
        assertThat(audit.get("detail").get("bytesOut").asLong()).isEqualTo(11);
    }

    @Test
    void withoutACommandTheConsoleStartsTheFirstShellThatExists() {
        String path = ConsoleTarget.onFakeEngine(api(), "exec-2").execPath();
        try (ConsoleClient console = ConsoleClient.open(port, path, ADMIN_TOKEN)) {
            console.type("echo $0-shell; exit\n");
            console.awaitOutput("-shell");
            assertThat(console.awaitExit()).isZero();
        }
        assertThat(FakeEngine.named("exec-2").calls()).anySatisfy(c -> assertThat(c).contains("/bin/sh -c")
                .contains("exec /bin/bash"));
    }

    @Test
    void aViewerAndAnotherSitesPageAreRefusedBeforeTheUpgrade() {
        String path = ConsoleTarget.onFakeEngine(api(), "exec-3").execPath();
        String viewer = userToken("exec-viewer", "VIEWER");
        assertThatThrownBy(() -> ConsoleClient.open(port, path, viewer))
                .isInstanceOfSatisfying(ConsoleClient.Refused.class, r -> assertThat(r.status()).isEqualTo(403));
        Api.Response run = new Api(port, viewer).post(path, Map.of("command", List.of("true")));
        assertThat(run.status()).isEqualTo(403);

        userToken("exec-operator", "OPERATOR");
        HttpCaller browser = new HttpCaller(port);
        assertThat(browser.formLogin("exec-operator", "password-of-exec-operator").status()).isEqualTo(302);
        String cookie = "JSESSIONID=" + browser.sessionId();
        assertThatThrownBy(() -> ConsoleClient.open(port, path, Map.of("Cookie", cookie, "Origin", "https://evil.example")))
                .isInstanceOfSatisfying(ConsoleClient.Refused.class, r -> assertThat(r.status()).isEqualTo(403));
        try (ConsoleClient same = ConsoleClient.open(port, path + "?command=sh",
                Map.of("Cookie", cookie, "Origin", "http://localhost:" + port))) {
            same.type("echo same-$((1+1))-origin; exit 0\n");
            same.awaitOutput("same-2-origin");
            assertThat(same.awaitExit()).isZero();
        }
        assertThat(FakeEngine.named("exec-3").calls()).filteredOn(c -> c.startsWith("exec")).hasSize(1);
    }

    @Test
    void whatCannotRunIsAProblemBeforeTheUpgrade() {
        String path = ConsoleTarget.onFakeEngine(api(), "exec-4").execPath();
        String missing = path.replace("web-0", "web-9");
        assertRefused(missing, 404);
        assertRefused(path + "?cols=0", 400);
        assertRefused(path + "?command=&command=-c", 400);
        assertRefused(path.replace("/api/v1/workloads/", "/api/v1/workloads/00000000-0000-0000-0000-00000000000"), 400);
        Api.Response plainGet = api().get(path);
        assertThat(plainGet.status()).isEqualTo(400);
        assertThat(plainGet.body()).contains("Upgrade");

        FakeEngine fake = FakeEngine.named("exec-4");
        fake.put(FakeEngine.workload("team", "web", "shell:1", 1, 0, Map.of()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertRefused(path, 404));
    }

    @Test
    void aCommandAnswersItsExitCodeAndOutputWithinItsBounds() {
        String path = ConsoleTarget.onFakeEngine(api(), "exec-5").execPath();
        Api api = api();
        Api.Response ok = api.post(path, Map.of("command", List.of("sh", "-c", "cat; echo to-err >&2; exit 4"),
                "stdin", "fed\n"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().get("exitCode").asInt()).isEqualTo(4);
        assertThat(ok.json().get("output").asString()).contains("fed\n").contains("to-err\n");
        assertThat(ok.json().get("truncated").asBoolean()).isFalse();

        Api.Response big = api.post(path, Map.of("command", List.of("sh", "-c", "head -c 2000000 /dev/zero | tr '\\0' x")));
        assertThat(big.json().get("output").asString()).hasSize(1024 * 1024);
        assertThat(big.json().get("truncated").asBoolean()).isTrue();
        assertThat(big.json().get("exitCode").asInt()).isZero();

        Api.Response slow = api.post(path, Map.of("command", List.of("sleep", "30"), "timeoutSeconds", 1));
        assertThat(slow.json().get("timedOut").asBoolean()).isTrue();
        assertThat(slow.json().get("exitCode").isNull()).isTrue();

        assertThat(api.post(path, Map.of()).body()).contains("command");
        assertThat(api.post(path, Map.of("command", List.of("true"), "timeoutSeconds", 0)).status()).isEqualTo(400);
        Api.Response nothing = api.post(path, Map.of("command", List.of("/no/such/command")));
        assertThat(nothing.status()).isEqualTo(422);
        assertThat(nothing.contentType()).startsWith("application/problem+json");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(api.get("/api/v1/audit/sessions?limit=10")
                .json().get("items")).anySatisfy(s -> {
                    assertThat(s.get("mode").asString()).isEqualTo("run");
                    assertThat(s.get("endReason").asString()).startsWith("timed out");
                }));

        List<String> paged = new ArrayList<>();
        String cursor = "";
        for (int page = 0; page < 3; page++) {
            JsonNode answer = api.get("/api/v1/audit/sessions?limit=1&cursor=" + cursor).json();
            assertThat(answer.get("total").asLong()).isGreaterThanOrEqualTo(3);
            paged.add(answer.get("items").get(0).get("id").asString());
            cursor = answer.get("nextCursor").asString();
        }
        assertThat(paged).doesNotHaveDuplicates();
        Api.Response forged = api.get("/api/v1/audit/sessions?cursor=bm90LW91cnM");
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.body()).contains("cursor");
    }

    @Test
    void eachUserHasACapOfOpenSessionsAndLosesThemWhenTheirAccessNarrows() {
        String path = ConsoleTarget.onFakeEngine(api(), "exec-6").execPath();
        String operator = userToken("exec-capped", "OPERATOR");
        List<ConsoleClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                open.add(ConsoleClient.open(port, path + "?command=sh", operator));
            }
            assertThatThrownBy(() -> ConsoleClient.open(port, path + "?command=sh", operator))
                    .isInstanceOfSatisfying(ConsoleClient.Refused.class, r -> assertThat(r.status()).isEqualTo(429));
            try (ConsoleClient admins = ConsoleClient.open(port, path + "?command=sh", ADMIN_TOKEN)) {
                admins.type("exit 0\n");
                assertThat(admins.awaitExit()).isZero();
            }
            Api.Response demoted = api().put("/api/v1/users/exec-capped", Map.of("role", "VIEWER"));
            assertThat(demoted.status()).as(demoted.toString()).isEqualTo(200);
            for (ConsoleClient console : open) {
                console.awaitClose();
                assertThat(console.awaitClose()).isEqualTo(1008);
                assertThat(console.texts()).anySatisfy(t -> assertThat(t.path("error").path("detail").asString())
                        .startsWith("access revoked"));
            }
        } finally {
            open.forEach(ConsoleClient::close);
        }
    }

    private void assertRefused(String path, int status) {
        assertThatThrownBy(() -> ConsoleClient.open(port, path, ADMIN_TOKEN))
                .isInstanceOfSatisfying(ConsoleClient.Refused.class, r -> assertThat(r.status()).isEqualTo(status));
    }

    private JsonNode endedSessionOf(String engine) {
        for (JsonNode session : api().get("/api/v1/audit/sessions?limit=100").json().get("items")) {
            if (session.get("engine").asString().equals(engine) && !session.get("endedAt").isNull()) {
                return session;
            }
        }
        return null;
    }

    private JsonNode auditEntry(String sessionId) {
        for (JsonNode entry : api().get("/api/v1/audit?limit=100").json().get("items")) {
            if (entry.get("action").asString().startsWith("EXEC ") && entry.get("detail") != null
                    && sessionId.equals(entry.get("detail").path("session").asString())) {
                return entry;
            }
        }
        throw new AssertionError("no audit entry of session " + sessionId);
    }
}
