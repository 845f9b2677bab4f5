package io.gantry.revision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.EngineRevision;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSpec;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.StreamRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Issue 17: revisions of every change, made by Gantry or elsewhere, the engine's own history, diff and rollback. */
class RevisionApiIT extends IntegrationTest {

    @Test
    void everyChangeOfGantryIsARevisionAndARollbackPutsTheOldSpecBack() throws Exception {
        Api api = api();
        FakeEngine fake = FakeEngine.named("rev-1");
        Engines.awaitStatus(api, Engines.register(api, "rev-1", Map.of()), "UP");
        try (StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            String id = deploy(api, "rev-1", "web", Map.of("GREETING", "one"));
            update(api, id, Map.of("GREETING", "two"));
            update(api, id, Map.of("GREETING", "three"));
            awaitDone(api, api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 3)));

            JsonNode list = api.get("/api/v1/workloads/" + id + "/revisions").json();
            assertThat(list.get("total").asInt()).isEqualTo(4);
            assertThat(messages(list)).containsExactly("scale to 3", "update: image web:1", "update: image web:1",
                    "deploy: image web:1");
            JsonNode newest = list.get("items").get(0);
            assertThat(newest.get("revision").asInt()).isEqualTo(4);
            assertThat(newest.get("source").asString()).isEqualTo("gantry");
            assertThat(newest.get("user").asString()).isEqualTo("admin");
            assertThat(newest.get("operationId").asString()).isNotBlank();
            assertThat(newest.get("createdAt").asString()).endsWith("Z");
            assertThat(newest.get("spec").get("replicas").asInt()).isEqualTo(3);
            assertThat(newest.has("engineRevision")).isFalse();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(stream.data("workload.revision")).anySatisfy(d -> assertThat(d).contains(id)
                            .contains("\"revision\":4").contains("scale to 3")));

            JsonNode first = api.get("/api/v1/workloads/" + id + "/revisions/1").json();
            assertThat(first.get("spec").get("env").get("GREETING").asString()).isEqualTo("one");
            Api.Response absent = api.get("/api/v1/workloads/" + id + "/revisions/99");
            assertThat(absent.status()).isEqualTo(404);
            assertThat(absent.contentType()).startsWith("application/problem+json");

            JsonNode diff = api.get("/api/v1/workloads/" + id + "/revisions/diff?from=1&to=4").json();
            assertThat(diff.get("differences").asInt()).isEqualTo(2);
            JsonNode env = field(diff, "spec.env");
            assertThat(env.get("equal").asBoolean()).isFalse();
            assertThat(env.get("differingKeys").toString()).isEqualTo("[\"GREETING\"]");
            assertThat(env.get("values").get(0).get("GREETING").asString()).isEqualTo("one");
            assertThat(env.get("values").get(1).get("GREETING").asString()).isEqualTo("three");
            assertThat(field(diff, "spec.image").get("equal").asBoolean()).isTrue();
            assertThat(api.get("/api/v1/workloads/" + id + "/revisions/diff?from=1&to=77").json().get("errors").toString())
                    .contains("\"field\":\"to\"");
            assertThat(api.get("/api/v1/workloads/" + id + "/revisions/diff?from=x&to=1").status()).isEqualTo(400);

            Map<String, String> key = Map.of("Idempotency-Key", "rollback-web-to-1");
            Api.Response rollback = api.post("/api/v1/workloads/" + id + "/rollback", Map.of("revision", 1), key);
            assertThat(rollback.status()).as(rollback.toString()).isEqualTo(202);
            assertThat(rollback.json().get("action").asString()).isEqualTo("rollback");
            awaitDone(api, rollback);
            Api.Response retried = api.post("/api/v1/workloads/" + id + "/rollback", Map.of("revision", 1), key);
            assertThat(retried.status()).as("a retry gets the first operation, though revision 1 runs now").isEqualTo(202);
            assertThat(retried.json().get("id").asString()).isEqualTo(rollback.json().get("id").asString());
            assertThat(fake.calls()).contains("rollback shop/web null");
            JsonNode now = api.get("/api/v1/workloads/" + id).json();
            assertThat(now.get("spec").get("env").get("GREETING").asString()).isEqualTo("one");
            assertThat(now.get("spec").get("replicas").asInt()).isEqualTo(1);
            JsonNode after = api.get("/api/v1/workloads/" + id + "/revisions?limit=2").json();
            assertThat(after.get("total").asInt()).isEqualTo(5);
            assertThat(messages(after)).containsExactly("rollback to 1", "scale to 3");
            JsonNode page2 = api.get("/api/v1/workloads/" + id + "/revisions?limit=2&cursor="
                    + after.get("nextCursor").asString()).json();
            assertThat(page2.get("items").get(0).get("revision").asInt()).isEqualTo(3);

            Api.Response again = api.post("/api/v1/workloads/" + id + "/rollback", Map.of("revision", 5));
            assertThat(again.status()).as("the spec that runs now").isEqualTo(409);
            assertThat(again.contentType()).startsWith("application/problem+json");
            for (Object bad : List.of(Map.of(), Map.of("revision", 42))) {
                Api.Response r = api.post("/api/v1/workloads/" + id + "/rollback", bad);
                assertThat(r.status()).as(r.toString()).isEqualTo(400);
                assertThat(r.json().get("errors").toString()).contains("\"field\":\"revision\"");
            }
            assertThat(api.get("/api/v1/workloads/" + id + "/revisions?limit=0").status()).isEqualTo(400);
            assertThat(api.get("/api/v1/workloads/" + id + "/revisions?cursor=abc").json().get("errors").toString())
                    .contains("\"field\":\"cursor\"");
            assertThat(api.get("/api/v1/workloads/00000000-0000-0000-0000-000000000000/revisions").status()).isEqualTo(404);
        }
    }

    @Test
    void aDryRunShowsTheDiffAndTheEnginesAnswerAndChangesNothing() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("rev-2");
        Engines.awaitStatus(api, Engines.register(api, "rev-2", Map.of()), "UP");
        String id = deploy(api, "rev-2", "web", Map.of("GREETING", "one"));
        int operations = api.get("/api/v1/operations?workload=" + id).json().get("total").asInt();

        Api.Response dry = api.put("/api/v1/workloads/" + id + "/spec?dryRun=true", Map.of("spec",
                Map.of("image", "web:2", "replicas", 1, "env", Map.of("GREETING", "one"))));
        assertThat(dry.status()).as(dry.toString()).isEqualTo(200);
        JsonNode preview = dry.json();
        assertThat(preview.get("differences").asInt()).isEqualTo(1);
        assertThat(field(preview, "spec.image").get("values").toString()).isEqualTo("[\"web:1\",\"web:2\"]");
        assertThat(preview.get("engineValidation").get("ok").asBoolean()).isTrue();

        assertThat(fake.calls()).noneMatch(c -> c.startsWith("update "));
        assertThat(api.get("/api/v1/workloads/" + id).json().get("spec").get("image").asString()).isEqualTo("web:1");
        assertThat(api.get("/api/v1/operations?workload=" + id).json().get("total").asInt()).isEqualTo(operations);
        assertThat(api.get("/api/v1/workloads/" + id + "/revisions").json().get("total").asInt()).isEqualTo(1);
        Api.Response bad = api.put("/api/v1/workloads/" + id + "/spec?dryRun=maybe", Map.of("spec", Map.of("image", "x")));
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void aViewerSeesSecretsMaskedInEveryRevisionAndDiffAndMayNotRollBack() {
        Api admin = api();
        Engines.awaitStatus(admin, Engines.register(admin, "rev-3", Map.of()), "UP");
        String id = deploy(admin, "rev-3", "db", Map.of("DB_PASSWORD", "hunter2", "MODE", "a"));
        update(admin, id, Map.of("DB_PASSWORD", "hunter3", "MODE", "b"));
        Api viewer = new Api(port, userToken("rev-viewer", "VIEWER"));

        String list = viewer.get("/api/v1/workloads/" + id + "/revisions").body();
        String one = viewer.get("/api/v1/workloads/" + id + "/revisions/1").body();
        Api.Response diff = viewer.get("/api/v1/workloads/" + id + "/revisions/diff?from=1&to=2");
        for (String body : List.of(list, one, diff.body())) {
            assertThat(body).contains("***").doesNotContain("hunter2").doesNotContain("hunter3");
        }
        assertThat(field(diff.json(), "spec.env").get("differingKeys").toString())
                .as("compared with the real values").contains("DB_PASSWORD");
        assertThat(admin.get("/api/v1/workloads/" + id + "/revisions/1").body()).contains("hunter2");

        Api.Response refused = viewer.post("/api/v1/workloads/" + id + "/rollback", Map.of("revision", 1));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/workloads/" + id + "/revisions").json().get("total").asInt()).isEqualTo(2);
    }

    @Test
    void aChangeMadeOnTheEngineIsAnEngineRevisionAndAnOperationsOwnChangeIsNotRecordedTwice() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("rev-4");
        Engines.awaitStatus(api, Engines.register(api, "rev-4", Map.of()), "UP");
        // the watch brings the new workload back while the deploy is still running
        fake.beforeNextDeployReturns(() -> fake.put(fake.current("shop/web").orElseThrow()));
        String id = deploy(api, "rev-4", "web", Map.of("GREETING", "one"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                messages(api.get("/api/v1/workloads/" + id + "/revisions").json())).containsExactly("deploy: image web:1"));

        Workload running = fake.current("shop/web").orElseThrow();
        WorkloadSpec s = running.spec();
        fake.put(FakeEngine.withSpec(running, new WorkloadSpec(s.image(), s.command(), s.args(),
                Map.of("GREETING", "one", "EXTRA", "yes"), s.ports(), s.resources(), s.replicas(), s.healthCheck(),
                s.constraints(), s.runtime())));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode newest = api.get("/api/v1/workloads/" + id + "/revisions").json().get("items").get(0);
            assertThat(newest.get("revision").asInt()).isEqualTo(2);
            assertThat(newest.get("source").asString()).isEqualTo("engine");
            assertThat(newest.get("user").isNull()).isTrue();
            assertThat(newest.get("message").asString()).isEqualTo("changed outside Gantry");
            assertThat(newest.get("spec").get("env").get("EXTRA").asString()).isEqualTo("yes");
        });
        // the same state again (a resync) is no change
        fake.put(fake.current("shop/web").orElseThrow());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                api.get("/api/v1/workloads/" + id + "/revisions").json().get("total").asInt()).isEqualTo(2));
    }

    @Test
    void theEnginesOwnHistoryIsReadOnceAndARollbackHandsItsIdBack() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("rev-5");
        Workload current = FakeEngine.workload("shop", "cart", "cart:2", 2, Map.of());
        Workload older = FakeEngine.withSpec(current, WorkloadSpec.of("cart:1", 2));
        fake.putQuietly(current);
        fake.keepRevisions("shop/cart", List.of(
                new EngineRevision("7", Instant.parse("2026-03-02T00:00:00Z"), current.spec(), "kubectl set image", true),
                new EngineRevision("6", Instant.parse("2026-03-01T00:00:00Z"), older.spec(), "", false)));
        Engines.awaitStatus(api, Engines.register(api, "rev-5", Map.of()), "UP");
        String id = api.get("/api/v1/workloads?engine=rev-5").json().get("items").get(0).get("id").asString();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode list = api.get("/api/v1/workloads/" + id + "/revisions").json();
            assertThat(messages(list)).containsExactly("from the engine's history: kubectl set image",
                    "from the engine's history");
            assertThat(list.get("items").get(1).get("createdAt").asString()).isEqualTo("2026-03-01T00:00:00Z");
            assertThat(list.get("items").get(1).get("source").asString()).isEqualTo("engine");
            assertThat(list.get("items").get(1).get("spec").get("image").asString()).isEqualTo("cart:1");
        });
        // a resync (the engine's sync restarting) reads the history no second time
        awaitDone(api, api.post("/api/v1/engines/rev-5/sync", null));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(fake.calls().stream().filter(c -> c.startsWith("revisions ")).toList()).hasSize(1));

        awaitDone(api, api.post("/api/v1/workloads/" + id + "/rollback", Map.of("revision", 1)));
        assertThat(fake.calls()).contains("rollback shop/cart 6");
        assertThat(api.get("/api/v1/workloads/" + id).json().get("spec").get("image").asString()).isEqualTo("cart:1");
        assertThat(messages(api.get("/api/v1/workloads/" + id + "/revisions").json()).get(0)).isEqualTo("rollback to 1");
    }

    @Test
    void onlyTheNewestFiftyAreKept() {
        Api api = api();
        Engines.awaitStatus(api, Engines.register(api, "rev-6", Map.of()), "UP");
        String id = deploy(api, "rev-6", "web", Map.of());
        for (int replicas = 2; replicas <= 53; replicas++) {
            awaitDone(api, api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", replicas)));
        }
        JsonNode list = api.get("/api/v1/workloads/" + id + "/revisions?limit=500").json();
        assertThat(list.get("total").asInt()).isEqualTo(50);
        assertThat(list.get("items").get(0).get("revision").asInt()).isEqualTo(53);
        assertThat(list.get("items").get(49).get("revision").asInt()).isEqualTo(4);
        assertThat(api.get("/api/v1/workloads/" + id + "/revisions/1").status()).isEqualTo(404);
    }

    // ---- helpers ----

    private static String deploy(Api api, String engine, String name, Map<String, String> env) {
        Api.Response r = api.post("/api/v1/workloads", Map.of("engine", engine, "namespace", "shop", "name", name,
                "spec", Map.of("image", name + ":1", "replicas", 1, "env", env)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return awaitDone(api, r).get("workloadId").asString();
    }

    private static void update(Api api, String id, Map<String, String> env) {
        JsonNode spec = api.get("/api/v1/workloads/" + id).json().get("spec");
        Map<String, Object> changed = new LinkedHashMap<>();
        changed.put("image", spec.get("image").asString());
        changed.put("replicas", spec.get("replicas").asInt());
        changed.put("env", env);
        awaitDone(api, api.put("/api/v1/workloads/" + id + "/spec", Map.of("spec", changed)));
    }

    static JsonNode awaitDone(Api api, Api.Response accepted) {
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonNode[] op = new JsonNode[1];
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            op[0] = api.get(accepted.location()).json();
            assertThat(op[0].get("state").asString()).isEqualTo("SUCCEEDED");
        });
        return op[0];
    }

    private static List<String> messages(JsonNode list) {
        List<String> messages = new ArrayList<>();
        list.get("items").forEach(i -> messages.add(i.get("message").asString()));
        return messages;
    }

    private static JsonNode field(JsonNode diff, String path) {
        for (JsonNode f : diff.get("fields")) {
            if (f.get("path").asString().equals(path)) {
                return f;
            }
        }
        throw new AssertionError("no field " + path + " in " + diff);
    }
}
