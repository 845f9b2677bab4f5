package io.gantry.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.HealthCheck;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompareApiIT extends IntegrationTest {
    private String web1;
    private String web2;
    private String other;

    @BeforeAll
    void workloadsOnTwoEngines() {
        FakeEngine a = FakeEngine.named("compare-a");
        a.putQuietly(workload("web", "nginx", Map.of("A", "1", "B", "2"),
                List.of(PortMapping.tcp(80), new PortMapping(443, 8443, "tcp")), new Resources(500L, 268435456L)));
        a.putQuietly(workload("other", "nginx:1.25", Map.of("A", "9"), List.of(PortMapping.tcp(80)),
                new Resources(250L, null)));
        FakeEngine b = FakeEngine.named("compare-b");
        b.putQuietly(workload("web", "docker.io/library/nginx:latest", Map.of("B", "2", "A", "1"),
                List.of(new PortMapping(443, 8443, "tcp"), PortMapping.tcp(80)), new Resources(500L, 268435456L)));
        Api api = api();
        String engineA = Engines.register(api, "compare-a", Map.of());
        String engineB = Engines.register(api, "compare-b", Map.of());
        Engines.awaitStatus(api, engineA, "UP");
        Engines.awaitStatus(api, engineB, "UP");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            web1 = id("compare-a", "web");
            web2 = id("compare-b", "web");
            other = id("compare-a", "other");
        });
    }

    @Test
    void sameWorkloadOnTwoEnginesHasNoSpecDifferences() {
        Api.Response r = api().get("/api/v1/compare?ids=" + web1 + "," + web2);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("workloads")).hasSize(2);
        assertThat(body.get("workloads").get(0).get("id").asString()).isEqualTo(web1);
        assertThat(body.get("workloads").get(1).get("engine").get("name").asString()).isEqualTo("compare-b");
        assertThat(body.get("workloads").get(0).get("phase").asString()).isEqualTo("RUNNING");
        assertThat(body.get("differences").asInt()).as(body.toString()).isZero();
        JsonNode cpu = field(body, "spec.resources.cpuMillis");
        assertThat(cpu.get("values").get(0).asLong()).isEqualTo(500);
        assertThat(cpu.get("display").get(0).asString()).isEqualTo("500m = 0.5 CPU");
        assertThat(field(body, "spec.image").get("equal").asBoolean()).isTrue();
        assertThat(field(body, "spec.ports").get("values").get(0)).hasSize(2);
        assertThat(field(body, "spec.healthCheck.type").get("values").get(0).asString()).isEqualTo("http");
    }

    @Test
    void differencesAreNamedAndCounted() {
        JsonNode body = api().get("/api/v1/compare?ids=" + web1 + "&ids=" + other + "&ids=" + web2).json();
        assertThat(body.get("workloads")).hasSize(3);
        JsonNode image = field(body, "spec.image");
        assertThat(image.get("equal").asBoolean()).isFalse();
        assertThat(image.get("values").get(1).asString()).isEqualTo("nginx:1.25");
        assertThat(field(body, "spec.env").get("differingKeys").toString()).isEqualTo("[\"A\",\"B\"]");
        assertThat(field(body, "spec.ports").get("equal").asBoolean()).isFalse();
        assertThat(field(body, "spec.resources.memoryBytes").get("values").get(1).isNull()).isTrue();
        assertThat(field(body, "labels").get("differingKeys").toString()).isEqualTo("[\"app\"]");
        assertThat(body.get("differences").asInt()).as("labels, image, env, ports, cpu, memory").isEqualTo(6);
    }

    @Test
    void unknownIdIs404AndTooFewIdsAre400() {
        Api.Response unknown = api().get("/api/v1/compare?ids=" + web1 + "," + UUID.randomUUID());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");

        for (String query : List.of("ids=" + web1, "ids=" + web1 + "," + web1, "ids=" + web1 + ",not-a-uuid")) {
            Api.Response bad = api().get("/api/v1/compare?" + query);
            assertThat(bad.status()).as(query).isEqualTo(400);
            assertThat(bad.contentType()).startsWith("application/problem+json");
            assertThat(bad.json().get("errors").get(0).get("field").asString()).isEqualTo("ids");
        }
        Api.Response missing = api().get("/api/v1/compare");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors").get(0).get("field").asString()).isEqualTo("ids");
    }

    private String id(String engine, String name) {
        JsonNode items = api().get("/api/v1/workloads?engine=" + engine + "&q=" + name).json().get("items");
        for (JsonNode item : items) {
            if (item.get("name").asString().equals(name)) {
                return item.get("id").asString();
            }
        }
        throw new AssertionError("no workload " + name + " on " + engine + " yet");
    }

    private static JsonNode field(JsonNode body, String path) {
        for (JsonNode f : body.get("fields")) {
            if (f.get("path").asString().equals(path)) {
                return f;
            }
        }
        throw new AssertionError("no field " + path + " in " + body);
    }

    private static Workload workload(String name, String image, Map<String, String> env, List<PortMapping> ports,
                                     Resources resources) {
        WorkloadSpec spec = new WorkloadSpec(image, List.of("httpd"), List.of("-f"), env, ports, resources, 2,
                HealthCheck.http("/", 80, 10), List.of(), null);
        return new Workload("default/" + name, "default", name, WorkloadKind.SERVICE, Map.of("app", name), spec,
                PhaseRule.status(PhaseRule.Facts.of(2, 2), "", Instant.parse("2026-01-01T00:00:00Z")), List.of(),
                Instant.parse("2026-01-01T00:00:00Z"), null);
    }
}
