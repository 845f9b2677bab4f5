package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The streamed listing on the real dockerd: batches arrive as services are parsed and add up to the plain listing. */
class SwarmListingIT {
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void requireSwarm() {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
    }

    @AfterEach
    void remove() {
        LocalSwarm.removeServices(created.toArray(String[]::new));
    }

    @Test
    void batchesArriveAndAddUpToTheWholeListing() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 7; i++) {
            created.add(LocalSwarm.docker("service", "create", "-d", "-q", "--no-resolve-image", "--name", "it-list-" + i + "-" + suffix,
                    "--label", LocalSwarm.TEST_LABEL + "=listing", "--replicas", "0", LocalSwarm.IMAGE, "sleep", "3600"));
        }
        EngineConnection connection = LocalSwarm.connection();
        try (SwarmEngineClient client = new SwarmEngineClient(connection, SwarmEndpoint.of(connection), SwarmSettings.of(connection));
             DockerApi api = new DockerApi(connection.name(), SwarmEndpoint.of(connection), connection.callTimeout())) {
            List<List<Workload>> batches = new ArrayList<>();
            new SwarmServiceListing(api, SwarmSettings.of(connection), 3).list(
                    SwarmServiceReader.nodeIndex(api.get("/nodes")), SwarmConfigIndex.read(api), batches::add);
            List<Workload> whole = client.listWorkloads();

            assertThat(batches).as("at most 3 per batch, so at least 3 batches for 7 services")
                    .hasSizeGreaterThanOrEqualTo(3).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(3));
            List<Workload> streamed = batches.stream().flatMap(List::stream).toList();
            assertThat(streamed).extracting(Workload::nativeId).doesNotHaveDuplicates().containsAll(created);
            // other test runs may share this dockerd and change their services between the two listings: compare ours
            assertThat(ours(streamed, suffix)).containsExactlyInAnyOrderElementsOf(ours(whole, suffix)).hasSize(7);
            Map<String, Workload> byId = whole.stream().collect(Collectors.toMap(Workload::nativeId, Function.identity()));
            for (Workload w : streamed.stream().filter(w -> byId.containsKey(w.nativeId())).toList()) {
                assertThat(w.name()).isEqualTo(byId.get(w.nativeId()).name());
                assertThat(w.spec()).isEqualTo(byId.get(w.nativeId()).spec());
                assertThat(w.labels()).isEqualTo(byId.get(w.nativeId()).labels());
            }
        }
    }

    private static List<String> ours(List<Workload> workloads, String suffix) {
        return workloads.stream().filter(w -> w.name().endsWith(suffix)).map(Workload::nativeId).toList();
    }
}
