package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gantry.spi.EngineClient;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;

/** A full sync of many apps maps every app and task; its timing lives in {@link MarathonFullSyncBench}. */
class MarathonFullSyncTest {

    @Test
    void fullSyncMapsEveryAppAndTask() {
        try (MarathonTestServer server = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(50))) {
            createApps(server, 100, 5);
            try (EngineClient client = new MarathonEngineAdapter().connect(MarathonEngineClientContractTest
                    .connection(server.url(), Map.of("mesosUrl", server.url())))) {
                List<Workload> all = client.listWorkloads();
                assertThat(all).hasSize(100).allMatch(w -> w.status().phase() == Phase.RUNNING
                        && w.status().healthy() == 5 && w.instances().size() == 5);
            }
        }
    }

    /** Creates {@code apps} health-checked Docker apps of {@code tasks} tasks each and waits until all run. */
    static void createApps(MarathonTestServer server, int apps, int tasks) {
        for (int i = 0; i < apps; i++) {
            server.createApp("""
                    {"id": "/bench/group-%d/app-%d", "instances": %d, "cpus": 0.1, "mem": 64,
                     "container": {"type": "DOCKER", "docker": {"image": "nginx:1.27"},
                       "portMappings": [{"containerPort": 80, "hostPort": 0}]},
                     "networks": [{"mode": "container/bridge"}], "labels": {"bench": "yes"},
                     "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/", "portIndex": 0}]}"""
                    .formatted(i % 20, i, tasks));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (server.runningTasks() < (long) apps * tasks && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(server.runningTasks()).isEqualTo((long) apps * tasks);
    }
}
