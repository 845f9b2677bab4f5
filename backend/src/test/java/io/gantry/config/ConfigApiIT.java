package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.config.ConfigKind;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.support.StreamRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * Issue 21: secrets and configs through the API on the test engine: metadata for readers, CONFIG values for
 * operators, SECRET values for nobody; rotation as an operation; deletion refused while workloads use the object;
 * references in specs checked; grants cut everything; and a value sent in appears in no answer, audit entry,
 * operation, event, stream line or log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ConfigApiIT extends IntegrationTest {
    private static final String ENGINE = "cfg-a";
    private static final String BARE = "cfg-bare";

    private final FakeEngine engine = FakeEngine.named(ENGINE);
    /** Every answer a test got, to search for values afterwards. */
    private final List<String> answers = new ArrayList<>();

    @BeforeAll
    void engines() {
        Engines.awaitStatus(api(), Engines.register(api(), ENGINE, Map.of()), "UP");
        FakeEngine.named(BARE).without(Capability.SECRETS, Capability.CONFIGS);
        Engines.awaitStatus(api(), Engines.register(api(), BARE, Map.of()), "UP");
    }

    @Test
    void aSecretIsCreatedListedRotatedAndItsValueLeaksNowhere(CapturedOutput output) throws Exception {
        String value = "v-" + UUID.randomUUID();
        String rotated = "r-" + UUID.randomUUID();
        List<String> values = List.of(value, rotated);
        try (StreamRecorder stream = new StreamRecorder(api(), "/api/v1/stream")) {
            Api.Response created = seen(api().post("/api/v1/configs", Map.of("engine", ENGINE, "namespace", "shop",
                    "name", "db-pass", "kind", "secret", "data", Map.of("password", value, "user", "app-" + value))));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            JsonNode secret = created.json();
            String id = secret.get("id").asString();
            assertThat(created.location()).endsWith("/api/v1/configs/" + id);
            assertThat(secret.get("kind").asString()).isEqualTo("SECRET");
            assertThat(secret.get("keys").toString()).isEqualTo("[\"password\",\"user\"]");
            assertThat(secret.has("data")).isFalse();
            assertThat(engine.configData("shop", "db-pass", ConfigKind.SECRET).orElseThrow()).containsEntry("password", value);

            JsonNode listed = seen(api().get("/api/v1/configs?engine=" + ENGINE + "&namespace=shop&kind=SECRET")).json();
            assertThat(listed.get("items")).hasSize(1);
            assertThat(listed.get("items").get(0).get("id").asString()).isEqualTo(id);
            assertThat(seen(api().get("/api/v1/configs/" + id)).json().has("data")).as("an admin reads no secret").isFalse();

            // the same name again: a 409 that repeats no value
            Api.Response again = seen(api().post("/api/v1/configs", Map.of("engine", ENGINE, "namespace", "shop",
                    "name", "db-pass", "kind", "SECRET", "data", Map.of("password", value))));
            assertThat(again.status()).as(again.toString()).isEqualTo(409);

            Api.Response rotation = seen(api().put("/api/v1/configs/" + id + "/data",
                    Map.of("data", Map.of("password", rotated))));
            assertThat(rotation.status()).as(rotation.toString()).isEqualTo(202);
            JsonNode done = Operations.await(api(), rotation.location(), "SUCCEEDED");
            answers.add(done.toString());
            assertThat(done.get("action").asString()).isEqualTo("rotate");
            assertThat(done.get("message").asString()).contains("db-pass").contains("password");
            assertThat(engine.configData("shop", "db-pass", ConfigKind.SECRET).orElseThrow())
                    .isEqualTo(Map.of("password", rotated));
            assertThat(seen(api().get("/api/v1/configs/" + id)).json().get("keys").toString()).isEqualTo("[\"password\"]");

            // error paths, each with a value in the request
            Api.Response badKey = seen(api().put("/api/v1/configs/" + id + "/data",
                    Map.of("data", Map.of("bad key!", value))));
            assertThat(badKey.status()).isEqualTo(400);
            assertThat(badKey.json().get("errors").get(0).get("field").asString()).isEqualTo("data.bad key!");
            engine.failNextConfigWrite(new EngineConflictException(ENGINE + ": the object is being changed"));
            Api.Response refused = seen(api().put("/api/v1/configs/" + id + "/data", Map.of("data", Map.of("password", value))));
            answers.add(Operations.await(api(), refused.location(), "FAILED").toString());
            engine.failNextConfigWrite(new EngineConflictException(ENGINE + ": refused"));
            Api.Response refusedCreate = seen(api().post("/api/v1/configs", Map.of("engine", ENGINE, "namespace", "shop",
                    "name", "other", "kind", "SECRET", "data", Map.of("k", value))));
            assertThat(refusedCreate.status()).as(refusedCreate.toString()).isEqualTo(409);

            assertThat(seen(api().delete("/api/v1/configs/" + id)).status()).isEqualTo(204);
            assertThat(engine.configData("shop", "db-pass", ConfigKind.SECRET)).isEmpty();
            assertThat(seen(api().get("/api/v1/configs/" + id)).status()).isEqualTo(404);

            Thread.sleep(300);
            List<String> places = new ArrayList<>(answers);
            places.add(api().get("/api/v1/audit?limit=500").body());
            places.add(api().get("/api/v1/operations?limit=200").body());
            places.add(api().get("/api/v1/events?limit=500").body());
            places.addAll(stream.lines());
            places.add(output.getAll());
            for (String place : places) {
                for (String v : values) {
                    assertThat(place).as("a value leaked").doesNotContain(v);
                }
            }
            assertThat(stream.lines()).as("the stream carried the rotation").anyMatch(l -> l.contains("rotate"));
            assertThat(output.getAll()).as("the log was captured").contains("db-pass");
            JsonNode audit = api().get("/api/v1/audit?limit=500").json().get("items");
            assertThat(audit.toString()).as("the audit names the keys").contains("POST /api/v1/configs")
                    .contains("PUT /api/v1/configs/{id}/data").contains("\"password\"");
        }
    }

    @Test
    void aConfigsValuesAreReadByOperatorsOnly() {
        JsonNode config = created(Map.of("engine", ENGINE, "namespace", "web", "name", "nginx-conf", "kind", "CONFIG",
                "data", Map.of("nginx.conf", "worker_processes 1;")));
        String id = config.get("id").asString();
        assertThat(api().get("/api/v1/configs/" + id).json().get("data").get("nginx.conf").asString())
                .isEqualTo("worker_processes 1;");
        Api viewer = new Api(port, userToken("cfg-viewer", "VIEWER"));
        JsonNode seenByViewer = viewer.get("/api/v1/configs/" + id).json();
        assertThat(seenByViewer.get("name").asString()).isEqualTo("nginx-conf");
        assertThat(seenByViewer.has("data")).isFalse();
        assertThat(viewer.delete("/api/v1/configs/" + id).status()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/configs", Map.of("engine", ENGINE, "name", "x", "kind", "CONFIG",
                "data", Map.of("a", "b"))).status()).isEqualTo(403);
    }

    @Test
    void badInputNamesTheFieldAndAnEngineWithoutTheCapabilityIs422() {
        assertField(api().post("/api/v1/configs", Map.of("engine", ENGINE, "name", "Not_A_Name", "kind", "SECRET",
                "data", Map.of("a", "b"))), "name");
        assertField(api().post("/api/v1/configs", Map.of("engine", ENGINE, "name", "n", "kind", "PASSWORD",
                "data", Map.of("a", "b"))), "kind");
        assertField(api().post("/api/v1/configs", Map.of("engine", ENGINE, "name", "n", "kind", "SECRET",
                "data", Map.of())), "data");
        assertField(api().post("/api/v1/configs", Map.of("engine", ENGINE, "name", "n", "kind", "SECRET",
                "data", Map.of("big", "x".repeat(ConfigRequests.MAX_VALUE_BYTES + 1)))), "data.big");
        assertField(api().post("/api/v1/configs", Map.of("engine", "nope", "name", "n", "kind", "SECRET",
                "data", Map.of("a", "b"))), "engine");
        assertField(api().get("/api/v1/configs?kind=other"), "kind");
        Api.Response bare = api().post("/api/v1/configs", Map.of("engine", BARE, "name", "n", "kind", "SECRET",
                "data", Map.of("a", "b")));
        assertThat(bare.status()).as(bare.toString()).isEqualTo(422);
        assertThat(bare.json().get("type").asString()).endsWith("/unsupported-capability");
        assertThat(api().get("/api/v1/configs/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void aWorkloadReferencingAnObjectIsItsUserAndKeepsItFromDeletion() {
        JsonNode secret = created(Map.of("engine", ENGINE, "namespace", "pay", "name", "api-key", "kind", "SECRET",
                "data", Map.of("key", "k-1")));
        String id = secret.get("id").asString();
        Api.Response deploy = api().post("/api/v1/workloads", Map.of("engine", ENGINE, "namespace", "pay",
                "name", "payments", "kind", "service", "spec", Map.of("image", "pay:1", "replicas", 1,
                        "secrets", List.of(Map.of("source", "api-key", "kind", "SECRET", "key", "key", "env", "API_KEY"),
                                Map.of("source", "api-key", "path", "/run/secrets/api", "mode", 0400)))));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String workloadId = Operations.await(api(), deploy.location(), "SUCCEEDED").get("workloadId").asString();
        JsonNode refs = api().get("/api/v1/workloads/" + workloadId).json().get("spec").get("secrets");
        assertThat(refs.get(0).get("source").asString()).isEqualTo("api-key");
        assertThat(refs.get(0).get("env").asString()).isEqualTo("API_KEY");
        assertThat(refs.get(1).get("path").asString()).isEqualTo("/run/secrets/api");
        assertThat(refs.get(1).get("mode").asInt()).isEqualTo(0400);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api().get("/api/v1/configs/" + id).json()
                .get("usedBy").toString()).contains(workloadId).contains("payments"));
        Api.Response refused = api().delete("/api/v1/configs/" + id);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("usedBy").get(0).get("name").asString()).isEqualTo("payments");
        assertThat(engine.configData("pay", "api-key", ConfigKind.SECRET)).isPresent();

        // a CONFIG of the same name is another object: the workload does not use it
        JsonNode config = created(Map.of("engine", ENGINE, "namespace", "pay", "name", "api-key", "kind", "CONFIG",
                "data", Map.of("x", "y")));
        assertThat(config.get("usedBy")).isEmpty();

        Operations.await(api(), api().delete("/api/v1/workloads/" + workloadId).location(), "SUCCEEDED");
        assertThat(api().delete("/api/v1/configs/" + id).status()).isEqualTo(204);
    }

    @Test
    void referencesInASpecAreCheckedWhereverASpecComesIn() {
        Map<String, Object> bad = Map.of("engine", ENGINE, "namespace", "ref", "name", "w", "spec", Map.of(
                "image", "w:1", "secrets", List.of(
                        Map.of("source", "", "env", "X"),
                        Map.of("source", "s", "env", "Y", "key", "k", "path", "/etc/y"),
                        Map.of("source", "s", "path", "relative/file", "mode", 01000))));
        Api.Response r = api().post("/api/v1/workloads", bad);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(fields(r)).contains("spec.secrets[0].source", "spec.secrets[0].key", "spec.secrets[1].path",
                "spec.secrets[2].path", "spec.secrets[2].mode");

        Map<String, Object> missing = Map.of("engine", ENGINE, "namespace", "ref", "name", "w", "spec", Map.of(
                "image", "w:1", "secrets", List.of(Map.of("source", "nowhere", "env", "X", "key", "k"))));
        Api.Response absent = api().post("/api/v1/workloads", missing);
        assertThat(absent.status()).as(absent.toString()).isEqualTo(400);
        assertThat(fields(absent)).containsExactly("spec.secrets[0].source");

        // an update, its dry run and an import refuse it the same way
        Api.Response deploy = api().post("/api/v1/workloads", Map.of("engine", ENGINE, "namespace", "ref",
                "name", "plain", "spec", Map.of("image", "p:1")));
        String workloadId = Operations.await(api(), deploy.location(), "SUCCEEDED").get("workloadId").asString();
        Map<String, Object> spec = Map.of("spec", Map.of("image", "p:2", "secrets",
                List.of(Map.of("source", "nowhere", "path", "/etc/conf"))));
        assertThat(fields(api().put("/api/v1/workloads/" + workloadId + "/spec", spec)))
                .containsExactly("spec.secrets[0].source");
        assertThat(fields(api().put("/api/v1/workloads/" + workloadId + "/spec?dryRun=true", spec)))
                .containsExactly("spec.secrets[0].source");

        created(Map.of("engine", ENGINE, "namespace", "ref", "name", "there", "kind", "CONFIG", "data", Map.of("a", "b")));
        Api.Response ok = api().put("/api/v1/workloads/" + workloadId + "/spec?dryRun=true", Map.of("spec",
                Map.of("image", "p:2", "secrets", List.of(Map.of("source", "there", "kind", "CONFIG", "path", "/etc/conf")))));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.body()).contains("secrets");
    }

    @Test
    void aCopyCarriesItsReferencesAndNeedsTheObjectsOnTheTarget() {
        String target = "cfg-b";
        Engines.awaitStatus(api(), Engines.register(api(), target, Map.of()), "UP");
        created(Map.of("engine", ENGINE, "namespace", "copy", "name", "copy-s", "kind", "SECRET", "data", Map.of("k", "v")));
        Api.Response deploy = api().post("/api/v1/workloads", Map.of("engine", ENGINE, "namespace", "copy",
                "name", "with-ref", "spec", Map.of("image", "c:1", "runtime", "runc", "secrets",
                        List.of(Map.of("source", "copy-s", "env", "K", "key", "k")))));
        String workloadId = Operations.await(api(), deploy.location(), "SUCCEEDED").get("workloadId").asString();

        Api.Response refused = api().post("/api/v1/workloads/" + workloadId + "/copy", Map.of("targetEngine", target));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(fields(refused)).containsExactly("spec.secrets[0].source");

        created(Map.of("engine", target, "namespace", "copy", "name", "copy-s", "kind", "SECRET", "data", Map.of("k", "w")));
        Api.Response copy = api().post("/api/v1/workloads/" + workloadId + "/copy", Map.of("targetEngine", target));
        assertThat(copy.status()).as(copy.toString()).isEqualTo(202);
        Operations.await(api(), copy.location(), "SUCCEEDED", Duration.ofSeconds(20));
        assertThat(FakeEngine.named(target).current("copy/with-ref").orElseThrow().spec().secrets())
                .extracting(r -> r.source() + ":" + r.env()).containsExactly("copy-s:K");
    }

    @Test
    void aScopedUserSeesAndChangesOnlyWithinTheirGrants() {
        created(Map.of("engine", ENGINE, "namespace", "team-in", "name", "in-conf", "kind", "CONFIG",
                "data", Map.of("a", "in")));
        JsonNode outside = created(Map.of("engine", ENGINE, "namespace", "team-out", "name", "out-conf", "kind", "CONFIG",
                "data", Map.of("a", "out")));
        String token = userToken("cfg-scoped", "NONE");
        assertThat(api().post("/api/v1/grants", Map.of("user", "cfg-scoped", "role", "OPERATOR", "engine", ENGINE,
                "namespace", "team-in")).status()).isEqualTo(201);
        Api scoped = new Api(port, token);

        JsonNode items = scoped.get("/api/v1/configs").json().get("items");
        assertThat(items).extracting(i -> i.get("namespace").asString()).containsOnly("team-in");
        String inside = items.get(0).get("id").asString();
        assertThat(scoped.get("/api/v1/configs/" + inside).json().get("data").get("a").asString()).isEqualTo("in");
        assertThat(scoped.get("/api/v1/configs/" + outside.get("id").asString()).status()).isEqualTo(404);
        assertThat(scoped.delete("/api/v1/configs/" + outside.get("id").asString()).status()).isEqualTo(404);
        Api.Response elsewhere = scoped.post("/api/v1/configs", Map.of("engine", ENGINE, "namespace", "team-out",
                "name", "sneaky", "kind", "CONFIG", "data", Map.of("a", "b")));
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(403);
        Api.Response here = scoped.post("/api/v1/configs", Map.of("engine", ENGINE, "namespace", "team-in",
                "name", "mine", "kind", "SECRET", "data", Map.of("a", "b")));
        assertThat(here.status()).as(here.toString()).isEqualTo(201);
    }

    private JsonNode created(Map<String, Object> body) {
        Api.Response r = api().post("/api/v1/configs", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private Api.Response seen(Api.Response r) {
        answers.add(r.toString());
        return r;
    }

    private static void assertField(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(fields(r)).contains(field);
    }

    private static List<String> fields(Api.Response r) {
        List<String> fields = new ArrayList<>();
        r.json().path("errors").forEach(e -> fields.add(e.get("field").asString()));
        return fields;
    }
}
