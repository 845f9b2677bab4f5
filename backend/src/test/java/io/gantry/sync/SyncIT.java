package io.gantry.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.EngineChange;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.support.StreamRecorder;
import io.gantry.spi.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SyncIT extends IntegrationTest {

    @Test
    void aFullResyncStoresWorkloadsAndDeletesTheOnesGoneKeepingTheirLastState() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("sync-1");
        for (String name : List.of("web", "api", "worker")) {
            fake.putQuietly(FakeEngine.workload("shop", name, "nginx:1.27", 2, Map.of("app", "shop")));
        }
        String id = Engines.register(api, "sync-1", Map.of());
        Engines.awaitStatus(api, id, "UP");
        assertThat(workloads(api, "sync-1").get("total").asInt()).isEqualTo(3);
        String workerId = idOf(api, "sync-1", "worker");

        fake.removeQuietly("shop/worker");
        Api.Response sync = api.post("/api/v1/engines/" + id + "/sync", null);
        assertThat(sync.status()).isEqualTo(202);
        assertThat(sync.json().get("action").asString()).isEqualTo("sync");
        Operations.await(api, sync.location(), "SUCCEEDED");

        assertThat(workloads(api, "sync-1").get("total").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/workloads/" + workerId).status()).isEqualTo(404);
        JsonNode events = api.get("/api/v1/workloads/" + workerId + "/events").json().get("items");
        assertThat(events.toString()).contains("\"reason\":\"Deleted\"").contains("\"workloadName\":\"worker\"");
        assertThat(api.get("/api/v1/events?engine=sync-1").body()).contains("Deleted");
    }

    @Test
    void aDownEngineBacksOffAndItsWorkloadsAreStaleUntilItIsUpAgain() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("sync-down");
        fake.putQuietly(FakeEngine.workload("", "db", "postgres:17", 1, Map.of()));
        String id = Engines.register(api, "sync-down", Map.of());
        Engines.awaitStatus(api, id, "UP");
        assertThat(workloads(api, "sync-down").get("items").get(0).get("stale").asBoolean()).isFalse();

        fake.mode(FakeEngine.Mode.FAIL);
        api.post("/api/v1/engines/" + id + "/sync", null);
        JsonNode down = Engines.awaitStatus(api, id, "DOWN");
        assertThat(down.get("message").asString()).contains("connection refused");
        assertThat(workloads(api, "sync-down").get("items").get(0).get("stale").asBoolean()).isTrue();

        // retries at 250 ms, 500 ms, 1 s, 2 s (capped): the gaps between pings grow. The exact delays and the cap
        // are BackoffTest's; timing here only shows the growth (a last gap of 2 s against a first of 250 ms)
        int before = fake.pingTimes().size();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.pingTimes().size() >= before + 4);
        List<Long> pings = fake.pingTimes().subList(before - 1, fake.pingTimes().size());
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < pings.size(); i++) {
            gaps.add(pings.get(i) - pings.get(i - 1));
        }
        assertThat(gaps.get(gaps.size() - 1)).as("gaps %s", gaps).isGreaterThanOrEqualTo(2 * gaps.get(0) - 50);

        fake.mode(FakeEngine.Mode.OK);
        Engines.awaitStatus(api, id, "UP");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(workloads(api, "sync-down").get("items").get(0).get("stale").asBoolean()).isFalse());
    }

    @Test
    void aHangingEngineDoesNotDelayAHealthyOne() {
        Api api = api();
        FakeEngine hanging = FakeEngine.named("sync-hang");
        hanging.mode(FakeEngine.Mode.HANG);
        FakeEngine healthy = FakeEngine.named("sync-healthy");
        healthy.putQuietly(FakeEngine.workload("", "cache", "redis:7", 1, Map.of()));
        try {
            // its own, long call timeout: while its first ping hangs, it stays UNKNOWN
            Api.Response r = api.post("/api/v1/engines", Map.of("name", "sync-hang", "kind", "test",
                    "endpoint", "test://sync-hang", "options", Map.of("callTimeout", "6s")));
            String hangId = r.json().get("id").asString();
            await().atMost(Duration.ofSeconds(5)).until(() -> !hanging.pingTimes().isEmpty());

            String healthyId = Engines.register(api, "sync-healthy", Map.of());
            Engines.awaitStatus(api, healthyId, "UP");
            assertThat(workloads(api, "sync-healthy").get("total").asInt()).isEqualTo(1);
            assertThat(api.get("/api/v1/engines/" + hangId).json().get("status").asString())
                    .as("the healthy engine synced while the other's first call still hangs").isEqualTo("UNKNOWN");

            JsonNode down = Engines.awaitStatus(api, hangId, "DOWN");
            assertThat(down.get("message").asString()).contains("did not answer within 6000 ms");
            Api.Response nodes = api.get("/api/v1/engines/" + hangId + "/nodes");
            assertThat(nodes.status()).isEqualTo(503);
            assertThat(nodes.json().get("engine").asString()).isEqualTo("sync-hang");
        } finally {
            hanging.mode(FakeEngine.Mode.OK);
        }
    }

    @Test
    void watchedChangesReachTheLiveStreamWithoutASync() throws Exception {
        Api api = api();
        FakeEngine fake = FakeEngine.named("sync-watch");
        String id = Engines.register(api, "sync-watch", Map.of());
        Engines.awaitStatus(api, id, "UP");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.watcherCount() > 0);

        try (StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.lines().contains(":connected"));

            // well before the next full resync (30 s), so the watch brought it; delivery time is not a test's figure
            fake.put(FakeEngine.workload("blue", "pushed", "busybox:1", 1, Map.of()));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                    stream.data("workload.updated").stream().anyMatch(d -> d.contains("\"name\":\"pushed\"")));

            fake.removeQuietly("blue/pushed");
            fake.emit(new EngineChange.WorkloadRemoved("blue/pushed"));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                    stream.data("workload.deleted").stream().anyMatch(d -> d.contains("\"nativeId\":\"blue/pushed\"")));

            String operation = api.post("/api/v1/engines/" + id + "/sync", null).json().get("id").asString();
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.data("operation.updated").stream()
                    .anyMatch(d -> d.contains(operation) && d.contains("\"state\":\"SUCCEEDED\"")));

            fake.mode(FakeEngine.Mode.FAIL);
            api.post("/api/v1/engines/" + id + "/sync", null);
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.data("engine.status").stream()
                    .anyMatch(d -> d.contains("\"name\":\"sync-watch\"") && d.contains("\"status\":\"DOWN\"")));
            fake.mode(FakeEngine.Mode.OK);
        }
        assertThat(workloads(api, "sync-watch").get("total").asInt()).isZero();
    }

    /**
     * 10,000 workloads go through the batched upsert and are all listed; the duration is printed.
     * The 2 s target is the bench's to measure: on a shared 2-core machine the same sync took 1 s
     * when idle and up to 19 s at a load average of 13, so a time bound here would only be flaky.
     */
    @Test
    void tenThousandWorkloadsSyncThroughTheBatchedPath() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("sync-10k");
        for (int i = 0; i < 10_000; i++) {
            Workload w = FakeEngine.workload("ns-" + (i % 20), "svc-" + i, "nginx:1." + (i % 30), 1 + i % 3,
                    Map.of("app", "app-" + (i % 50)));
            fake.putQuietly(w);
        }
        String id = Engines.register(api, "sync-10k", Map.of());
        // UP comes while a long listing still runs (SYNCING); the timer is recorded once the listing completed
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode engine = api.get("/api/v1/engines/" + id).json();
            return engine.get("status").asString().equals("UP") && engine.path("sync").hasNonNull("lastCompletedAt");
        });
        assertThat(workloads(api, "sync-10k").get("total").asInt()).isEqualTo(10_000);

        // the timer is recorded just after the sync is marked complete: scrape until it is there
        double seconds = await().atMost(Duration.ofSeconds(10)).until(() -> {
            Api.Response scraped = api.get("/actuator/prometheus");
            assertThat(scraped.status()).as(scraped.toString()).isEqualTo(200);
            return scraped.body().lines()
                    .filter(l -> l.startsWith("gantry_sync_duration_seconds_max{") && l.contains("engine=\"sync-10k\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        }, s -> s >= 0);
        System.out.printf("Full sync of 10,000 workloads took %.3f s%n", seconds);
        assertThat(seconds).isPositive();
        assertThat(list(api, "sync-10k", 500).get("items")).hasSize(500);
    }

    static JsonNode list(Api api, String engine, int limit) {
        return api.get("/api/v1/workloads?limit=" + limit + "&engine=" + engine + "&sort=-updated").json();
    }

    static JsonNode workloads(Api api, String engine) {
        Api.Response r = api.get("/api/v1/workloads?limit=500&engine=" + engine);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static String idOf(Api api, String engine, String name) {
        for (JsonNode w : workloads(api, engine).get("items")) {
            if (w.get("name").asString().equals(name)) {
                return w.get("id").asString();
            }
        }
        throw new AssertionError("no workload " + name + " on " + engine);
    }

}
