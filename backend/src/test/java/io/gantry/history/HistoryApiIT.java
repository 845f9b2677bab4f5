package io.gantry.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.InstanceUsage;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** The history behind the charts: replica changes kept by the sync, sampled totals and usage, pruning. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryApiIT extends IntegrationTest {
    private static final long MIB = 1024 * 1024;

    @Autowired
    HistorySampler sampler;
    @Autowired
    HistoryPruner pruner;
    @Autowired
    JdbcTemplate jdbc;

    private String changingEngine;
    private String steadyEngine;

    @BeforeAll
    void engines() {
        FakeEngine.named("hist-changing").putQuietly(FakeEngine.workload("shop", "hist-web", "nginx:1.27", 2, Map.of()));
        FakeEngine steady = FakeEngine.named("hist-steady");
        steady.putQuietly(FakeEngine.workload("shop", "hist-api", "nginx:1.27", 2, Map.of()));
        steady.putQuietly(FakeEngine.workload("shop", "hist-worker", "nginx:1.27", 3, 1, Map.of()));
        Api api = api();
        changingEngine = Engines.register(api, "hist-changing", Map.of());
        steadyEngine = Engines.register(api, "hist-steady", Map.of());
        Engines.awaitStatus(api, changingEngine, "UP");
        Engines.awaitStatus(api, steadyEngine, "UP");
    }

    @Test
    void aWorkloadsReplicaChangesAreKeptAsTheSyncSeesThem() {
        String id = workloadId("hist-changing", "hist-web");
        JsonNode first = history(id);
        assertThat(first.get("replicas")).hasSize(1);
        assertReplicas(first.get("replicas").get(0), 2, 2, "RUNNING");
        assertThat(first.get("usage")).as("the fake engine reported no usage").isEmpty();

        FakeEngine engine = FakeEngine.named("hist-changing");
        engine.put(FakeEngine.workload("shop", "hist-web", "nginx:1.27", 3, 1, Map.of()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(history(id).get("replicas")).hasSize(2));
        JsonNode changed = history(id).get("replicas");
        assertReplicas(changed.get(1), 1, 3, "DEGRADED");
        assertThat(Instant.parse(changed.get(1).get("at").asString()))
                .isAfterOrEqualTo(Instant.parse(changed.get(0).get("at").asString()));

        // a change that leaves replicas and phase alone is stored, but adds no history
        engine.put(FakeEngine.workload("shop", "hist-web", "nginx:1.28", 3, 1, Map.of()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                api().get("/api/v1/workloads/" + id).json().get("spec").get("image").asString()).isEqualTo("nginx:1.28"));
        assertThat(history(id).get("replicas")).hasSize(2);

        assertThat(api().get("/api/v1/workloads/" + UUID.randomUUID() + "/history").status()).isEqualTo(404);
    }

    @Test
    void engineTotalsAreSampledPerEngine() {
        sampler.sampleNow(Instant.now());
        JsonNode body = api().get("/api/v1/history?since=PT1H").json();
        assertThat(body.get("samplePeriodSeconds").asLong()).isEqualTo(30);
        JsonNode steady = null;
        for (JsonNode e : body.get("engines")) {
            if (e.get("id").asString().equals(steadyEngine)) {
                steady = e;
            }
        }
        assertThat(steady).as(body.toString()).isNotNull();
        assertThat(steady.get("name").asString()).isEqualTo("hist-steady");
        JsonNode last = steady.get("points").get(steady.get("points").size() - 1);
        assertThat(last.get("running").asInt()).isEqualTo(3);
        assertThat(last.get("desired").asInt()).isEqualTo(5);
        assertThat(last.get("at").asString()).endsWith("Z");
    }

    @Test
    void usageIsSampledAndCpuBecomesMillicores() {
        String id = workloadId("hist-steady", "hist-api");
        Instant t0 = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        Instant t1 = t0.plusSeconds(10);
        FakeEngine engine = FakeEngine.named("hist-steady");
        engine.reportUsage("shop/hist-api", List.of(new InstanceUsage("hist-api-0", 10.0, 60 * MIB, t0),
                new InstanceUsage("hist-api-1", 20.0, 40 * MIB, t0)));
        sampler.sampleNow(Instant.now());
        engine.reportUsage("shop/hist-api", List.of(new InstanceUsage("hist-api-0", 11.0, 70 * MIB, t1),
                new InstanceUsage("hist-api-1", 21.5, 50 * MIB, t1)));
        sampler.sampleNow(Instant.now());

        JsonNode usage = history(id).get("usage");
        assertThat(usage).as(usage.toString()).hasSize(2);
        assertThat(Instant.parse(usage.get(0).get("at").asString())).isEqualTo(t0);
        assertThat(usage.get(0).get("cpuMillis").isNull()).as("a rate needs two readings").isTrue();
        assertThat(usage.get(0).get("memoryBytes").asLong()).isEqualTo(100 * MIB);
        assertThat(Instant.parse(usage.get(1).get("at").asString())).isEqualTo(t1);
        // 2.5 CPU seconds over 10 s
        assertThat(usage.get(1).get("cpuMillis").asLong()).isEqualTo(250);
        assertThat(usage.get(1).get("memoryBytes").asLong()).isEqualTo(120 * MIB);
    }

    @Test
    void sinceMustBeAPositiveIsoDurationAndIsCappedAtTheRetention() {
        String id = workloadId("hist-steady", "hist-worker");
        for (String path : List.of("/api/v1/history", "/api/v1/workloads/" + id + "/history")) {
            for (String bad : List.of("bad", "6h", "-PT1H", "PT0S")) {
                Api.Response r = api().get(path + "?since=" + bad);
                assertThat(r.status()).as(path + " " + bad + ": " + r).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("since");
            }
            assertThat(api().get(path + "?since=P365D").status()).as("capped, not refused").isEqualTo(200);
            assertThat(api().get(path).status()).as("default window").isEqualTo(200);
        }
    }

    @Test
    void pruningDeletesWhatIsOlderThanTheRetention() {
        UUID workload = UUID.randomUUID();
        UUID engine = UUID.fromString(steadyEngine);
        Timestamp old = Timestamp.from(Instant.now().minus(Duration.ofDays(8)));
        Timestamp recent = Timestamp.from(Instant.now().minus(Duration.ofDays(6)));
        for (Timestamp at : List.of(old, recent)) {
            jdbc.update("INSERT INTO workload_history (workload_id, engine_id, at, running, desired, phase)"
                    + " VALUES (?, ?, ?, 1, 1, 'RUNNING')", workload, engine, at);
            jdbc.update("INSERT INTO workload_usage (workload_id, engine_id, at, cpu_seconds, memory_bytes, instances)"
                    + " VALUES (?, ?, ?, 1, 1, 1)", workload, engine, at);
            jdbc.update("INSERT INTO engine_history (engine_id, at, running, desired) VALUES (?, ?, 1, 1)", engine, at);
        }

        assertThat(pruner.pruneAt(Instant.now())).isGreaterThanOrEqualTo(3);

        assertThat(count("workload_history", "workload_id = ?", workload)).isEqualTo(1);
        assertThat(count("workload_usage", "workload_id = ?", workload)).isEqualTo(1);
        assertThat(count("engine_history", "engine_id = ? AND at < now() - interval '7 days'", engine)).isZero();
        assertThat(count("engine_history", "engine_id = ? AND at = ?", engine, recent)).isEqualTo(1);
    }

    private long count(String table, String where, Object... args) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE " + where, Long.class, args);
    }

    private JsonNode history(String workloadId) {
        Api.Response r = api().get("/api/v1/workloads/" + workloadId + "/history?since=PT6H");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private String workloadId(String engine, String name) {
        JsonNode items = api().get("/api/v1/workloads?engine=" + engine + "&q=" + name).json().get("items");
        assertThat(items).hasSize(1);
        return items.get(0).get("id").asString();
    }

    private static void assertReplicas(JsonNode point, int running, int desired, String phase) {
        assertThat(point.get("running").asInt()).as(point.toString()).isEqualTo(running);
        assertThat(point.get("desired").asInt()).as(point.toString()).isEqualTo(desired);
        assertThat(point.get("phase").asString()).as(point.toString()).isEqualTo(phase);
    }
}
