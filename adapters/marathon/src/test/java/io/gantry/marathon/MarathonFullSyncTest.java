package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gantry.spi.EngineClient;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;

/** Issue 6's scale target: a full sync of 1,000 apps with 5,000 tasks in under 3 s. */
class MarathonFullSyncTest {

    @Test
    void fullSyncOfAThousandAppsWithFiveThousandTasks() {
        try (MarathonTestServer server = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(50))) {
            for (int i = 0; i < 1000; i++) {
                server.createApp("""
                        {"id": "/bench/group-%d/app-%d", "instances": 5, "cpus": 0.1, "mem": 64,
                         "container": {"type": "DOCKER", "docker": {"image": "nginx:1.27"},
                           "portMappings": [{"containerPort": 80, "hostPort": 0}]},
                         "networks": [{"mode": "container/bridge"}], "labels": {"bench": "yes"},
                         "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/", "portIndex": 0}]}"""
                        .formatted(i % 20, i));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (server.runningTasks() < 5000 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(server.runningTasks()).isEqualTo(5000);
            try (EngineClient client = new MarathonEngineAdapter().connect(MarathonEngineClientContractTest
                    .connection(server.url(), Map.of("mesosUrl", server.url())))) {
                long start = System.nanoTime();
                List<Workload> all = client.listWorkloads();
                Duration cold = Duration.ofNanos(System.nanoTime() - start);
                start = System.nanoTime();
                client.listWorkloads();
                Duration warm = Duration.ofNanos(System.nanoTime() - start);
                System.out.printf("Marathon full sync: %d apps, %d tasks: first %d ms, then %d ms%n", all.size(),
                        all.stream().mapToInt(w -> w.instances().size()).sum(), cold.toMillis(), warm.toMillis());
                assertThat(all).hasSize(1000).allMatch(w -> w.status().phase() == Phase.RUNNING
                        && w.status().healthy() == 5 && w.instances().size() == 5);
                assertThat(cold).isLessThan(Duration.ofSeconds(3));
            }
        }
    }
}
