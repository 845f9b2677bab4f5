package io.gantry.marathon;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gantry.spi.EngineClient;
import io.gantry.spi.Workload;

/**
 * Issue 6's scale benchmark (target: under 3 s): 1,000 apps with 5,000 tasks served by the test Marathon,
 * then a timed full sync. Not a unit test (its name does not end in Test): run it with bench/marathon/run.sh.
 */
class MarathonFullSyncBench {

    @Test
    void fullSyncOfAThousandAppsWithFiveThousandTasks() {
        try (MarathonTestServer server = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(50))) {
            MarathonFullSyncTest.createApps(server, 1000, 5);
            try (EngineClient client = new MarathonEngineAdapter().connect(MarathonEngineClientContractTest
                    .connection(server.url(), Map.of("mesosUrl", server.url())))) {
                long start = System.nanoTime();
                List<Workload> all = client.listWorkloads();
                long cold = Duration.ofNanos(System.nanoTime() - start).toMillis();
                start = System.nanoTime();
                client.listWorkloads();
                long warm = Duration.ofNanos(System.nanoTime() - start).toMillis();
                System.out.printf("%n| cores | apps | tasks | first full sync (ms) | second full sync (ms) | target (ms) |%n"
                        + "|------:|-----:|------:|---------------------:|----------------------:|------------:|%n"
                        + "| %5d | %4d | %5d | %20d | %21d | %11d |%n", Runtime.getRuntime().availableProcessors(),
                        all.size(), all.stream().mapToInt(w -> w.instances().size()).sum(), cold, warm, 3000);
            }
        }
    }
}
