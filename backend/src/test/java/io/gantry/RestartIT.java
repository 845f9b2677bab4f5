package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.ServerContexts;
import io.gantry.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Closes the application and starts a new one on the same database: what was registered and
 * journaled survives, and an operation a dead process left RUNNING is FAILED with a reason.
 */
class RestartIT {
    private final String database = TestDatabase.newDatabase();

    @Test
    void engineCredentialsAndOperationJournalSurviveARestart() throws Exception {
        String engineId;
        String operationId;
        EngineConnectionSnapshot before;
        Map<String, String> key = Map.of("Idempotency-Key", "restart-scale-1");
        try (ConfigurableApplicationContext first = start()) {
            Api api = new Api(port(first));
            FakeEngine.named("restart-1").putQuietly(FakeEngine.workload("", "web", "nginx:1.27", 1, Map.of()));
            engineId = Engines.register(api, "restart-1", Map.of("token", "restart-secret-value"));
            Engines.awaitStatus(api, engineId, "UP");
            String workloadId = api.get("/api/v1/workloads?engine=restart-1").json().get("items").get(0).get("id").asString();
            Api.Response scale = api.post("/api/v1/workloads/" + workloadId + "/scale", Map.of("replicas", 3), key);
            operationId = scale.json().get("id").asString();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    api.get(scale.location()).json().get("state").asString().equals("SUCCEEDED"));
            before = EngineConnectionSnapshot.of(FakeEngine.named("restart-1"));
        }

        UUID crashed = UUID.randomUUID();
        try (Connection c = DriverManager.getConnection(database, "postgres", "")) {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT credentials FROM engines WHERE name = 'restart-1'")) {
                assertThat(rs.next()).isTrue();
                String stored = new String(rs.getBytes(1), StandardCharsets.ISO_8859_1);
                assertThat(stored).doesNotContain("restart-secret-value").doesNotContain("token");
            }
            // what a process that died mid-operation leaves behind
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO operations (id, action, engine_id, username, state, "
                    + "progress, message, created_at, updated_at) VALUES (?, 'restart', ?, 'admin', 'RUNNING', 10, "
                    + "'calling engine', now(), now())")) {
                ps.setObject(1, crashed);
                ps.setObject(2, UUID.fromString(engineId));
                ps.executeUpdate();
            }
        }

        try (ConfigurableApplicationContext second = start()) {
            Api api = new Api(port(second));
            JsonNode engine = Engines.awaitStatus(api, engineId, "UP");
            JsonNode declared = api.get("/api/v1/engines/declared-1").json();
            assertThat(declared.get("kind").asString()).isEqualTo("test");
            assertThat(api.get("/api/v1/engines").json().get("items")).hasSize(2);
            assertThat(FakeEngine.named("declared-1").lastConnection().credential("token")).isEqualTo("declared-token");
            assertThat(engine.get("name").asString()).isEqualTo("restart-1");
            // the new process decrypted the stored credentials with the same key and connected anew
            await().atMost(Duration.ofSeconds(5)).until(() -> !before.sameAs(FakeEngine.named("restart-1")));
            assertThat(FakeEngine.named("restart-1").lastConnection().credential("token")).isEqualTo("restart-secret-value");

            JsonNode journaled = api.get("/api/v1/operations/" + operationId).json();
            assertThat(journaled.get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(journaled.get("action").asString()).isEqualTo("scale");
            String workloadId = journaled.get("workloadId").asString();
            Api.Response repeated = api.post("/api/v1/workloads/" + workloadId + "/scale", Map.of("replicas", 3), key);
            assertThat(repeated.json().get("id").asString()).as("idempotency survives").isEqualTo(operationId);

            JsonNode failed = api.get("/api/v1/operations/" + crashed).json();
            assertThat(failed.get("state").asString()).isEqualTo("FAILED");
            assertThat(failed.get("message").asString()).isEqualTo("server restarted while the operation was running");
            assertThat(failed.get("finishedAt").isNull()).isFalse();
        }
    }

    private ConfigurableApplicationContext start() {
        // an engine declared in configuration is upserted at every start
        return ServerContexts.start(database, "--gantry.engines[0].name=declared-1", "--gantry.engines[0].kind=test",
                "--gantry.engines[0].endpoint=test://declared-1", "--gantry.engines[0].credentials.token=declared-token");
    }

    private static int port(ConfigurableApplicationContext context) {
        return ServerContexts.port(context);
    }

    /** Identity of the connection the fake engine last saw, to notice a new one. */
    private record EngineConnectionSnapshot(Object connection) {
        static EngineConnectionSnapshot of(FakeEngine engine) {
            return new EngineConnectionSnapshot(engine.lastConnection());
        }

        boolean sameAs(FakeEngine engine) {
            return engine.lastConnection() == connection;
        }
    }
}
