package io.gantry.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.EngineChange;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A deploy's answer is the workload as it was when the engine accepted it; the watch may have delivered a
 * newer state before the deploy call even returned (a Kubernetes controller starts pods at once). The
 * answer must not roll that back: a CI run of KubernetesEndToEndIT stayed at "0 running" for good.
 */
class DeployAnswerIT extends IntegrationTest {

    @Test
    void aDeployAnswerDoesNotRollBackWhatTheWatchDeliveredMeanwhile() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("answer-race");
        fake.startNothing();
        String engineId = Engines.register(api, "answer-race", Map.of());
        Engines.awaitStatus(api, engineId, "UP");
        // the deploy answers "0 running"; before it returns, the watch says both replicas run
        fake.beforeNextDeployReturns(() -> fake.emit(new EngineChange.WorkloadChanged(
                FakeEngine.workload("shop", "web", "nginx:1.27", 2, Map.of()))));

        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "answer-race", "namespace", "shop",
                "name", "web", "spec", Map.of("image", "nginx:1.27", "replicas", 2)));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        Operations.await(api, deploy.location(), "SUCCEEDED");
        // the sync applies in order: once a change delivered after the deploy is stored, the answer was handled
        fake.emit(new EngineChange.WorkloadChanged(FakeEngine.workload("shop", "marker", "busybox:1", 1, Map.of())));
        await().atMost(Duration.ofSeconds(5)).until(() -> named(api, "marker") != null);

        JsonNode web = named(api, "web");
        assertThat(web.get("status").get("running").asInt()).as(web.toString()).isEqualTo(2);
    }

    private static JsonNode named(Api api, String name) {
        List<JsonNode> items = SyncIT.workloads(api, "answer-race").get("items").valueStream().toList();
        return items.stream().filter(w -> w.get("name").asString().equals(name)).findFirst().orElse(null);
    }
}
