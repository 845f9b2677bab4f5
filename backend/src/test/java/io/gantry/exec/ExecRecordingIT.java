package io.gantry.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.support.Api;
import io.gantry.support.ConsoleClient;
import io.gantry.support.ConsoleTarget;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Recorded consoles and the idle timeout, in a context of their own (both are settings the other ITs leave off or
 * long): a console's output replays as asciicast v2, and one left alone is closed with the reason.
 */
class ExecRecordingIT extends IntegrationTest {

    @DynamicPropertySource
    static void recordAndIdle(DynamicPropertyRegistry registry) {
        registry.add("gantry.exec.record", () -> "true");
        registry.add("gantry.exec.idle-timeout", () -> "3s");
        registry.add("gantry.exec.recording-dir", () -> "target/it-recordings");
    }

    @Test
    void aConsolesOutputIsRecordedAsAsciicastForAdminsOnly() {
        String path = ConsoleTarget.onFakeEngine(api(), "rec-1").execPath();
        try (ConsoleClient console = ConsoleClient.open(port, path + "?command=sh&cols=90&rows=20", ADMIN_TOKEN)) {
            console.type("echo recorded-$((2*21)); echo 'ünï'\n");
            console.awaitOutput("ünï");
            console.resize(100, 25);
            console.type("exit 0\n");
            assertThat(console.awaitExit()).isZero();
        }
        JsonNode session = await().atMost(Duration.ofSeconds(10)).until(() -> api().get("/api/v1/audit/sessions").json()
                .get("items").get(0), s -> !s.get("endedAt").isNull());
        assertThat(session.get("recorded").asBoolean()).isTrue();
        String recordingPath = "/api/v1/audit/sessions/" + session.get("id").asString() + "/recording";
        Api.Response cast = api().get(recordingPath);
        assertThat(cast.status()).isEqualTo(200);
        assertThat(cast.contentType()).startsWith("application/x-asciicast");
        List<String> lines = cast.body().lines().toList();
        JsonNode header = Api.JSON.readTree(lines.get(0));
        assertThat(header.get("version").asInt()).isEqualTo(2);
        assertThat(header.get("width").asInt()).isEqualTo(90);
        assertThat(header.get("height").asInt()).isEqualTo(20);
        String events = String.join("\n", lines.subList(1, lines.size()));
        assertThat(events).contains("\"o\",\"recorded-42\\n").contains("ünï").contains("[").contains("\"r\",\"100x25\"");
        assertThat(events).as("input is not recorded").doesNotContain("$((2*21))");
        for (String line : lines.subList(1, lines.size())) {
            JsonNode event = Api.JSON.readTree(line);
            assertThat(event.get(0).asDouble()).isGreaterThanOrEqualTo(0);
        }

        String operator = userToken("rec-operator", "OPERATOR");
        assertThat(new Api(port, operator).get(recordingPath).status()).isEqualTo(403);
        assertThat(new Api(port, operator).get("/api/v1/audit/sessions").status()).isEqualTo(403);
    }

    @Test
    void aConsoleWithNeitherInputNorOutputIsClosedAsIdle() {
        String path = ConsoleTarget.onFakeEngine(api(), "rec-2").execPath();
        try (ConsoleClient console = ConsoleClient.open(port, path + "?command=sh", ADMIN_TOKEN)) {
            console.type("echo still-here\n");
            console.awaitOutput("still-here");
            assertThat(console.awaitClose()).isEqualTo(1008);
            assertThat(console.texts()).anySatisfy(t -> assertThat(t.path("error").path("title").asString()).isEqualTo("Idle"));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api().get("/api/v1/audit/sessions").json()
                .get("items").get(0).get("endReason").asString()).isEqualTo("idle"));
    }
}
