package io.gantry.operation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.cluster.Fence;
import io.gantry.cluster.ReplicaId;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.sync.SyncCoordinator;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Work another replica accepted for an engine this one syncs: journaled PENDING with its
 * {@link EngineWork}, it is read back from the journal, run here once, and its work dropped at the end.
 */
class QueuedWorkIT extends IntegrationTest {
    @Autowired
    JsonMapper json;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    ReplicaId replica;
    @Autowired
    OperationStore operations;
    @Autowired
    SyncCoordinator sync;

    @Test
    void everyKindOfWorkReadsBackAsItWasWritten() {
        WorkloadSpec spec = new WorkloadSpec("shop/cart:2", List.of("/bin/cart"), List.of("--port", "8080"),
                Map.of("DB_URL", "postgres://db/cart", "MODE", "live"), List.of(new PortMapping(8080, 30080, "tcp")),
                new Resources(500L, 268_435_456L), 3, HealthCheck.http("/health", 8080, 10), List.of("zone==a"), "raw");
        List<EngineWork> all = List.of(
                new EngineWork.Deploy(new WorkloadDefinition("shop", "cart", WorkloadKind.STATEFUL, Map.of("team", "red"), spec)),
                new EngineWork.Update("shop/cart", spec), new EngineWork.Scale("shop/cart", 7),
                new EngineWork.Restart("shop/cart"), new EngineWork.Delete("shop/cart"));
        for (EngineWork work : all) {
            OperationService.QueuedWork queued = new OperationService.QueuedWork(work, List.of("no node count"));
            assertThat(json.readValue(json.writeValueAsString(queued), OperationService.QueuedWork.class)).isEqualTo(queued);
        }
    }

    @Test
    void workQueuedByAnotherReplicaRunsHereOnce() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("queued-1");
        fake.putQuietly(FakeEngine.workload("", "web", "nginx:1.27", 2, Map.of()));
        String engineId = Engines.register(api, "queued-1", Map.of());
        Engines.awaitStatus(api, engineId, "UP");

        UUID deploy = queue(engineId, "deploy", new EngineWork.Deploy(new WorkloadDefinition("shop", "cart",
                WorkloadKind.SERVICE, Map.of("team", "red"), WorkloadSpec.of("cart:1", 2))), List.of("kept as a label"));
        UUID scale = queue(engineId, "scale", new EngineWork.Scale("/web", 4), List.of());

        JsonNode deployed = Operations.await(api, "/api/v1/operations/" + deploy, "SUCCEEDED");
        assertThat(deployed.get("message").asString()).isEqualTo("done; warnings: kept as a label");
        JsonNode cart = api.get("/api/v1/workloads/" + deployed.get("workloadId").asString()).json();
        assertThat(cart.get("spec").get("image").asString()).isEqualTo("cart:1");
        assertThat(cart.get("labels").get("team").asString()).isEqualTo("red");
        Operations.await(api, "/api/v1/operations/" + scale, "SUCCEEDED");

        assertThat(fake.calls()).containsOnlyOnce("deploy cart", "scale /web 4");
        for (UUID id : List.of(deploy, scale)) {
            assertThat(jdbc.queryForObject("SELECT executor FROM operations WHERE id = ?", String.class, id))
                    .isEqualTo(replica.value());
            assertThat(jdbc.queryForObject("SELECT work IS NULL FROM operations WHERE id = ?", Boolean.class, id))
                    .as("a finished operation keeps no work (a spec may carry secrets)").isTrue();
        }
    }

    @Test
    void workQueuedForARemovedEngineFails() {
        UUID gone = queue(UUID.randomUUID().toString(), "restart", new EngineWork.Restart("/web"), List.of());
        JsonNode failed = Operations.await(api(), "/api/v1/operations/" + gone, "FAILED");
        assertThat(failed.get("message").asString()).isEqualTo(OperationStore.ENGINE_REMOVED);
    }

    @Test
    void aClaimHoldsOnlyUnderTheEnginesCurrentLease() {
        Api api = api();
        FakeEngine.named("queued-2");
        UUID engineId = UUID.fromString(Engines.register(api, "queued-2", Map.of()));
        Engines.awaitStatus(api, engineId.toString(), "UP");
        Fence current = sync.fence(engineId).orElseThrow();
        // no work of its own: nothing here claims it but this test
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO operations (id, action, engine_id, username, state, progress, message, created_at, "
                + "updated_at, executor) VALUES (?, 'copy', ?, 'admin', 'PENDING', 0, 'queued', ?, ?, ?)",
                id, engineId, now, now, replica.value());

        assertThat(operations.claim(id, replica.value(), "calling", new Fence(engineId, current.token() - 1)))
                .as("a lease this replica lost").isEmpty();
        assertThat(operations.claim(id, replica.value(), "calling", current)).isPresent();
    }

    /** What another replica, which does not sync the engine, journals when it accepts {@code work}. */
    private UUID queue(String engineId, String action, EngineWork work, List<String> warnings) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO operations (id, action, engine_id, username, state, progress, message, request, work, "
                        + "created_at, updated_at, executor) VALUES (?, ?, ?, 'admin', 'PENDING', 0, 'queued', '{}', "
                        + "?::jsonb, ?, ?, 'another-replica')", id, action, UUID.fromString(engineId),
                json.writeValueAsString(new OperationService.QueuedWork(work, warnings)), now, now);
        return id;
    }
}
