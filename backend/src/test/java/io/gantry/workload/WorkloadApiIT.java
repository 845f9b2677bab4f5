package io.gantry.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.WorkloadSpec;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.StreamRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadApiIT extends IntegrationTest {
    @Autowired
    JsonMapper json;
    private String engineA;

    @BeforeAll
    void twoEngines() {
        FakeEngine a = FakeEngine.named("list-a");
        for (int i = 0; i < 12; i++) {
            int running = i % 4 == 0 ? 1 : 2;
            a.putQuietly(FakeEngine.workload(i % 2 == 0 ? "front" : "back", String.format("app-%02d", i),
                    i < 3 ? "redis:7" : "nginx:1.27", 2, running,
                    Map.of("tier", i % 2 == 0 ? "front" : "back", "team", i % 3 == 0 ? "red" : "blue")));
        }
        FakeEngine b = FakeEngine.named("list-b");
        for (int i = 0; i < 3; i++) {
            b.putQuietly(FakeEngine.workload("front", "other-" + i, "nginx:1.27", 1, Map.of("tier", "front")));
        }
        Api api = api();
        engineA = Engines.register(api, "list-a", Map.of());
        String engineB = Engines.register(api, "list-b", Map.of());
        Engines.awaitStatus(api, engineA, "UP");
        Engines.awaitStatus(api, engineB, "UP");
    }

    @Test
    void listIsAnEnvelopeWithTotalAndFiltersCombine() {
        JsonNode all = list("engine=list-a");
        assertThat(all.get("total").asInt()).isEqualTo(12);
        assertThat(all.get("items")).hasSize(12);
        assertThat(all.has("nextCursor")).isTrue();
        assertThat(list("engine=" + engineA).get("total").asInt()).as("engine by id").isEqualTo(12);

        assertThat(list("engine=list-a&namespace=front").get("total").asInt()).isEqualTo(6);
        assertThat(list("engine=list-a&label=tier=front").get("total").asInt()).isEqualTo(6);
        assertThat(list("engine=list-a&label=tier=front&label=team=red").get("total").asInt()).isEqualTo(2);
        assertThat(list("engine=list-a&phase=DEGRADED").get("total").asInt()).isEqualTo(3);
        assertThat(list("engine=list-a&phase=running").get("total").asInt()).as("case-insensitive").isEqualTo(9);
        assertThat(list("engine=list-a&q=redis").get("total").asInt()).as("q on image").isEqualTo(3);
        assertThat(list("engine=list-a&q=APP-1").get("total").asInt()).as("q on name").isEqualTo(2);
        assertThat(list("engine=list-a&kind=SERVICE").get("total").asInt()).isEqualTo(12);
        assertThat(list("engineKind=test&namespace=front&label=tier=front").get("total").asInt()).isGreaterThanOrEqualTo(9);

        JsonNode first = all.get("items").get(0);
        assertThat(first.get("engine").get("name").asString()).isEqualTo("list-a");
        assertThat(first.get("engine").get("kind").asString()).isEqualTo("test");
        assertThat(first.get("spec").get("image").asString()).isNotBlank();
        assertThat(first.get("status").get("phase").asString()).isIn("RUNNING", "DEGRADED");
        assertThat(first.get("stale").asBoolean()).isFalse();
        assertThat(first.get("syncedAt").asString()).endsWith("Z");
    }

    @Test
    void keysetPagesCoverEveryRowOnceInOrder() {
        for (String sort : List.of("name", "-name", "phase", "-updated", "engine")) {
            List<String> names = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = list("engine=list-a&limit=5&sort=" + sort + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.get("total").asInt()).isEqualTo(12);
                page.get("items").forEach(w -> names.add(w.get("name").asString()));
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
                pages++;
            } while (cursor != null);
            assertThat(pages).as(sort).isEqualTo(3);
            assertThat(names).as(sort).hasSize(12);
            assertThat(new HashSet<>(names)).as(sort).hasSize(12);
            if (sort.equals("name")) {
                assertThat(names).isSorted();
            }
            if (sort.equals("-name")) {
                assertThat(names).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            }
        }
    }

    @Test
    void aTamperedCursorIsA400NamingCursor() {
        String cursor = list("engine=list-a&limit=5").get("nextCursor").asString();
        String tampered = (cursor.charAt(0) == 'A' ? 'B' : 'A') + cursor.substring(1);
        assertProblem(api().get("/api/v1/workloads?limit=5&cursor=" + tampered), "cursor");
        assertProblem(api().get("/api/v1/workloads?limit=5&cursor=garbage"), "cursor");
        assertProblem(api().get("/api/v1/workloads?limit=5&sort=-name&cursor=" + cursor), "cursor");
    }

    @ParameterizedTest
    @CsvSource({"phase=BOGUS,phase", "kind=FOO,kind", "engine=no-such-engine,engine", "engineKind=nomad,engineKind",
            "sort=size,sort", "limit=0,limit", "limit=501,limit", "limit=abc,limit", "label=novalue,label"})
    void unknownFilterValuesAreA400NamingTheParameter(String query, String field) {
        assertProblem(api().get("/api/v1/workloads?" + query), field);
    }

    @Test
    void aListedWorkloadIsTheSameJsonAsTheWorkloadItself() {
        // the list copies the stored documents as text; the single workload is parsed and written again
        JsonNode items = list("engine=list-a&limit=500").get("items");
        assertThat(items).hasSize(12);
        for (JsonNode listed : items) {
            JsonNode single = api().get("/api/v1/workloads/" + listed.get("id").asString()).json();
            assertThat(listed).isEqualTo(single);
            assertThat(listed.get("spec").get("image").asString()).isNotBlank();
            assertThat(listed.get("labels").get("tier").asString()).isIn("front", "back");
        }
    }

    @Test
    void getShowsInstancesAndNativeIsRedacted() {
        String id = idOf("app-01");
        JsonNode w = api().get("/api/v1/workloads/" + id).json();
        assertThat(w.get("id").asString()).isEqualTo(id);
        assertThat(w.get("nativeId").asString()).isEqualTo("back/app-01");
        assertThat(w.get("instances")).hasSize(2);
        assertThat(w.get("instances").get(0).get("state").asString()).isEqualTo("RUNNING");

        Api.Response nativeObject = api().get("/api/v1/workloads/" + id + "/native");
        assertThat(nativeObject.status()).isEqualTo(200);
        assertThat(nativeObject.json().get("id").asString()).isEqualTo("app-01");
        assertThat(nativeObject.body()).doesNotContain("hunter2").doesNotContain("\"abc\"").contains("DB_PASSWORD");

        assertThat(api().get("/api/v1/workloads/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
        assertProblem(api().get("/api/v1/workloads/not-a-uuid"), "id");
    }

    @Test
    void healthCheckTypesAreWrittenLowerCaseAndReadInAnyCase() {
        String written = json.writeValueAsString(WorkloadSpec.of("nginx", 1).withReplicas(2));
        assertThat(written).contains("\"replicas\":2");
        assertThat(json.writeValueAsString(HealthCheck.http("/", 80, 10))).contains("\"type\":\"http\"");
        assertThat(json.readValue("{\"type\":\"tcp\",\"port\":5432}", HealthCheck.class).type())
                .isEqualTo(HealthCheck.Type.TCP);
        assertThat(json.readValue("{\"type\":\"COMMAND\",\"command\":[\"true\"]}", HealthCheck.class).type())
                .isEqualTo(HealthCheck.Type.COMMAND);
    }

    @Test
    void logsAreTextOrAnEventStream() throws Exception {
        String id = idOf("app-02");
        Api.Response tail = api().get("/api/v1/workloads/" + id + "/logs?tail=10");
        assertThat(tail.status()).isEqualTo(200);
        assertThat(tail.contentType()).startsWith("text/plain");
        assertThat(tail.body()).contains("hello from front/app-02");

        try (StreamRecorder follow = new StreamRecorder(api(), "/api/v1/workloads/" + id + "/logs?follow=true")) {
            assertThat(follow.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> follow.data("log").stream()
                    .anyMatch(d -> d.contains("\"instance\":\"front/app-02-0\"") && d.contains("first line")));
        }
    }

    private String idOf(String name) {
        for (JsonNode w : list("engine=list-a&q=" + name).get("items")) {
            if (w.get("name").asString().equals(name)) {
                return w.get("id").asString();
            }
        }
        throw new AssertionError(name);
    }

    private JsonNode list(String query) {
        Api.Response r = api().get("/api/v1/workloads?" + Api.query(query));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static void assertProblem(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").toString()).as(r.toString()).contains("\"field\":\"" + field + "\"");
    }
}
