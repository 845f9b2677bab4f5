package io.gantry.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.WorkloadSpec;
import io.gantry.support.Api;
import io.gantry.support.FakeEngine;
import io.gantry.support.ServerContexts;
import io.gantry.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A server stopped in the middle of a full sync loses nothing: what the listing's first batches brought is stored,
 * nothing is deleted on the strength of the listing cut short, and the server started again ends with exactly the
 * engine's workloads.
 */
class SyncRestartIT {
    private final String database = TestDatabase.newDatabase();

    @Test
    void aServerStoppedInTheMiddleOfASyncLosesNothing() throws Exception {
        FakeEngine fake = FakeEngine.named("restart-sync");
        for (int i = 0; i < 6_000; i++) {
            fake.putQuietly(DiffSyncIT.workload(i));
        }
        fake.listInBatches(500, Duration.ZERO);
        String id;
        String firstCompleted;
        Set<String> expected = new HashSet<>();
        try (ConfigurableApplicationContext first = ServerContexts.start(database)) {
            Api api = new Api(ServerContexts.port(first));
            Api.Response r = api.post("/api/v1/engines", Map.of("name", "restart-sync", "kind", "test",
                    "endpoint", "test://restart-sync", "options", Map.of("callTimeout", "10s")));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            id = r.json().get("id").asString();
            firstCompleted = DiffSyncIT.awaitSynced(api, id, null).get("sync").get("lastCompletedAt").asString();

            // on the engine meanwhile: 0-99 changed, 5000-5999 gone; the next listing takes 12 batches 400 ms apart
            for (int i = 0; i < 5_000; i++) {
                fake.putQuietly(i < 100 ? FakeEngine.withSpec(DiffSyncIT.workload(i), WorkloadSpec.of("nginx:2.0", 1))
                        : DiffSyncIT.workload(i));
                expected.add(DiffSyncIT.workload(i).nativeId());
            }
            for (int i = 5_000; i < 6_000; i++) {
                fake.removeQuietly(DiffSyncIT.workload(i).nativeId());
            }
            fake.listInBatches(500, Duration.ofMillis(400));
            assertThat(api.post("/api/v1/engines/" + id + "/sync", null).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                JsonNode sync = api.get("/api/v1/engines/" + id).json().path("sync");
                return sync.path("state").asString("").equals("SYNCING") && sync.path("listed").asLong() >= 1_000;
            });
        }

        Map<String, Long> stored = storedImages(id);
        assertThat(stored.values().stream().mapToLong(Long::longValue).sum())
                .as("nothing deleted after the listing was cut short by the stop").isEqualTo(6_000);
        assertThat(stored.getOrDefault("nginx:2.0", 0L)).as("the first batches' changes were stored").isPositive();

        try (ConfigurableApplicationContext second = ServerContexts.start(database)) {
            Api api = new Api(ServerContexts.port(second));
            fake.listInBatches(500, Duration.ZERO);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                JsonNode sync = api.get("/api/v1/engines/" + id).json().path("sync");
                assertThat(sync.path("lastCompletedAt").asString("")).isNotEqualTo(firstCompleted);
                assertThat(sync.path("state").asString("")).isEqualTo("IDLE");
            });
            try (Connection c = DriverManager.getConnection(database, "postgres", "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT native_id, image, stale FROM workloads "
                         + "WHERE engine_id = '" + id + "'")) {
                Set<String> nativeIds = new HashSet<>();
                while (rs.next()) {
                    nativeIds.add(rs.getString(1));
                    assertThat(rs.getBoolean(3)).as(rs.getString(1)).isFalse();
                    int n = Integer.parseInt(rs.getString(1).substring(rs.getString(1).indexOf("svc-") + 4));
                    assertThat(rs.getString(2)).as(rs.getString(1)).isEqualTo(n < 100 ? "nginx:2.0" : "nginx:1." + (n % 30));
                }
                assertThat(nativeIds).isEqualTo(expected);
            }
        }
    }

    /** Stored workloads of the engine by image, read straight from the database between the two servers. */
    private Map<String, Long> storedImages(String engineId) throws Exception {
        Map<String, Long> byImage = new HashMap<>();
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT image, count(*) FROM workloads WHERE engine_id = '"
                     + engineId + "' GROUP BY image")) {
            while (rs.next()) {
                byImage.put(rs.getString(1), rs.getLong(2));
            }
        }
        return byImage;
    }
}
