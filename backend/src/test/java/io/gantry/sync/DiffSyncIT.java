package io.gantry.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadSpec;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The diff sync is exact: a resync writes the rows that changed and deletes the ones gone, nothing else. Rows
 * written are counted twice, by the server ({@code sync.lastWritten}, {@code gantry_sync_rows_written_total}) and by
 * PostgreSQL itself (rows whose {@code xmin}, the transaction that last wrote them, is newer than the resync).
 */
class DiffSyncIT extends IntegrationTest {
    private static final int WORKLOADS = 20_000;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aResyncWritesExactlyTheRowsThatChanged() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("diff-20k");
        for (int i = 0; i < WORKLOADS; i++) {
            fake.putQuietly(workload(i));
        }
        fake.listInBatches(2_000, Duration.ZERO);
        long registered = System.nanoTime();
        String id = Engines.register(api, "diff-20k", Map.of());
        JsonNode first = awaitSynced(api, id, null);
        System.out.printf("First full sync of %,d workloads: %d ms (server), %d ms from registration%n", WORKLOADS,
                first.get("sync").get("lastDurationMs").asLong(), (System.nanoTime() - registered) / 1_000_000);
        assertThat(first.get("sync").get("lastWritten").asLong()).isEqualTo(WORKLOADS);
        assertThat(total(api, "diff-20k")).isEqualTo(WORKLOADS);
        UUID engineId = UUID.fromString(id);
        // every workload gets its first revision, recorded in batches off the sync's thread
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM workload_revisions r JOIN workloads w ON w.id = r.workload_id "
                        + "WHERE w.engine_id = ? AND r.revision = 1 AND r.message = 'as Gantry first saw it'",
                Long.class, engineId) == WORKLOADS);

        // nothing changed: nothing written
        for (int round = 0; round < 3; round++) {
            long before = rowsWritten(api);
            long xid = currentTransaction();
            long started = System.nanoTime();
            JsonNode sync = resync(api, id, first);
            System.out.printf("No-change resync of %,d workloads: %d ms (server), %d ms (API call to operation done)%n",
                    WORKLOADS, sync.get("sync").get("lastDurationMs").asLong(), (System.nanoTime() - started) / 1_000_000);
            assertThat(sync.get("sync").get("lastWritten").asLong()).isZero();
            assertThat(rowsWrittenSince(engineId, xid)).isZero();
            assertThat(rowsWritten(api)).isEqualTo(before);
            first = sync;
        }

        // one field of one workload changed: exactly that row written
        Workload changed = FakeEngine.withSpec(workload(12_345), WorkloadSpec.of("nginx:9.9", 2));
        fake.putQuietly(changed);
        long xid = currentTransaction();
        long before = rowsWritten(api);
        JsonNode afterChange = resync(api, id, first);
        assertThat(afterChange.get("sync").get("lastWritten").asLong()).isOne();
        assertThat(jdbc.queryForList("SELECT native_id FROM workloads WHERE engine_id = ? AND xmin::text::bigint >= ?",
                String.class, engineId, xid)).containsExactly(changed.nativeId());
        assertThat(rowsWritten(api)).isEqualTo(before + 1);
        assertThat(jdbc.queryForObject("SELECT image FROM workloads WHERE engine_id = ? AND native_id = ?", String.class,
                engineId, changed.nativeId())).isEqualTo("nginx:9.9");

        // one removed: exactly that one deleted, its last state kept as an event
        String goneId = jdbc.queryForObject("SELECT id::text FROM workloads WHERE engine_id = ? AND native_id = ?",
                String.class, engineId, workload(7).nativeId());
        fake.removeQuietly(workload(7).nativeId());
        xid = currentTransaction();
        before = rowsWritten(api);
        JsonNode afterRemoval = resync(api, id, afterChange);
        assertThat(afterRemoval.get("sync").get("lastWritten").asLong()).isOne();
        assertThat(rowsWrittenSince(engineId, xid)).isZero();
        assertThat(rowsWritten(api)).isEqualTo(before + 1);
        assertThat(total(api, "diff-20k")).isEqualTo(WORKLOADS - 1);
        assertThat(api.get("/api/v1/workloads/" + goneId).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/workloads/" + goneId + "/events").body()).contains("\"reason\":\"Deleted\"");
    }

    /**
     * A workload whose labels iterate in another order is the same workload: a resync writes nothing. Labels are a
     * {@code Map.copyOf}, whose order changes from one JVM run to the next; here two insertion orders that collide in
     * its table give two orders within one run, as a restart does.
     */
    @Test
    void labelsInAnotherOrderWriteNothing() {
        Map<String, String> ab = null;
        Map<String, String> ba = null;
        for (int set = 0; set < 1_000 && ab == null; set++) {
            Map<String, String> forward = new LinkedHashMap<>();
            Map<String, String> backward = new LinkedHashMap<>();
            for (int i = 0; i < 12; i++) {
                forward.put("key-" + set + "-" + i, "value-" + i);
                backward.put("key-" + set + "-" + (11 - i), "value-" + (11 - i));
            }
            if (!List.copyOf(Map.copyOf(forward).keySet()).equals(List.copyOf(Map.copyOf(backward).keySet()))) {
                ab = forward;
                ba = backward;
            }
        }
        assertThat(ab).as("two insertion orders that Map.copyOf iterates differently").isNotNull();
        Api api = api();
        FakeEngine fake = FakeEngine.named("diff-order");
        for (int i = 0; i < 50; i++) {
            fake.putQuietly(FakeEngine.workload("ns", "svc-" + i, "nginx:1", 1, ab));
        }
        String id = register(api, "diff-order", "10s");
        JsonNode synced = awaitSynced(api, id, null);
        assertThat(synced.get("sync").get("lastWritten").asLong()).isEqualTo(50);
        for (int i = 0; i < 50; i++) {
            fake.putQuietly(FakeEngine.workload("ns", "svc-" + i, "nginx:1", 1, ba));
        }
        long xid = currentTransaction();
        JsonNode again = resync(api, id, synced);
        assertThat(again.get("sync").get("lastWritten").asLong()).isZero();
        assertThat(rowsWrittenSince(UUID.fromString(id), xid)).isZero();
    }

    /** A listing longer than the call timeout that keeps handing batches is a big engine, not a dead one. */
    @Test
    void aListingThatKeepsHandingBatchesKeepsTheEngineUpAndCompletes() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("diff-slow");
        for (int i = 0; i < 5_000; i++) {
            fake.putQuietly(workload(i));
        }
        // 10 batches 700 ms apart: 6.3 s in all, three times the engine's call timeout, each silence well within it
        fake.listInBatches(500, Duration.ofMillis(700));
        String id = register(api, "diff-slow", "2s");
        List<JsonNode> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode engine = api.get("/api/v1/engines/" + id).json();
            seen.add(engine);
            assertThat(engine.get("status").asString()).as(engine.toString()).isNotEqualTo("DOWN");
            return engine.path("sync").path("lastCompletedAt").isString();
        });
        assertThat(seen).as("UP and SYNCING with progress while the listing ran").anySatisfy(e -> {
            assertThat(e.get("status").asString()).isEqualTo("UP");
            // path(): a snapshot taken before the sync recorded anything has no sync object to read
            assertThat(e.path("sync").path("state").asString("")).isEqualTo("SYNCING");
            assertThat(e.path("sync").path("listed").asLong()).isBetween(1L, 4_999L);
            assertThat(e.path("sync").path("expected").asLong()).isEqualTo(5_000);
        });
        JsonNode done = seen.get(seen.size() - 1);
        assertThat(done.get("status").asString()).isEqualTo("UP");
        assertThat(done.get("sync").get("state").asString()).isEqualTo("IDLE");
        assertThat(done.get("sync").get("listed").asLong()).isEqualTo(5_000);
        assertThat(total(api, "diff-slow")).isEqualTo(5_000);
    }

    /**
     * A listing that goes silent marks the engine DOWN as before; what its first batches brought stays, nothing is
     * deleted on the strength of a listing cut short, and the next complete sync ends with exactly the engine's
     * workloads.
     */
    @Test
    void aListingCutShortDeletesNothingAndTheNextSyncCompletesIt() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("diff-cut");
        for (int i = 0; i < 3_000; i++) {
            fake.putQuietly(workload(i));
        }
        fake.listInBatches(500, Duration.ZERO);
        String id = register(api, "diff-cut", "2s");
        JsonNode synced = awaitSynced(api, id, null);
        assertThat(total(api, "diff-cut")).isEqualTo(3_000);

        // changed on the engine meanwhile: 0-99 changed, 2900-2999 gone, 3000-3099 new
        Set<String> expected = new HashSet<>();
        Set<String> changed = new HashSet<>();
        Set<String> gone = new HashSet<>();
        for (int i = 0; i < 3_100; i++) {
            if (i >= 2_900 && i < 3_000) {
                fake.removeQuietly(workload(i).nativeId());
                gone.add(workload(i).nativeId());
            } else if (i < 100) {
                changed.add(workload(i).nativeId());
                fake.putQuietly(FakeEngine.withSpec(workload(i), WorkloadSpec.of("nginx:2.0", 1)));
                expected.add(workload(i).nativeId());
            } else {
                fake.putQuietly(workload(i));
                expected.add(workload(i).nativeId());
            }
        }
        // the engine lists in native id order: the two batches handed over before it goes silent are these
        List<String> handedOver = new TreeSet<>(expected).stream().limit(1_000).toList();
        long changedHandedOver = handedOver.stream().filter(changed::contains).count();
        long newHandedOver = handedOver.stream().filter(n -> Integer.parseInt(n.substring(n.indexOf("svc-") + 4)) >= 3_000)
                .count();
        assertThat(changedHandedOver).isPositive();
        fake.listGoesSilentAfter(2);
        try {
            api.post("/api/v1/engines/" + id + "/sync", null);
            JsonNode down;
            try {
                down = Engines.awaitStatus(api, id, "DOWN");
            } catch (AssertionError | RuntimeException e) {
                jdbc.queryForList("SELECT pid, state, wait_event_type, wait_event, now() - query_start AS took, "
                        + "pg_blocking_pids(pid) AS blockers, left(query, 300) AS query FROM pg_stat_activity "
                        + "WHERE state <> 'idle' AND pid <> pg_backend_pid()").forEach(r -> System.out.println("ACTIVITY " + r));
                throw e;
            }
            assertThat(down.get("message").asString()).contains("list workloads did not answer within 2000 ms");
            assertThat(down.get("sync").get("state").asString()).isEqualTo("IDLE");
            assertThat(down.get("sync").get("lastCompletedAt").asString())
                    .isEqualTo(synced.get("sync").get("lastCompletedAt").asString());
            UUID engineId = UUID.fromString(id);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM workloads WHERE engine_id = ? AND image = 'nginx:2.0'",
                    Integer.class, engineId)).as("the first batches were stored").isEqualTo((int) changedHandedOver);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM workloads WHERE engine_id = ?", Integer.class, engineId))
                    .as("the first batches were stored").isEqualTo(3_000 + (int) newHandedOver);
            assertThat(jdbc.queryForList("SELECT native_id FROM workloads WHERE engine_id = ?", String.class, engineId))
                    .as("nothing deleted after an incomplete listing").containsAll(gone);
        } finally {
            fake.listGoesSilentAfter(-1);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode engine = api.get("/api/v1/engines/" + id).json();
            assertThat(engine.get("status").asString()).isEqualTo("UP");
            assertThat(Set.copyOf(jdbc.queryForList("SELECT native_id FROM workloads WHERE engine_id = ? AND NOT stale",
                    String.class, UUID.fromString(id)))).isEqualTo(expected);
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM workloads WHERE engine_id = ?", Integer.class,
                UUID.fromString(id))).isEqualTo(3_000);
    }

    /**
     * Registers a fake engine with its own call timeout: a listing's silences are measured against it, and this
     * machine may be busy with other builds.
     */
    private static String register(Api api, String name, String callTimeout) {
        Api.Response r = api.post("/api/v1/engines", Map.of("name", name, "kind", "test", "endpoint", "test://" + name,
                "options", Map.of("callTimeout", callTimeout)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    static Workload workload(int i) {
        return FakeEngine.workload("ns-" + (i % 20), "svc-" + i, "nginx:1." + (i % 30), 1 + i % 3,
                Map.of("app", "app-" + (i % 50)));
    }

    /** The engine once a full sync completed after {@code previous} (null: any). */
    static JsonNode awaitSynced(Api api, String id, JsonNode previous) {
        String before = previous == null ? null : previous.get("sync").get("lastCompletedAt").asString();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last[0] = api.get("/api/v1/engines/" + id).json();
            JsonNode completed = last[0].path("sync").path("lastCompletedAt");
            assertThat(completed.isString() && !completed.asString().equals(before)).as(last[0].toString()).isTrue();
            assertThat(last[0].get("status").asString()).isEqualTo("UP");
        });
        return last[0];
    }

    private static JsonNode resync(Api api, String id, JsonNode previous) {
        Api.Response sync = api.post("/api/v1/engines/" + id + "/sync", null);
        assertThat(sync.status()).isEqualTo(202);
        Operations.await(api, sync.location(), "SUCCEEDED", Duration.ofSeconds(60));
        return awaitSynced(api, id, previous);
    }

    private static int total(Api api, String engine) {
        return api.get("/api/v1/workloads?limit=1&engine=" + engine).json().get("total").asInt();
    }

    /** The id of a new transaction: rows written after this have an {@code xmin} at least this. */
    private long currentTransaction() {
        return jdbc.queryForObject("SELECT txid_current()", Long.class);
    }

    private int rowsWrittenSince(UUID engineId, long xid) {
        return jdbc.queryForObject("SELECT count(*) FROM workloads WHERE engine_id = ? AND xmin::text::bigint >= ?",
                Integer.class, engineId, xid);
    }

    private static long rowsWritten(Api api) {
        return (long) api.get("/actuator/prometheus").body().lines()
                .filter(l -> l.startsWith("gantry_sync_rows_written_total{") && l.contains("engine=\"diff-20k\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
