package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gantry.marathon.MarathonTestServer;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import io.gantry.support.StreamRecorder;
import tools.jackson.databind.JsonNode;

/** Issue 6's "Done when", proven through Gantry's REST API against the stateful test Marathon. */
class MarathonEndToEndIT extends IntegrationTest {

    private static final String WEB = """
            {"id": "/e2e/web", "instances": 2, "cpus": 0.5, "mem": 128,
             "container": {"type": "DOCKER", "docker": {"image": "nginx:1.27"},
               "portMappings": [{"containerPort": 80, "hostPort": 0}]},
             "networks": [{"mode": "container/bridge"}], "labels": {"team": "shop"}}""";

    @Test
    void marathonAppsOperationsAndEventsGoThroughTheApi() throws Exception {
        Api api = api();
        try (MarathonTestServer marathon = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(100));
                StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            assertThat(marathon.createApp(WEB)).isEqualTo(201);
            String engineId = register(api, "marathon-e2e", marathon.url());
            Engines.awaitStatus(api, engineId, "UP");

            JsonNode web = awaitWorkload(api, "web", w -> w.get("status").get("phase").asString().equals("RUNNING"));
            assertThat(web.get("namespace").asString()).isEqualTo("e2e");
            assertThat(web.get("nativeId").asString()).isEqualTo("/e2e/web");
            assertThat(web.get("kind").asString()).isEqualTo("SERVICE");
            assertThat(web.get("engine").get("kind").asString()).isEqualTo("marathon");
            assertThat(web.get("labels").get("team").asString()).isEqualTo("shop");
            assertThat(web.get("spec").get("image").asString()).isEqualTo("nginx:1.27");
            assertThat(web.get("spec").get("replicas").asInt()).isEqualTo(2);
            assertThat(web.get("spec").get("resources").get("cpuMillis").asLong()).isEqualTo(500);
            assertThat(web.get("spec").get("resources").get("memoryBytes").asLong()).isEqualTo(128L * 1024 * 1024);
            assertThat(web.get("status").get("running").asInt()).isEqualTo(2);
            assertThat(web.get("stale").asBoolean()).isFalse();
            String webId = web.get("id").asString();

            // An app posted straight to Marathon reaches the SSE stream through /v2/events within 1 s.
            marathon.createApp(WEB.replace("/e2e/web", "/e2e/pushed"));
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> stream
                    .data("workload.updated").stream().anyMatch(d -> d.contains("\"nativeId\":\"/e2e/pushed\"")));

            // Gantry's operations land as Marathon calls.
            Api.Response scale = api.post("/api/v1/workloads/" + webId + "/scale", Map.of("replicas", 3));
            assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
            awaitOperation(api, scale.location(), "SUCCEEDED");
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("PUT /v2/apps/e2e/web"));
            await().atMost(Duration.ofSeconds(5)).until(() -> marathon.runningTasks() >= 3 + 2);

            Api.Response restart = api.post("/api/v1/workloads/" + webId + "/restart", null);
            assertThat(restart.status()).as(restart.toString()).isEqualTo(202);
            awaitOperation(api, restart.location(), "SUCCEEDED");
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("POST /v2/apps/e2e/web/restart"));

            Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "marathon-e2e", "namespace", "e2e",
                    "name", "cart", "kind", "service", "spec", Map.of("image", "cart:1", "replicas", 1,
                            "resources", Map.of("cpuMillis", 250, "memoryBytes", 64L * 1024 * 1024))));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            String cartId = awaitOperation(api, deploy.location(), "SUCCEEDED").get("workloadId").asString();
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("POST /v2/apps"));
            await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/v1/workloads/" + cartId).status() == 200);

            Api.Response delete = api.delete("/api/v1/workloads/" + cartId);
            assertThat(delete.status()).isEqualTo(202);
            awaitOperation(api, delete.location(), "SUCCEEDED");
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("DELETE /v2/apps/e2e/cart"));
            await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/v1/workloads/" + cartId).status() == 404);

            // A dropped event stream is re-established, and what changed meanwhile is resynced.
            marathon.dropEventStreams();
            marathon.createApp(WEB.replace("/e2e/web", "/e2e/during-gap"));
            await().atMost(Duration.ofSeconds(10)).until(() -> marathon.openEventStreams() == 1);
            awaitWorkload(api, "during-gap", w -> true);
        }
    }

    /**
     * The workload API is asynchronous: Marathon's 422 arrives after the 202, so it surfaces as a FAILED
     * operation carrying Marathon's message and each field Marathon rejected.
     */
    @Test
    void marathonValidationErrorsFailTheOperationWithTheirFieldMessages() {
        Api api = api();
        try (MarathonTestServer marathon = MarathonTestServer.start()) {
            String engineId = register(api, "marathon-e2e-422", marathon.url());
            Engines.awaitStatus(api, engineId, "UP");
            Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "marathon-e2e-422",
                    "namespace", "e2e", "name", "bad", "kind", "service", "spec", Map.of("image", "bad:1",
                            "replicas", 1, "constraints", List.of("hostname:NOT_AN_OPERATOR"))));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            JsonNode failed = awaitOperation(api, deploy.location(), "FAILED");
            assertThat(failed.get("message").asString()).contains("Marathon rejected '/e2e/bad'", "Object is not valid",
                    "Constraint operator must be one of");
        }
    }

    private static String register(Api api, String name, String url) {
        Api.Response r = api.post("/api/v1/engines", Map.of("name", name, "kind", "marathon", "endpoint", url,
                "labels", Map.of("env", "e2e"), "credentials", Map.of()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    private static JsonNode awaitWorkload(Api api, String name, java.util.function.Predicate<JsonNode> ready) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (JsonNode w : api.get("/api/v1/workloads?engineKind=marathon&namespace=e2e").json().get("items")) {
                if (w.get("name").asString().equals(name) && ready.test(w)) {
                    found[0] = w;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static JsonNode awaitOperation(Api api, String location, String state) {
        JsonNode[] op = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            op[0] = api.get(location).json();
            assertThat(op[0].get("state").asString()).as(op[0].toString()).isEqualTo(state);
        });
        return op[0];
    }
}
