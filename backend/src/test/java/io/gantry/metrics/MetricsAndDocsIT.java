package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineEvent;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class MetricsAndDocsIT extends IntegrationTest {
    @Autowired
    GantryMetrics metrics;

    @Test
    void prometheusExposesTheGantrySeries() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("metrics-1");
        fake.putQuietly(FakeEngine.workload("", "web", "nginx:1.27", 2, Map.of()));
        String id = Engines.register(api, "metrics-1", Map.of());
        Engines.awaitStatus(api, id, "UP");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.watcherCount() > 0);
        fake.emit(new EngineChange.EventObserved(new EngineEvent(Instant.now().minusSeconds(2), "/web",
                EngineEvent.WARNING, "BackOff", "restarting failed container")));
        Api.Response sync = api.post("/api/v1/engines/" + id + "/sync", null);
        await().atMost(Duration.ofSeconds(5)).until(() -> api.get(sync.location()).json().get("state").asString().equals("SUCCEEDED"));
        metrics.refresh();

        String text = api.get("/actuator/prometheus").body();
        assertThat(text)
                .containsPattern("gantry_workloads\\{engine=\"metrics-1\",kind=\"SERVICE\",phase=\"RUNNING\"} 1(\\.0)?")
                .containsPattern("gantry_engine_up\\{engine=\"metrics-1\",kind=\"test\"} 1(\\.0)?")
                .contains("gantry_sync_duration_seconds_count{engine=\"metrics-1\"")
                .containsPattern("gantry_operations_total\\{action=\"sync\",state=\"SUCCEEDED\"}")
                .containsPattern("gantry_engine_event_lag_seconds\\{engine=\"metrics-1\",kind=\"test\"} [1-9]");

        JsonNode warnings = api.get("/api/v1/events?engine=metrics-1&type=Warning").json();
        assertThat(warnings.get("items").get(0).get("reason").asString()).isEqualTo("BackOff");
        assertThat(warnings.get("items").get(0).get("workloadName").asString()).isEqualTo("web");
        assertThat(api.get("/api/v1/events?type=Loud").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/events?since=yesterday").status()).isEqualTo(400);
    }

    @Test
    void theOpenApiDocumentRendersTheApi() {
        Api.Response docs = api().get("/v3/api-docs");
        assertThat(docs.status()).as(docs.toString()).isEqualTo(200);
        JsonNode paths = docs.json().get("paths");
        assertThat(paths.has("/api/v1/workloads")).isTrue();
        assertThat(paths.has("/api/v1/engines/{id}/sync")).isTrue();
        assertThat(paths.has("/api/v1/operations/{id}")).isTrue();
        assertThat(paths.has("/api/v1/stream")).isTrue();

        // the list answers stored JSON text (StoredWorkload); its schema must still be the workload's
        JsonNode workload = docs.json().get("components").get("schemas").get("WorkloadView").get("properties");
        assertThat(workload.get("labels").get("type").asString()).isEqualTo("object");
        assertThat(workload.get("spec").get("$ref").asString()).endsWith("/WorkloadSpec");
        assertThat(workload.get("status").get("$ref").asString()).endsWith("/WorkloadStatus");
        assertThat(workload.get("instances").get("type").asString()).isEqualTo("array");
        assertThat(workload.get("instances").get("items").get("$ref").asString()).endsWith("/Instance");
    }
}
