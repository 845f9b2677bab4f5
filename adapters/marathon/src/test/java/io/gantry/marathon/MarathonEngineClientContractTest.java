package io.gantry.marathon;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineClientContract;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;

/**
 * The shared port contract against the Marathon test server. The contract scales and deletes apps right
 * after deploying them, while Marathon's start deployment still locks them: the engine is registered with
 * {@code force=true}, as an operator who wants Gantry's changes to win would (without it the same calls give
 * 409 conflicts, see {@link MarathonEngineClientTest}).
 */
class MarathonEngineClientContractTest extends EngineClientContract {
    private static MarathonTestServer server;
    private static EngineClient client;

    @BeforeAll
    static void startMarathon() {
        server = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(200));
        client = new MarathonEngineAdapter().connect(connection(server.url(), Map.of("force", "true",
                "mesosUrl", server.url())));
    }

    @AfterAll
    static void stopMarathon() {
        client.close();
        server.close();
    }

    static EngineConnection connection(String endpoint, Map<String, String> options) {
        return new EngineConnection(UUID.randomUUID(), "test-marathon", endpoint, Map.of(), Map.of(), options,
                Duration.ofSeconds(3));
    }

    static WorkloadDefinition nginx(String namespace, String name) {
        return new WorkloadDefinition(namespace, name, WorkloadKind.SERVICE, Map.of("team", "shop"),
                new WorkloadSpec("nginx:1.27", null, null, Map.of("MODE", "test"), List.of(PortMapping.tcp(80)),
                        new Resources(250L, 64L * 1024 * 1024), 1, null, null, null));
    }

    @Override
    protected EngineClient client() {
        return client;
    }

    @Override
    protected WorkloadDefinition runnable(String name) {
        return nginx("contract", name);
    }

    @Override
    protected Duration settleTimeout() {
        return Duration.ofSeconds(10);
    }
}
