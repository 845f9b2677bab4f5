package io.gantry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

class EngineApiIT extends IntegrationTest {
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void registersAnEngineWithEncryptedWriteOnlyCredentials() {
        Api api = api();
        Api.Response created = api.post("/api/v1/engines", Map.of("name", "reg-1", "kind", "test",
                "endpoint", "test://reg-1", "labels", Map.of("env", "prod"),
                "credentials", Map.of("token", "s3cr3t-token-value")));

        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(created.location()).isEqualTo("/api/v1/engines/" + id);
        assertThat(created.body()).doesNotContain("s3cr3t-token-value").doesNotContain("credentials");

        JsonNode engine = Engines.awaitStatus(api, id, "UP");
        assertThat(engine.get("kind").asString()).isEqualTo("test");
        assertThat(engine.get("labels").get("env").asString()).isEqualTo("prod");
        assertThat(engine.get("syncOwner").asString()).isNotBlank();
        assertThat(engine.get("capabilities").toString()).contains("\"scale\"");
        assertThat(api.get("/api/v1/engines/reg-1").json().get("id").asString()).as("by name").isEqualTo(id);
        assertThat(api.get("/api/v1/engines").body()).contains("reg-1").doesNotContain("s3cr3t-token-value");

        // the adapter got the decrypted credentials; the store holds only ciphertext
        assertThat(FakeEngine.named("reg-1").lastConnection().credential("token")).isEqualTo("s3cr3t-token-value");
        byte[] stored = jdbc.queryForObject("SELECT credentials FROM engines WHERE name = 'reg-1'", byte[].class);
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    }

    @Test
    void listsNodesAndUpdatesAndDeletes() {
        Api api = api();
        String id = Engines.register(api, "reg-2", Map.of("token", "t"));
        assertThat(api.get("/api/v1/engines/" + id + "/nodes").json().get("items").get(0).get("name").asString())
                .isEqualTo("node-1");

        Api.Response updated = api.put("/api/v1/engines/" + id, Map.of("name", "reg-2b", "kind", "test",
                "endpoint", "test://reg-2"));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("name").asString()).isEqualTo("reg-2b");
        assertThat(FakeEngine.named("reg-2").lastConnection()).isNotNull();

        assertThat(api.delete("/api/v1/engines/" + id).status()).isEqualTo(204);
        Api.Response gone = api.get("/api/v1/engines/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.contentType()).startsWith("application/problem+json");
    }

    @Test
    void unknownKindIsA400NamingKind() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "bad-kind", "kind", "nomad",
                "endpoint", "http://x"));
        assertProblem(r, 400, "kind");
    }

    @Test
    void malformedEndpointIsA400NamingEndpointFromTheAdapter() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "bad-endpoint", "kind", "test",
                "endpoint", "http://not-a-test-endpoint"));
        assertProblem(r, 400, "endpoint");
    }

    @Test
    void anEndpointWithAPasswordIsRefusedSoItCannotLeak() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "userinfo", "kind", "test",
                "endpoint", "https://admin:hunter2@10.0.0.1:6443"));
        assertProblem(r, 400, "endpoint");
        assertThat(r.body()).doesNotContain("hunter2");
    }

    @Test
    void aBadCallTimeoutOptionIsA400NamingIt() {
        Api.Response r = api().post("/api/v1/engines", Map.of("name", "bad-timeout", "kind", "test",
                "endpoint", "test://bad-timeout", "options", Map.of("callTimeout", "soon")));
        assertProblem(r, 400, "options.callTimeout");
    }

    @Test
    void missingFieldsAreA400WithFieldErrors() {
        Api.Response r = api().post("/api/v1/engines", Map.of("kind", "test"));
        assertProblem(r, 400, "name");
        assertThat(r.json().get("errors").toString()).contains("endpoint");
    }

    @Test
    void duplicateNameIsA409() {
        Api api = api();
        Engines.register(api, "reg-dup", Map.of());
        Api.Response r = api.post("/api/v1/engines", Map.of("name", "reg-dup", "kind", "test",
                "endpoint", "test://reg-dup"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void malformedJsonIsA400() {
        Api.Response r = api().post("/api/v1/engines", "{\"name\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("title").asString()).isNotBlank();
        assertThat(r.body()).doesNotContain("at io.gantry").doesNotContain("Exception");
    }

    @Test
    void oversizedBodyIsA413() {
        String big = "{\"name\":\"" + "x".repeat(1_100_000) + "\"}";
        Api.Response r = api().post("/api/v1/engines", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(413);
    }

    @Test
    void anUnknownApiRouteIsA404Problem() {
        Api.Response r = api().get("/api/v1/no-such-thing");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains("/api/v1/no-such-thing");
    }

    @Test
    void healthNamesEveryEngineAndThisReplica() {
        Api api = api();
        String id = Engines.register(api, "reg-health", Map.of());
        Engines.awaitStatus(api, id, "UP");
        JsonNode health = api.get("/api/v1/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("replica").asString()).isNotBlank();
        assertThat(health.get("engines").get("reg-health").asString()).isEqualTo("UP");
    }

    static void assertProblem(Api.Response r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode body = r.json();
        assertThat(body.get("type").asString()).isNotBlank();
        assertThat(body.get("title").asString()).isNotBlank();
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("detail").asString()).isNotBlank();
        assertThat(body.get("errors").toString()).contains("\"field\":\"" + field + "\"");
    }
}
