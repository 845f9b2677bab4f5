package io.gantry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineStatus;
import io.gantry.engine.EngineStore;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.sync.SyncCoordinator;
import io.gantry.workload.WorkloadStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A replica that lost an engine's lease (it was paused past the lease and another replica took the
 * engine) writes with its old token: every workload write is refused, and its sync worker stops.
 * The takeover is what another replica's acquisition does to the row (a new owner and a larger token).
 */
class FencingIT extends IntegrationTest {
    @Autowired
    WorkloadStore workloads;
    @Autowired
    EngineStore engines;
    @Autowired
    SyncCoordinator coordinator;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aWriteWithAStaleTokenIsRefusedAndItsWorkerStops() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("fence-1");
        fake.putQuietly(FakeEngine.workload("", "web", "nginx:1.27", 1, Map.of()));
        UUID id = UUID.fromString(Engines.register(api, "fence-1", Map.of()));
        Engines.awaitStatus(api, id.toString(), "UP");
        assertThat(coordinator.owns(id)).isTrue();
        Fence mine = new Fence(id, token(id));
        Engine engine = engines.find(id).orElseThrow();

        long newer = jdbc.sql("UPDATE engine_leases SET owner = 'another-replica', token = nextval('engine_lease_tokens'), "
                + "expires_at = now() + interval '1 hour' WHERE engine_id = ? RETURNING token").params(id)
                .query(Long.class).single();
        Fence theirs = new Fence(id, newer);
        assertThat(newer).isGreaterThan(mine.token());

        Instant now = Instant.now();
        assertThatThrownBy(() -> workloads.upsert(engine, mine, List.of(FakeEngine.workload("", "stale", "nginx:1", 1, Map.of())), now))
                .isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> workloads.markStale(mine)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> workloads.removeAllBut(engine, mine, Set.of(), now)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> workloads.remove(engine, mine, "/web", now)).isInstanceOf(LeaseLostException.class);
        assertThat(names(api)).containsExactly("web");
        assertThat(engines.updateStatus(mine, EngineStatus.DOWN, "a stale view")).isFalse();
        assertThat(engines.find(id).orElseThrow().status()).isEqualTo(EngineStatus.UP);

        // the current owner's token writes
        assertThat(workloads.upsert(engine, theirs, List.of(FakeEngine.workload("", "fresh", "nginx:1", 1, Map.of())), now))
                .containsExactly("/fresh");
        assertThat(names(api)).containsExactlyInAnyOrder("web", "fresh");

        // the stale worker's next write (a watched change) is refused, and it stops syncing the engine
        fake.put(FakeEngine.workload("", "late", "nginx:1", 1, Map.of()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !coordinator.owns(id));
        assertThat(names(api)).doesNotContain("late");
        assertThat(api.get("/api/v1/engines/" + id).json().get("syncOwner").asString()).isEqualTo("another-replica");

        api.delete("/api/v1/engines/" + id);
    }

    private long token(UUID engineId) {
        return jdbc.sql("SELECT token FROM engine_leases WHERE engine_id = ?").params(engineId).query(Long.class).single();
    }

    private static List<String> names(Api api) {
        return api.get("/api/v1/workloads?engine=fence-1").json().get("items").valueStream()
                .map(w -> w.get("name").asString()).toList();
    }
}
