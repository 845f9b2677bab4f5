package io.gantry.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.Capability;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** Bulk preview and runs on fake engines: grouping, refusals, expectTotal, batches, stopOnFailure, cancel, scopes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkApiIT extends IntegrationTest {
    @Autowired
    JdbcTemplate db;

    @BeforeAll
    void engines() {
        FakeEngine a = FakeEngine.named("bulk-a");
        FakeEngine b = FakeEngine.named("bulk-b");
        b.without(Capability.RESTART);
        for (int i = 0; i < 4; i++) {
            a.putQuietly(FakeEngine.workload("default", "mixed-a" + i, "nginx:1", 2, Map.of("tier", "mixed")));
        }
        for (int i = 0; i < 3; i++) {
            b.putQuietly(FakeEngine.workload("default", "mixed-b" + i, "nginx:1", 2, Map.of("tier", "mixed")));
        }
        for (int i = 0; i < 5; i++) {
            a.putQuietly(FakeEngine.workload("default", "batch-" + i, "nginx:1", 1, Map.of("tier", "batch")));
            a.putQuietly(FakeEngine.workload("default", "stop-" + i, "nginx:1", 1, Map.of("tier", "stop")));
            a.putQuietly(FakeEngine.workload("default", "pause-" + i, "nginx:1", 1, Map.of("tier", "pause")));
            a.putQuietly(FakeEngine.workload("default", "orphan-" + i, "nginx:1", 1, Map.of("tier", "orphan")));
        }
        a.failScalesOf("default/stop-1");
        a.putQuietly(FakeEngine.workload("team-x", "scoped-1", "nginx:1", 1, Map.of("tier", "scoped")));
        a.putQuietly(FakeEngine.workload("team-y", "scoped-2", "nginx:1", 1, Map.of("tier", "scoped")));
        a.putQuietly(FakeEngine.workload("team-z", "scoped-3", "nginx:1", 1, Map.of("tier", "scoped")));
        FakeEngine c = FakeEngine.named("bulk-c");
        c.without(Capability.LABEL);
        for (int i = 0; i < 3; i++) {
            a.putQuietly(FakeEngine.workload("default", "lab-a" + i, "nginx:1", 1, Map.of("tier", "lab", "old", "x")));
        }
        for (int i = 0; i < 2; i++) {
            c.putQuietly(FakeEngine.workload("default", "lab-c" + i, "nginx:1", 1, Map.of("tier", "lab", "old", "x")));
        }
        Api api = api();
        Engines.awaitStatus(api, Engines.register(api, "bulk-c", Map.of()), "UP");
        Engines.awaitStatus(api, Engines.register(api, "bulk-a", Map.of()), "UP");
        Engines.awaitStatus(api, Engines.register(api, "bulk-b", Map.of()), "UP");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/workloads?label=tier=orphan").json().get("total").asInt() == 5);
    }

    @Test
    void previewGroupsByEngineExplainsRefusalsAndChangesNothing() {
        int callsBefore = FakeEngine.named("bulk-a").calls().size();
        JsonNode plan = ok(api().post("/api/v1/bulk/preview", Map.of("selector", Map.of("label", List.of("tier=mixed")),
                "action", "restart")));
        assertThat(plan.get("total").asInt()).isEqualTo(7);
        assertThat(plan.get("byEngine").get("bulk-a").asInt()).isEqualTo(4);
        assertThat(plan.get("byEngine").get("bulk-b").asInt()).isEqualTo(3);
        for (JsonNode item : plan.get("items")) {
            boolean onB = item.get("workload").get("engine").asString().equals("bulk-b");
            assertThat(item.get("allowed").asBoolean()).as(item.toString()).isEqualTo(!onB);
            if (onB) {
                assertThat(item.get("reason").asString()).contains("bulk-b").contains("cannot restart");
            }
        }
        assertThat(FakeEngine.named("bulk-a").calls().subList(callsBefore, FakeEngine.named("bulk-a").calls().size()))
                .noneMatch(c -> c.startsWith("restart"));

        JsonNode scale = ok(api().post("/api/v1/bulk/preview", Map.of("selector", Map.of("engine", "bulk-a",
                "label", List.of("tier=mixed")), "action", "scale", "params", Map.of("replicas", 3))));
        JsonNode replicas = field(scale.get("items").get(0).get("change"), "spec.replicas");
        assertThat(replicas.get("values").toString()).isEqualTo("[2,3]");
        assertThat(replicas.get("equal").asBoolean()).isFalse();

        JsonNode byKind = ok(api().post("/api/v1/bulk/preview", Map.of("selector", Map.of("engineKind", "test",
                "label", List.of("tier=mixed")), "action", "delete")));
        assertThat(byKind.get("total").asInt()).isEqualTo(7);
        Api.Response unknownKind = api().post("/api/v1/bulk/preview", Map.of("selector", Map.of("engineKind", "nope"),
                "action", "delete"));
        assertThat(unknownKind.status()).isEqualTo(400);
        assertThat(unknownKind.json().get("errors").get(0).get("field").asString()).isEqualTo("engineKind");

        Api.Response bad = api().post("/api/v1/bulk/preview", Map.of("selector", Map.of("q", "mixed"), "action", "scale"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").get(0).get("field").asString()).isEqualTo("params.replicas");
        assertThat(api().post("/api/v1/bulk/preview", Map.of("selector", Map.of("q", "mixed"), "action", "explode"))
                .status()).isEqualTo(400);
    }

    @Test
    void aRunSkipsRefusedItemsAndAnExpectTotalMismatchIs409() {
        Map<String, Object> selector = Map.of("label", List.of("tier=mixed"));
        Api.Response conflict = api().post("/api/v1/bulk", Map.of("selector", selector, "action", "restart",
                "expectTotal", 6));
        assertThat(conflict.status()).as(conflict.toString()).isEqualTo(409);
        assertThat(conflict.contentType()).startsWith("application/problem+json");

        Api.Response started = api().post("/api/v1/bulk", Map.of("selector", selector, "action", "restart",
                "expectTotal", 7));
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        assertThat(started.json().get("operations")).hasSize(4);
        String opId = started.json().get("operations").get(0).get("id").asString();
        JsonNode run = awaitEnd(started.json().get("id").asString());
        assertThat(run.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("items")).hasSize(7);
        assertThat(run.get("items").findValuesAsString("state")).containsOnly("SUCCEEDED", "SKIPPED");
        for (JsonNode item : run.get("items")) {
            if (item.get("engine").asString().equals("bulk-b")) {
                assertThat(item.get("state").asString()).isEqualTo("SKIPPED");
                assertThat(item.get("message").asString()).contains("cannot restart");
            }
        }
        JsonNode op = api().get("/api/v1/operations/" + opId).json();
        assertThat(op.get("action").asString()).isEqualTo("restart");
        assertThat(op.get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void labelsChangeWhereTheEngineCanAndTheRestIsRefused() {
        Map<String, Object> body = Map.of("selector", Map.of("label", List.of("tier=lab")), "action", "label",
                "params", Map.of("add", Map.of("lab-team", "blue"), "remove", List.of("old")));
        JsonNode plan = ok(api().post("/api/v1/bulk/preview", body));
        assertThat(plan.get("total").asInt()).isEqualTo(5);
        for (JsonNode item : plan.get("items")) {
            boolean onC = item.get("workload").get("engine").asString().equals("bulk-c");
            assertThat(item.get("allowed").asBoolean()).as(item.toString()).isEqualTo(!onC);
            if (onC) {
                assertThat(item.get("reason").asString()).contains("bulk-c").contains("cannot label");
            } else {
                JsonNode labels = field(item.get("change"), "labels");
                assertThat(labels.get("values").toString()).isEqualTo("[{\"old\":\"x\",\"tier\":\"lab\"},"
                        + "{\"lab-team\":\"blue\",\"tier\":\"lab\"}]");
                assertThat(labels.get("differingKeys").toString()).isEqualTo("[\"lab-team\",\"old\"]");
            }
        }

        Api.Response started = api().post("/api/v1/bulk", body);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        JsonNode run = awaitEnd(started.json().get("id").asString());
        assertThat(run.get("state").asString()).as(run.toString()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode items = api().get("/api/v1/workloads?label=lab-team=blue").json().get("items");
            assertThat(items).hasSize(3);
            items.forEach(w -> assertThat(w.get("labels").has("old")).isFalse());
        });
        String opId = run.get("items").get(0).get("operationId").asString();
        assertThat(api().get("/api/v1/operations/" + opId).json().get("action").asString()).isEqualTo("label");

        Api.Response notText = api().post("/api/v1/bulk/preview", Map.of("selector", Map.of("label", List.of("tier=lab")),
                "action", "label", "params", Map.of("add", Map.of("team", 7))));
        assertThat(notText.status()).isEqualTo(400);
        assertThat(notText.json().get("errors").get(0).get("field").asString()).isEqualTo("params.add.team");
    }

    @Test
    void batchesRunOneAfterAnother() {
        Api.Response started = api().post("/api/v1/bulk", Map.of("selector", Map.of("label", List.of("tier=batch")),
                "action", "scale", "params", Map.of("replicas", 3), "batchSize", 2));
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        assertThat(started.json().get("operations")).as("the first batch only").hasSize(2);
        JsonNode run = awaitEnd(started.json().get("id").asString());
        assertThat(run.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(run.get("batches")).hasSize(3);
        assertThat(run.get("batches").findValuesAsString("state")).containsOnly("SUCCEEDED");
        assertThat(run.get("batches").get(2).get("total").asInt()).isEqualTo(1);
        List<String> scales = FakeEngine.named("bulk-a").calls().stream().filter(c -> c.startsWith("scale default/batch-")).toList();
        assertThat(scales).hasSize(5).allMatch(c -> c.endsWith(" 3"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api()
                .get("/api/v1/workloads?label=tier=batch").json().get("items")).hasSize(5)
                .allSatisfy(w -> assertThat(w.get("spec").get("replicas").asInt()).isEqualTo(3)));
    }

    @Test
    void stopOnFailureStopsAtTheFirstFailedItem() {
        Api.Response started = api().post("/api/v1/bulk", Map.of("selector", Map.of("label", List.of("tier=stop")),
                "action", "scale", "params", Map.of("replicas", 2), "batchSize", 1, "stopOnFailure", true));
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        JsonNode run = awaitEnd(started.json().get("id").asString());
        assertThat(run.get("state").asString()).isEqualTo("FAILED");
        assertThat(run.get("message").asString()).contains("stop-1");
        List<String> states = run.get("items").findValuesAsString("state");
        assertThat(states).containsExactly("SUCCEEDED", "FAILED", "SKIPPED", "SKIPPED", "SKIPPED");
        assertThat(run.get("items").get(1).get("message").asString()).contains("no room");
        assertThat(FakeEngine.named("bulk-a").calls()).noneMatch(c -> c.startsWith("scale default/stop-2"));
    }

    @Test
    void cancelStopsTheBatchesNotStarted() {
        Api.Response started = api().post("/api/v1/bulk", Map.of("selector", Map.of("label", List.of("tier=pause")),
                "action", "restart", "batchSize", 2, "pauseSeconds", 60));
        String id = started.json().get("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api().get("/api/v1/bulk/" + id).json().get("batches").get(0).get("state").asString().equals("SUCCEEDED"));
        Api.Response cancelled = api().post("/api/v1/bulk/" + id + "/cancel", Map.of());
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        JsonNode run = api().get("/api/v1/bulk/" + id).json();
        assertThat(run.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(run.get("items").findValuesAsString("state"))
                .containsExactly("SUCCEEDED", "SUCCEEDED", "CANCELLED", "CANCELLED", "CANCELLED");
        assertThat(FakeEngine.named("bulk-a").calls()).noneMatch(c -> c.startsWith("restart default/pause-2"));
        assertThat(api().get("/api/v1/bulk/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
    }

    @Test
    void aRunWhoseServerIsGoneIsFailedWithTheReason() {
        Api.Response started = api().post("/api/v1/bulk", Map.of("selector", Map.of("label", List.of("tier=orphan")),
                "action", "restart", "batchSize", 2, "pauseSeconds", 60));
        String id = started.json().get("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api().get("/api/v1/bulk/" + id).json().get("batches").get(0).get("state").asString().equals("SUCCEEDED"));
        // as if the replica that drove it had died: no live replica has this id
        db.update("UPDATE bulk_runs SET replica = 'a-replica-that-is-gone' WHERE id = ?::uuid", id);
        JsonNode run = awaitEnd(id);
        assertThat(run.get("state").asString()).isEqualTo("FAILED");
        assertThat(run.get("message").asString()).contains("server restarted");
        assertThat(run.get("items").findValuesAsString("state"))
                .containsExactly("SUCCEEDED", "SUCCEEDED", "SKIPPED", "SKIPPED", "SKIPPED");
    }

    @Test
    void aScopedUserActsOnlyWithinTheirGrantsAndSeesOnlyTheirRuns() {
        String ann = userToken("bulk-ann", "NONE");
        assertThat(api().post("/api/v1/grants", Map.of("user", "bulk-ann", "role", "OPERATOR", "engine", "bulk-a",
                "namespace", "team-x")).status()).isEqualTo(201);
        assertThat(api().post("/api/v1/grants", Map.of("user", "bulk-ann", "role", "VIEWER", "engine", "bulk-a",
                "namespace", "team-y")).status()).isEqualTo(201);
        Api annApi = new Api(port, ann);
        Map<String, Object> body = Map.of("selector", Map.of("label", List.of("tier=scoped")), "action", "scale",
                "params", Map.of("replicas", 2));
        JsonNode plan = ok(annApi.post("/api/v1/bulk/preview", body));
        assertThat(plan.get("total").asInt()).as("team-z is outside the grants").isEqualTo(2);
        assertThat(plan.get("items").get(0).get("allowed").asBoolean()).isTrue();
        assertThat(plan.get("items").get(1).get("allowed").asBoolean()).isFalse();
        assertThat(plan.get("items").get(1).get("reason").asString()).contains("OPERATOR").contains("team-y");

        Api.Response started = annApi.post("/api/v1/bulk", body);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String id = started.json().get("id").asString();
        JsonNode run = awaitEnd(annApi, id);
        assertThat(run.get("items").findValuesAsString("state")).containsExactly("SUCCEEDED", "SKIPPED");
        assertThat(FakeEngine.named("bulk-a").calls()).noneMatch(c -> c.startsWith("scale team-z/") || c.startsWith("scale team-y/"));

        String bob = userToken("bulk-bob", "NONE");
        assertThat(api().post("/api/v1/grants", Map.of("user", "bulk-bob", "role", "OPERATOR", "engine", "bulk-a",
                "namespace", "team-x")).status()).isEqualTo(201);
        assertThat(new Api(port, bob).get("/api/v1/bulk/" + id).status()).as("not bob's run").isEqualTo(404);
        assertThat(new Api(port, userToken("bulk-viewer", "VIEWER")).post("/api/v1/bulk", body).status()).isEqualTo(403);
    }

    private JsonNode awaitEnd(String id) {
        return awaitEnd(api(), id);
    }

    private static JsonNode awaitEnd(Api api, String id) {
        List<JsonNode> last = new ArrayList<>(List.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode run = api.get("/api/v1/bulk/" + id).json();
            last.add(0, run);
            return !run.get("state").asString().equals("RUNNING");
        });
        return last.get(0);
    }

    private static JsonNode ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode field(JsonNode change, String path) {
        for (JsonNode f : change.get("fields")) {
            if (f.get("path").asString().equals(path)) {
                return f;
            }
        }
        throw new AssertionError("no field " + path + " in " + change);
    }
}
