package io.gantry.kubernetes;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineClientContract;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared contract, against the emulated API server with the test controller. */
class KubernetesEngineClientContractTest extends EngineClientContract {
    private static EmulatedCluster cluster;
    private static EngineClient client;

    @BeforeAll
    static void start() {
        cluster = new EmulatedCluster();
        client = new KubernetesEngineAdapter().connect(cluster.connection(Map.of()));
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    @Override
    protected EngineClient client() {
        return client;
    }

    @Override
    protected WorkloadDefinition runnable(String name) {
        return new WorkloadDefinition("contract", name, WorkloadKind.SERVICE, Map.of("app", name),
                new WorkloadSpec("nginx:1.27", null, null, Map.of("MODE", "test"), List.of(PortMapping.tcp(80)),
                        new Resources(500L, 268435456L), 1, null, null, null));
    }

    @Override
    protected Duration settleTimeout() {
        return Duration.ofSeconds(15);
    }
}
