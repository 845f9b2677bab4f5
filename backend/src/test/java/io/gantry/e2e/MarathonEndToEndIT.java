package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.gantry.marathon.MarathonTestServer;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.support.StreamRecorder;
import io.gantry.support.TcpProxy;
import tools.jackson.databind.JsonNode;

/**
 * Issue 6's "Done when", proven through Gantry's REST API against the stateful test Marathon: each test
 * has its own test server and engine name, so that they disturb no other test of the shared context.
 */
class MarathonEndToEndIT extends IntegrationTest {

    private static final String WEB = """
            {"id": "/e2e/web", "instances": 2, "cpus": 0.5, "mem": 128,
             "container": {"type": "DOCKER", "docker": {"image": "nginx:1.27"},
               "portMappings": [{"containerPort": 80, "hostPort": 0}]},
             "networks": [{"mode": "container/bridge"}], "labels": {"team": "shop"}}""";

    private final List<String> registered = new ArrayList<>();

    /** Each test's Marathon is gone after it: its engine would only keep retrying in the shared context. */
    @AfterEach
    void unregister() {
        registered.forEach(id -> api().delete("/api/v1/engines/" + id));
    }

    @Test
    void marathonAppsOperationsAndEventsGoThroughTheApi() throws Exception {
        Api api = api();
        try (MarathonTestServer marathon = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(100));
                StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.lines().contains(":connected"));
            assertThat(marathon.createApp(WEB)).isEqualTo(201);
            String engineId = register(api, "marathon-e2e", marathon.url(), Map.of());
            Engines.awaitStatus(api, engineId, "UP");

            JsonNode web = awaitWorkload(api, "marathon-e2e", "web", w -> phase(w).equals("RUNNING"));
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

            // An app posted straight to Marathon reaches the SSE stream through /v2/events: well before the next
            // full resync (30 s); delivery time is not a test's figure.
            marathon.createApp(WEB.replace("/e2e/web", "/e2e/pushed"));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> stream
                    .data("workload.updated").stream().anyMatch(d -> d.contains("\"nativeId\":\"/e2e/pushed\"")));

            // Gantry's operations land as Marathon calls. Each waits for the deployment of the one before:
            // Marathon refuses a change to an app a deployment still locks.
            Api.Response scale = api.post("/api/v1/workloads/" + webId + "/scale", Map.of("replicas", 3));
            assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
            Operations.await(api, scale.location(), "SUCCEEDED");
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("PUT /v2/apps/e2e/web"));
            awaitWorkload(api, "marathon-e2e", "web", w -> phase(w).equals("RUNNING")
                    && w.get("status").get("running").asInt() == 3);

            Api.Response restart = api.post("/api/v1/workloads/" + webId + "/restart", null);
            assertThat(restart.status()).as(restart.toString()).isEqualTo(202);
            Operations.await(api, restart.location(), "SUCCEEDED");
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("POST /v2/apps/e2e/web/restart"));

            Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "marathon-e2e", "namespace", "e2e",
                    "name", "cart", "kind", "service", "spec", Map.of("image", "cart:1", "replicas", 1,
                            "resources", Map.of("cpuMillis", 250, "memoryBytes", 64L * 1024 * 1024))));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            String cartId = Operations.await(api, deploy.location(), "SUCCEEDED").get("workloadId").asString();
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("POST /v2/apps"));
            JsonNode cart = awaitWorkload(api, "marathon-e2e", "cart", w -> phase(w).equals("RUNNING"));
            assertThat(cart.get("id").asString()).isEqualTo(cartId);
            assertThat(cart.get("spec").get("resources").get("cpuMillis").asLong()).isEqualTo(250);

            Api.Response delete = api.delete("/api/v1/workloads/" + cartId);
            assertThat(delete.status()).isEqualTo(202);
            Operations.await(api, delete.location(), "SUCCEEDED");
            assertThat(marathon.requests()).anyMatch(r -> r.startsWith("DELETE /v2/apps/e2e/cart"));
            await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/v1/workloads/" + cartId).status() == 404);

            // A dropped event stream is re-established, and what changed in the gap is resynced.
            marathon.dropEventStreams();
            marathon.createApp(WEB.replace("/e2e/web", "/e2e/during-gap"));
            await().atMost(Duration.ofSeconds(10)).until(() -> marathon.openEventStreams() == 1);
            awaitWorkload(api, "marathon-e2e", "during-gap", w -> true);
        }
    }

    /**
     * Marathon behind a proxy that is stopped: the engine is DOWN within 10 s and its workloads are stale.
     * What changes meanwhile is there once the proxy serves again.
     */
    @Test
    void anUnreachableMarathonIsDownWithinTenSecondsAndResyncedWhenBack() {
        Api api = api();
        try (MarathonTestServer marathon = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(100));
                TcpProxy proxy = TcpProxy.to("127.0.0.1", URI.create(marathon.url()).getPort())) {
            marathon.createApp(WEB);
            marathon.createApp(WEB.replace("/e2e/web", "/e2e/doomed"));
            String engineId = register(api, "marathon-e2e-outage", "http://127.0.0.1:" + proxy.port(), Map.of());
            Engines.awaitStatus(api, engineId, "UP");
            awaitWorkload(api, "marathon-e2e-outage", "doomed", w -> phase(w).equals("RUNNING"));

            proxy.stop();
            JsonNode down = awaitEngine(api, engineId, "DOWN", Duration.ofSeconds(10));
            assertThat(down.get("message").asString()).contains("did not answer", "/v2/info");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    workloads(api, "marathon-e2e-outage")).isNotEmpty().allMatch(w -> w.get("stale").asBoolean()));

            marathon.createApp(WEB.replace("/e2e/web", "/e2e/while-down"));
            assertThat(callMarathon(marathon, "DELETE", "/v2/apps/e2e/doomed").statusCode()).isEqualTo(200);

            proxy.start();
            awaitEngine(api, engineId, "UP", Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(workloads(api, "marathon-e2e-outage"))
                    .extracting(w -> w.get("name").asString()).containsExactlyInAnyOrder("web", "while-down"));
            assertThat(workloads(api, "marathon-e2e-outage")).noneMatch(w -> w.get("stale").asBoolean());
        }
    }

    /** Every Marathon answering 503 (a leader election) is an outage too, named in the engine's message. */
    @Test
    void aMarathonWithoutLeaderIsDownWithinTenSeconds() {
        Api api = api();
        try (MarathonTestServer marathon = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(100))) {
            marathon.createApp(WEB);
            String engineId = register(api, "marathon-e2e-503", marathon.url(), Map.of());
            Engines.awaitStatus(api, engineId, "UP");
            awaitWorkload(api, "marathon-e2e-503", "web", w -> true);

            marathon.leaderless(true);
            JsonNode down = awaitEngine(api, engineId, "DOWN", Duration.ofSeconds(10));
            assertThat(down.get("message").asString()).contains("503", "Could not determine the current leader");

            marathon.leaderless(false);
            awaitEngine(api, engineId, "UP", Duration.ofSeconds(10));
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
            String engineId = register(api, "marathon-e2e-422", marathon.url(), Map.of());
            Engines.awaitStatus(api, engineId, "UP");
            Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "marathon-e2e-422",
                    "namespace", "e2e", "name", "bad", "kind", "service", "spec", Map.of("image", "bad:1",
                            "replicas", 1, "constraints", List.of("hostname:NOT_AN_OPERATOR"))));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            JsonNode failed = Operations.await(api, deploy.location(), "FAILED");
            assertThat(failed.get("message").asString()).contains("Marathon rejected '/e2e/bad'", "Object is not valid",
                    "spec.constraints[0]", "Constraint operator must be one of");
        }
    }

    /**
     * A change to an app that a deployment locks fails naming the deployment; with the engine option
     * {@code force=true} (the API has no per-call force) the same change goes through and cancels it.
     */
    @Test
    void aLockedAppFailsNamingTheDeploymentUnlessTheEngineForcesIt() {
        Api api = api();
        try (MarathonTestServer marathon = MarathonTestServer.start().deploymentDelay(Duration.ofSeconds(60))) {
            marathon.createApp(WEB.replace("/e2e/web", "/e2e/locked"));
            String endpoint = marathon.url();
            String engineId = register(api, "marathon-e2e-409", endpoint, Map.of());
            Engines.awaitStatus(api, engineId, "UP");
            String id = awaitWorkload(api, "marathon-e2e-409", "locked", w -> phase(w).equals("DEPLOYING"))
                    .get("id").asString();
            String deployment = Api.JSON.readTree(callMarathon(marathon, "GET", "/v2/deployments").body())
                    .get(0).get("id").asString();

            Api.Response scale = api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 1));
            assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
            JsonNode failed = Operations.await(api, scale.location(), "FAILED");
            assertThat(failed.get("message").asString()).contains("locked by Marathon deployment " + deployment,
                    "force=true");

            Api.Response forced = api.put("/api/v1/engines/" + engineId, Map.of("name", "marathon-e2e-409",
                    "kind", "marathon", "endpoint", endpoint, "labels", Map.of("env", "e2e"),
                    "options", Map.of("force", "true")));
            assertThat(forced.status()).as(forced.toString()).isEqualTo(200);
            Engines.awaitStatus(api, engineId, "UP");
            Api.Response again = api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 1));
            Operations.await(api, again.location(), "SUCCEEDED");
            assertThat(marathon.requests()).contains("PUT /v2/apps/e2e/locked?force=true");
            awaitWorkload(api, "marathon-e2e-409", "locked", w -> w.get("spec").get("replicas").asInt() == 1);
        }
    }

    private String register(Api api, String name, String url, Map<String, String> options) {
        Api.Response r = api.post("/api/v1/engines", Map.of("name", name, "kind", "marathon", "endpoint", url,
                "labels", Map.of("env", "e2e"), "credentials", Map.of(), "options", options));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        registered.add(id);
        return id;
    }

    private static String phase(JsonNode workload) {
        return workload.get("status").get("phase").asString();
    }

    private static List<JsonNode> workloads(Api api, String engine) {
        Api.Response r = api.get("/api/v1/workloads?limit=500&engine=" + engine);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("items").valueStream().toList();
    }

    private static JsonNode awaitWorkload(Api api, String engine, String name, Predicate<JsonNode> ready) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (JsonNode w : workloads(api, engine)) {
                if (w.get("name").asString().equals(name) && ready.test(w)) {
                    found[0] = w;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static JsonNode awaitEngine(Api api, String id, String status, Duration within) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(within).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last[0] = api.get("/api/v1/engines/" + id).json();
            assertThat(last[0].get("status").asString()).as(last[0].toString()).isEqualTo(status);
        });
        return last[0];
    }

    /** Marathon's own API, as someone other than Gantry uses it. */
    private static HttpResponse<String> callMarathon(MarathonTestServer marathon, String method, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(marathon.url() + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
