package io.gantry.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OperationApiIT extends IntegrationTest {

    @Test
    void scaleIsAsynchronousJournaledAndIdempotent() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("ops-1");
        fake.putQuietly(FakeEngine.workload("", "web", "nginx:1.27", 2, Map.of()));
        String engineId = Engines.register(api, "ops-1", Map.of());
        Engines.awaitStatus(api, engineId, "UP");
        String id = api.get("/api/v1/workloads?engine=ops-1").json().get("items").get(0).get("id").asString();

        Map<String, String> key = Map.of("Idempotency-Key", "scale-web-to-5");
        Api.Response first = api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 5), key);
        assertThat(first.status()).isEqualTo(202);
        JsonNode operation = first.json();
        assertThat(first.location()).isEqualTo("/api/v1/operations/" + operation.get("id").asString());
        assertThat(operation.get("action").asString()).isEqualTo("scale");
        assertThat(operation.get("workloadId").asString()).isEqualTo(id);
        assertThat(operation.get("engineId").asString()).isEqualTo(engineId);
        assertThat(operation.get("user").asString()).isNotBlank();

        Api.Response again = api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 5), key);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("id").asString()).isEqualTo(operation.get("id").asString());

        JsonNode done = Operations.await(api, first.location(), "SUCCEEDED");
        assertThat(done.get("progress").asInt()).isEqualTo(100);
        assertThat(done.get("finishedAt").asString()).endsWith("Z");
        assertThat(fake.calls().stream().filter(c -> c.startsWith("scale ")).toList()).containsExactly("scale /web 5");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                api.get("/api/v1/workloads/" + id).json().get("spec").get("replicas").asInt()).isEqualTo(5));

        assertThat(api.get("/api/v1/operations?workload=" + id).json().get("items")).hasSize(1);
        assertThat(api.get("/api/v1/operations?engine=ops-1&state=SUCCEEDED").json().get("total").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(api.get("/api/v1/operations?state=bogus").status()).isEqualTo(400);
    }

    @Test
    void deployRestartAndDeleteGoThroughTheEngine() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("ops-2");
        String engineId = Engines.register(api, "ops-2", Map.of());
        Engines.awaitStatus(api, engineId, "UP");

        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "ops-2", "namespace", "shop",
                "name", "cart", "kind", "service", "spec", Map.of("image", "cart:1", "replicas", 2,
                        "healthCheck", Map.of("type", "http", "path", "/", "port", 80))));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        JsonNode deployed = Operations.await(api, deploy.location(), "SUCCEEDED");
        String id = deployed.get("workloadId").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/workloads/" + id).status() == 200);

        Api.Response restart = api.post("/api/v1/workloads/" + id + "/restart", null);
        assertThat(restart.status()).isEqualTo(202);
        Operations.await(api, restart.location(), "SUCCEEDED");

        Api.Response delete = api.delete("/api/v1/workloads/" + id);
        assertThat(delete.status()).isEqualTo(202);
        Operations.await(api, delete.location(), "SUCCEEDED");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/workloads/" + id).status() == 404);
        assertThat(fake.calls()).contains("deploy cart", "restart shop/cart", "delete shop/cart");
    }

    @Test
    void aFailingEngineFailsTheOperationWithItsMessage() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("ops-3");
        fake.putQuietly(FakeEngine.workload("", "db", "postgres:17", 1, Map.of()));
        String engineId = Engines.register(api, "ops-3", Map.of());
        Engines.awaitStatus(api, engineId, "UP");
        String id = api.get("/api/v1/workloads?engine=ops-3").json().get("items").get(0).get("id").asString();
        fake.mode(FakeEngine.Mode.FAIL);
        try {
            Api.Response r = api.post("/api/v1/workloads/" + id + "/restart", null);
            JsonNode failed = Operations.await(api, r.location(), "FAILED");
            assertThat(failed.get("message").asString()).contains("ops-3").contains("connection refused");
        } finally {
            fake.mode(FakeEngine.Mode.OK);
        }
    }

    @Test
    void aDeployTheEngineRefusesIsA422JournalingNothingButARepeatedKeyStillGetsItsFirstOperation() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("ops-5");
        String engineId = Engines.register(api, "ops-5", Map.of());
        Engines.awaitStatus(api, engineId, "UP");
        Map<String, Object> cart = Map.of("engine", "ops-5", "namespace", "shop", "name", "cart",
                "spec", Map.of("image", "cart:1", "replicas", 1));
        Map<String, String> key = Map.of("Idempotency-Key", "deploy-cart-once");
        Api.Response first = api.post("/api/v1/workloads", cart, key);
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        Operations.await(api, first.location(), "SUCCEEDED");

        // the engine now refuses the name, but the repeated key is answered from the journal, unchecked
        Api.Response again = api.post("/api/v1/workloads", cart, key);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());

        Api.Response taken = api.post("/api/v1/workloads", cart);
        assertThat(taken.status()).as(taken.toString()).isEqualTo(422);
        assertThat(taken.contentType()).startsWith("application/problem+json");
        assertThat(taken.json().get("errors").toString()).contains("\"field\":\"name\"").contains("already exists");
        assertThat(api.get("/api/v1/operations?engine=ops-5").json().get("total").asInt()).isEqualTo(1);
        assertThat(fake.calls().stream().filter(c -> c.startsWith("deploy ")).toList()).containsExactly("deploy cart");
    }

    @Test
    void badActionInputIsA4xxProblem() {
        Api api = api();
        Engines.awaitStatus(api, Engines.register(api, "ops-4", Map.of()), "UP");
        Api.Response unknownEngine = api.post("/api/v1/workloads", Map.of("engine", "nope", "name", "x",
                "spec", Map.of("image", "x")));
        assertThat(unknownEngine.status()).isEqualTo(400);
        assertThat(unknownEngine.json().get("errors").toString()).contains("\"field\":\"engine\"");

        Api.Response badKind = api.post("/api/v1/workloads", Map.of("engine", "ops-4", "name", "x", "kind", "BLOB",
                "spec", Map.of("image", "x")));
        assertThat(badKind.status()).isEqualTo(400);
        assertThat(badKind.json().get("errors").toString()).contains("\"field\":\"kind\"");

        Api.Response noSpec = api.post("/api/v1/workloads", Map.of("engine", "ops-4", "name", "x"));
        assertThat(noSpec.status()).isEqualTo(400);
        assertThat(noSpec.json().get("errors").toString()).contains("\"field\":\"spec\"");

        Api.Response negative = api.post("/api/v1/workloads/00000000-0000-0000-0000-000000000000/scale",
                Map.of("replicas", -1));
        assertThat(negative.status()).isIn(400, 404);
        assertThat(negative.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/operations/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
    }

}
