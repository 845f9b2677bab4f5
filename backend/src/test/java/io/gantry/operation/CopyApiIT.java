package io.gantry.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** POST /workloads/{id}/copy: copy, move, and a move whose target never gets RUNNING. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CopyApiIT extends IntegrationTest {
    private final FakeEngine source = FakeEngine.named("copy-src");
    private final FakeEngine target = FakeEngine.named("copy-dst");
    private final FakeEngine stuck = FakeEngine.named("copy-stuck");

    @BeforeAll
    void engines() {
        source.putQuietly(FakeEngine.workload("shop", "web", "nginx:1.27", 3, Map.of("app", "web")));
        source.putQuietly(FakeEngine.workload("shop", "api", "nginx:1.27", 2, Map.of("app", "api")));
        source.putQuietly(FakeEngine.workload("shop", "pinned", "nginx:1.27", 4, Map.of("app", "pinned")));
        stuck.startNothing();
        Api api = api();
        for (String name : new String[] {"copy-src", "copy-dst", "copy-stuck"}) {
            Engines.awaitStatus(api, Engines.register(api, name, Map.of()), "UP");
        }
    }

    @Test
    void copyDeploysTheSameWorkloadOnTheTargetAndLeavesTheSource() {
        String id = workload("copy-src", "api");
        Api.Response r = api().post("/api/v1/workloads/" + id + "/copy", Map.of("targetEngine", "copy-dst",
                "namespace", "copied"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("action").asString()).isEqualTo("copy");
        JsonNode done = awaitFinished(r);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("message").asString()).startsWith("done: copied to copy-dst as copied/api");
        assertThat(target.calls()).contains("deploy api");
        assertThat(source.calls()).noneMatch(c -> c.startsWith("scale"));
        String copy = workload("copy-dst", "api");
        JsonNode compared = api().get("/api/v1/compare?ids=" + id + "," + copy).json();
        for (JsonNode f : compared.get("fields")) {
            if (f.get("path").asString().startsWith("spec.")) {
                assertThat(f.get("equal").asBoolean()).as(f.toString()).isTrue();
            }
        }
    }

    @Test
    void moveScalesTheSourceToZeroOnceTheCopyRuns() {
        String id = workload("copy-src", "web");
        Api.Response r = api().post("/api/v1/workloads/" + id + "/copy", Map.of("targetEngine", "copy-dst",
                "moveReplicas", true));
        JsonNode done = awaitFinished(r);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("message").asString()).contains("the source was scaled from 3 to 0");
        assertThat(target.calls()).contains("deploy web");
        assertThat(source.calls()).contains("scale shop/web 0");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                api().get("/api/v1/workloads/" + id).json().get("spec").get("replicas").asInt()).isZero());
    }

    @Test
    void aMoveWhoseTargetNeverRunsLeavesTheSourceAsItWas() {
        String id = workload("copy-src", "pinned");
        Api.Response r = api().post("/api/v1/workloads/" + id + "/copy", Map.of("targetEngine", "copy-stuck",
                "moveReplicas", true, "waitSeconds", 3));
        JsonNode done = awaitFinished(r);
        assertThat(done.get("state").asString()).isEqualTo("FAILED");
        assertThat(done.get("message").asString()).contains("did not become RUNNING within 3 s", "PENDING",
                "the source was left as it was");
        assertThat(stuck.calls()).contains("deploy pinned");
        assertThat(source.calls()).noneMatch(c -> c.startsWith("scale shop/pinned"));
        assertThat(api().get("/api/v1/workloads/" + id).json().get("spec").get("replicas").asInt()).isEqualTo(4);
    }

    @Test
    void badRequests() {
        String id = workload("copy-src", "api");
        Api.Response unknown = api().post("/api/v1/workloads/" + id + "/copy", Map.of("targetEngine", "nowhere"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("errors").get(0).get("field").asString()).isEqualTo("targetEngine");
        Api.Response same = api().post("/api/v1/workloads/" + id + "/copy", Map.of("targetEngine", "copy-src"));
        assertThat(same.status()).isEqualTo(400);
        assertThat(same.json().get("errors").get(0).get("field").asString()).isEqualTo("name");
        assertThat(api().post("/api/v1/workloads/" + java.util.UUID.randomUUID() + "/copy",
                Map.of("targetEngine", "copy-dst")).status()).isEqualTo(404);
    }

    private JsonNode awaitFinished(Api.Response accepted) {
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String location = accepted.location();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            last[0] = api().get(location).json();
            assertThat(last[0].get("state").asString()).isIn("SUCCEEDED", "FAILED");
        });
        return last[0];
    }

    private String workload(String engine, String name) {
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (JsonNode item : api().get("/api/v1/workloads?engine=" + engine + "&q=" + name).json().get("items")) {
                if (item.get("name").asString().equals(name)) {
                    id[0] = item.get("id").asString();
                }
            }
            assertThat(id[0]).as(name + " on " + engine).isNotNull();
        });
        return id[0];
    }
}
