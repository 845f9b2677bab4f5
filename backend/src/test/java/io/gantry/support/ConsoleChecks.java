package io.gantry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What a console must do on every engine, through the API's WebSocket: a typed command's output comes back
 * (computed, so not the terminal's echo), the terminal has the size asked at start and a resize reaches it (what
 * {@code stty size} prints), {@code exit 3} ends it with code 3, and the session is on the audit record. The
 * instance's image needs a busybox-like {@code sh} and {@code stty}.
 */
public final class ConsoleChecks {
    private ConsoleChecks() {
    }

    /**
     * @param instancePath {@code /api/v1/workloads/{id}/instances/{instance}}
     * @param admin        reads the audit record afterwards
     */
    public static void shellWorks(int port, String instancePath, String token, Api admin) {
        String path = instancePath + "/exec?command=sh&tty=true&cols=100&rows=30";
        try (ConsoleClient console = ConsoleClient.open(port, path, token)) {
            console.type("echo console-$((6*7))-trip\n");
            console.awaitOutput("console-42-trip");
            console.type("stty size; echo size-$((1+1))-done\n");
            assertThat(console.awaitOutput("size-2-done")).contains("30 100");
            console.resize(123, 45);
            console.type("stty size; echo size-$((2+1))-done\n");
            assertThat(console.awaitOutput("size-3-done")).contains("45 123");
            console.type("exit 3\n");
            assertThat(console.awaitExit()).isEqualTo(3);
        }
        String workloadId = instancePath.split("/")[4];
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(onRecord(admin, workloadId))
                .anySatisfy(s -> {
                    assertThat(s.get("mode").asString()).isEqualTo("console");
                    assertThat(s.get("exitCode").asInt()).isEqualTo(3);
                    assertThat(s.get("bytesOut").asLong()).isPositive();
                }));
    }

    /** {@code /api/v1/workloads/{id}/instances/{instance}} of the workload's one running instance. */
    public static String runningInstance(Api api, String id) {
        String[] instance = new String[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode w = api.get("/api/v1/workloads/" + id).json();
            assertThat(w.get("instances")).as(w.toString()).hasSize(1);
            assertThat(w.get("instances").get(0).get("state").asString()).isEqualTo("RUNNING");
            instance[0] = w.get("instances").get(0).get("id").asString();
        });
        return "/api/v1/workloads/" + id + "/instances/" + instance[0];
    }

    private static List<JsonNode> onRecord(Api admin, String workloadId) {
        List<JsonNode> theirs = new ArrayList<>();
        for (JsonNode session : admin.get("/api/v1/audit/sessions?limit=500").json().get("items")) {
            if (session.get("workloadId").asString().equals(workloadId) && !session.get("endedAt").isNull()) {
                theirs.add(session);
            }
        }
        return theirs;
    }
}
