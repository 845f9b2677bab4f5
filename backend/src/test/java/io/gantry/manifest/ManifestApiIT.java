package io.gantry.manifest;

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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/** GET .../manifest and POST /workloads/import against fake engines. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestApiIT extends IntegrationTest {
    private static final String COMPOSE = """
            name: shop
            services:
              web:
                image: nginx:1.27
                ports: ["8080:80"]
                restart: always
                deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 256M}}}
              worker:
                image: busybox:1
                command: ["sleep", "3600"]
                environment: {QUEUE: jobs}
              cache:
                image: redis:7
                deploy: {mode: global}
            """;
    private FakeEngine bad;
    private String workloadId;

    @BeforeAll
    void engines() {
        FakeEngine source = FakeEngine.named("manifest-src");
        WorkloadSpec spec = new WorkloadSpec("nginx:1.27", List.of("nginx"), List.of("-g", "daemon off;"),
                Map.of("MODE", "prod"), List.of(new PortMapping(80, 8080, "tcp")), new Resources(500L, 268435456L), 2,
                HealthCheck.http("/", 80, 10), List.of("node.labels.zone==a"), "raw");
        source.putQuietly(new Workload("web/front", "web", "front", WorkloadKind.SERVICE, Map.of("app", "front"), spec,
                PhaseRule.status(PhaseRule.Facts.of(2, 2), "", null), List.of(), Instant.now(), null));
        FakeEngine.named("import-ok");
        bad = FakeEngine.named("import-bad");
        Api api = api();
        String src = Engines.register(api, "manifest-src", Map.of());
        Engines.awaitStatus(api, src, "UP");
        Engines.awaitStatus(api, Engines.register(api, "import-ok", Map.of()), "UP");
        Engines.awaitStatus(api, Engines.register(api, "import-bad", Map.of()), "UP");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode items = api.get("/api/v1/workloads?engine=manifest-src").json().get("items");
            assertThat(items).hasSize(1);
            workloadId = items.get(0).get("id").asString();
        });
    }

    @Test
    void rendersEveryFormatWithWarningsForWhatItCannotExpress() {
        Api.Response k8s = api().get("/api/v1/workloads/" + workloadId + "/manifest?format=kubernetes");
        assertThat(k8s.status()).as(k8s.toString()).isEqualTo(200);
        assertThat(k8s.contentType()).startsWith("application/yaml");
        assertThat(k8s.body()).contains("# warning: runtime 'raw'", "kind: Deployment", "kind: Service", "namespace: web",
                "image: nginx:1.27", "cpu: 500m", "memory: 256Mi", "zone: a");

        HttpResponse<String> compose = raw("/api/v1/workloads/" + workloadId + "/manifest?format=compose");
        assertThat(compose.body()).contains("name: web", "front:", "published: 8080", "cpus: '0.5'", "memory: 256M");
        assertThat(compose.headers().allValues("Gantry-Warning")).singleElement().asString().contains("runtime");

        Api.Response marathon = api().get("/api/v1/workloads/" + workloadId + "/manifest?format=MARATHON");
        assertThat(marathon.contentType()).startsWith("application/json");
        assertThat(marathon.json().get("id").asString()).isEqualTo("/web/front");
        assertThat(marathon.json().get("cpus").asDouble()).isEqualTo(0.5);
        assertThat(marathon.json().get("mem").asInt()).isEqualTo(256);
        assertThat(marathon.json().get("constraints").get(0).toString()).isEqualTo("[\"zone\",\"CLUSTER\",\"a\"]");

        Api.Response agent = api().get("/api/v1/workloads/" + workloadId + "/manifest?format=agent");
        assertThat(agent.json().get("spec").get("runtime").asString()).isEqualTo("raw");
        assertThat(agent.json().get("spec").get("memoryBytes").asString()).isEqualTo("268435456");
    }

    @Test
    void unknownFormatOrWorkload() {
        Api.Response format = api().get("/api/v1/workloads/" + workloadId + "/manifest?format=nomad");
        assertThat(format.status()).isEqualTo(400);
        assertThat(format.json().get("errors").get(0).get("field").asString()).isEqualTo("format");
        assertThat(api().get("/api/v1/workloads/" + workloadId + "/manifest").status()).isEqualTo(400);
        assertThat(api().get("/api/v1/workloads/" + UUID.randomUUID() + "/manifest?format=agent").status()).isEqualTo(404);
    }

    @Test
    void aComposeFileWithThreeServicesIsThreeOperations() {
        Api.Response r = api().post("/api/v1/workloads/import", Map.of("engine", "import-ok", "format", "compose",
                "manifest", COMPOSE));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode ops = r.json().get("operations");
        assertThat(ops).hasSize(3);
        assertThat(r.location()).isEqualTo("/api/v1/operations/" + ops.get(0).get("id").asString());
        for (JsonNode op : ops) {
            assertThat(op.get("action").asString()).isEqualTo("import");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    api().get("/api/v1/operations/" + op.get("id").asString()).json().get("state").asString())
                    .isEqualTo("SUCCEEDED"));
        }
        JsonNode first = api().get("/api/v1/operations/" + ops.get(0).get("id").asString()).json();
        assertThat(first.get("message").asString()).contains("warnings: services.web.restart is not kept");
        assertThat(first.get("workloadId").isNull()).isFalse();
        assertThat(FakeEngine.named("import-ok").calls()).contains("deploy web", "deploy worker", "deploy cache");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                api().get("/api/v1/workloads?engine=import-ok&namespace=shop").json().get("total").asInt()).isEqualTo(3));
    }

    @Test
    void badDocumentsAreClearProblemsAndDeployNothing() {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            }
            bomb.append("]\n");
        }
        bomb.append("services: {x: {image: busybox, command: *i}}\n");
        assertField(importing("compose", bomb.toString()), 400, "manifest", "aliases");
        assertField(importing("kubernetes", bomb.toString()), 400, "manifest", "aliases");
        assertField(importing("compose", COMPOSE + "servics: {}\n"), 400, "manifest.servics", "unknown top-level key");
        assertField(importing("marathon", "{\"id\": \"/web\", \"cmd\": \"sleep 1\", \"instances\": \"three\"}"), 400,
                "manifest.instances", "whole number");
        assertField(importing("marathon", "{\"id\": \"/web\", \"cmd\": 42}"), 400, "manifest.cmd", "string");
        assertField(importing("nomad", COMPOSE), 400, "format", "compose");

        String tenMegabytes = "services:\n  x:\n    image: busybox\n    environment:\n"
                + ("      K: " + "v".repeat(1000) + "\n").repeat(10 * 1024);
        Api.Response big = importing("compose", tenMegabytes);
        assertThat(big.status()).as(big.toString()).isEqualTo(413);
        assertThat(big.contentType()).startsWith("application/problem+json");

        assertThat(bad.calls()).noneMatch(c -> c.startsWith("deploy"));
        assertThat(api().get("/api/v1/operations?engine=import-bad").json().get("total").asInt()).isZero();
    }

    private Api.Response importing(String format, String manifest) {
        return api().post("/api/v1/workloads/import", Map.of("engine", "import-bad", "format", format, "manifest", manifest));
    }

    private static void assertField(Api.Response r, int status, String field, String message) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode error = r.json().get("errors").get(0);
        assertThat(error.get("field").asString()).as(r.toString()).isEqualTo(field);
        assertThat(error.get("message").asString()).as(r.toString()).contains(message);
    }

    private HttpResponse<String> raw(String path) {
        try {
            HttpRequest.Builder request = api().request(path).GET();
            return api().http().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
