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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The watch is subscribed before the full list, and what it delivers around the list is applied by
 * {@link EngineSyncWorker}'s rule. The fake engine's hooks put each change at an exact point of the
 * first sync, so every case is deterministic; the engine turns UP only once the list and the changes
 * delivered meanwhile are stored, so the outcome is final when it is UP.
 */
class WatchBeforeListIT extends IntegrationTest {

    /** The race that made the Marathon e2e flaky: a change between the list and the subscription waited 30 s. */
    @Test
    void aChangeMadeAfterTheListWasReadIsAppliedWithTheFirstSync() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("order-race");
        fake.putQuietly(FakeEngine.workload("shop", "web", "nginx:1.27", 2, Map.of()));
        fake.putQuietly(FakeEngine.workload("shop", "old", "nginx:1.25", 1, Map.of()));
        fake.afterNextListRead(() -> {
            fake.put(FakeEngine.workload("shop", "late", "busybox:1", 1, Map.of()));
            fake.put(FakeEngine.workload("shop", "web", "nginx:1.28", 4, Map.of()));
            fake.removeQuietly("shop/old");
            fake.emit(new EngineChange.WorkloadRemoved("shop/old"));
        });

        String id = Engines.register(api, "order-race", Map.of());
        Engines.awaitStatus(api, id, "UP");

        Map<String, JsonNode> byName = byName(api, "order-race");
        assertThat(byName).containsOnlyKeys("web", "late");
        assertThat(byName.get("web").get("spec").get("image").asString()).isEqualTo("nginx:1.28");
        assertThat(byName.get("web").get("spec").get("replicas").asInt()).isEqualTo(4);
    }

    /** Delivered before the list was asked for: older than the list, so dropped. */
    @Test
    void aChangeDeliveredBeforeTheListNeitherRollsItBackNorBringsBackARemovedWorkload() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("order-older");
        fake.putQuietly(FakeEngine.workload("shop", "web", "nginx:1.28", 3, Map.of()));
        // a late delivery of what was true before: web at 1 replica, and a workload removed since
        fake.afterNextWatch(() -> {
            fake.emit(new EngineChange.WorkloadChanged(FakeEngine.workload("shop", "web", "nginx:1.27", 1, Map.of())));
            fake.emit(new EngineChange.WorkloadChanged(FakeEngine.workload("shop", "ghost", "busybox:1", 1, Map.of())));
        });

        String id = Engines.register(api, "order-older", Map.of());
        Engines.awaitStatus(api, id, "UP");

        Map<String, JsonNode> byName = byName(api, "order-older");
        assertThat(byName).containsOnlyKeys("web");
        assertThat(byName.get("web").get("spec").get("image").asString()).isEqualTo("nginx:1.28");
        assertThat(byName.get("web").get("spec").get("replicas").asInt()).isEqualTo(3);
    }

    /**
     * Delivered while the list ran, but older than what it read: only each workload's last change is
     * applied, so neither the older state nor the removed workload shows, not even for a moment.
     */
    @Test
    void ofTheChangesDeliveredDuringTheListOnlyTheLastOfEachWorkloadIsApplied() throws Exception {
        Api api = api();
        FakeEngine fake = FakeEngine.named("order-during");
        fake.beforeNextListReads(() -> {
            fake.put(FakeEngine.workload("shop", "api", "api:1", 1, Map.of()));
            fake.put(FakeEngine.workload("shop", "api", "api:2", 2, Map.of()));
            fake.put(FakeEngine.workload("shop", "brief", "busybox:1", 1, Map.of()));
            fake.removeQuietly("shop/brief");
            fake.emit(new EngineChange.WorkloadRemoved("shop/brief"));
        });
        try (StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.lines().contains(":connected"));

            String id = Engines.register(api, "order-during", Map.of());
            Engines.awaitStatus(api, id, "UP");
            // engine.status is published after the sync's workload events, on the same ordered stream
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.data("engine.status").stream()
                    .anyMatch(d -> d.contains("\"name\":\"order-during\"") && d.contains("\"status\":\"UP\"")));

            List<String> updates = stream.data("workload.updated").stream()
                    .filter(d -> d.contains("\"name\":\"order-during\"")).toList();
            assertThat(updates).as("updates %s", updates)
                    .noneMatch(d -> d.contains("\"image\":\"api:1\""))
                    .noneMatch(d -> d.contains("\"name\":\"brief\""))
                    .anyMatch(d -> d.contains("\"image\":\"api:2\""));
        }
        assertThat(byName(api, "order-during")).containsOnlyKeys("api");
    }

    /** A gap the watch reports while the list runs may hide a change made after the list read: it lists again. */
    @Test
    void aResyncRequiredDeliveredDuringTheListIsOneMoreFullResync() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("order-gap");
        fake.afterNextListRead(() -> {
            fake.putQuietly(FakeEngine.workload("shop", "missed", "busybox:1", 1, Map.of()));
            fake.emit(new EngineChange.ResyncRequired("the stream had a gap"));
        });

        String id = Engines.register(api, "order-gap", Map.of());
        Engines.awaitStatus(api, id, "UP");
        // long before the periodic resync (30 s)
        await().atMost(Duration.ofSeconds(5)).until(() -> byName(api, "order-gap").containsKey("missed"));
        assertThat(fake.calls()).filteredOn("list"::equals).hasSize(2);
    }

    /**
     * A deploy that ends while a full resync is reading the list: its workload is stored on the engine's sync
     * thread behind that resync, and the operation says SUCCEEDED only once it is, so that the workload id it
     * gives answers at once (it answered 404 until the resync was done).
     */
    @Test
    void aDeployEndingDuringAResyncIsStoredBeforeItSucceeds() throws Exception {
        Api api = api();
        FakeEngine fake = FakeEngine.named("order-deploy");
        fake.putQuietly(FakeEngine.workload("shop", "web", "nginx:1.27", 1, Map.of()));
        String id = Engines.register(api, "order-deploy", Map.of());
        Engines.awaitStatus(api, id, "UP");
        CountDownLatch listing = new CountDownLatch(1);
        fake.afterNextListRead(() -> {
            listing.countDown();
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Api.Response sync = api.post("/api/v1/engines/" + id + "/sync", null);
        assertThat(sync.status()).as(sync.toString()).isEqualTo(202);
        assertThat(listing.await(10, TimeUnit.SECONDS)).as("the resync is reading the list").isTrue();

        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "order-deploy", "namespace", "shop",
                "name", "fresh", "spec", Map.of("image", "busybox:1", "replicas", 1)));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        JsonNode done = Operations.await(api, deploy.location(), "SUCCEEDED");

        Api.Response fresh = api.get("/api/v1/workloads/" + done.get("workloadId").asString());
        assertThat(fresh.status()).as(fresh.toString()).isEqualTo(200);
        assertThat(fresh.json().get("name").asString()).isEqualTo("fresh");
    }

    private static Map<String, JsonNode> byName(Api api, String engine) {
        Map<String, JsonNode> byName = new HashMap<>();
        StreamSupport.stream(SyncIT.workloads(api, engine).get("items").spliterator(), false)
                .forEach(w -> byName.put(w.get("name").asString(), w));
        return byName;
    }
}
