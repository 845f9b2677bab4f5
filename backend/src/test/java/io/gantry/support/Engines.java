package io.gantry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Registers fake engines through the API and waits for their sync. */
public final class Engines {
    private Engines() {
    }

    /** Registers engine {@code name} of kind {@code test} backed by {@link FakeEngine#named(String)}; returns its id. */
    public static String register(Api api, String name, Map<String, String> credentials) {
        Api.Response r = api.post("/api/v1/engines", Map.of("name", name, "kind", FakeEngineAdapter.KIND,
                "endpoint", "test://" + name, "labels", Map.of("env", "test"), "credentials", credentials));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    /** Waits until the engine has finished a full sync with the given status. */
    public static JsonNode awaitStatus(Api api, String id, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last[0] = api.get("/api/v1/engines/" + id).json();
            assertThat(last[0].get("status").asString()).isEqualTo(status);
        });
        return last[0];
    }
}
