package io.gantry.agent.adapter;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineClientContract;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The shared engine contract against a pool of two real agents. */
class AgentPoolContractIT extends EngineClientContract {
    @TempDir
    static Path root;
    private static AgentProcess a;
    private static AgentProcess b;
    private static EngineClient client;

    @BeforeAll
    static void startAgents() throws IOException {
        String token = "pool-" + UUID.randomUUID();
        a = new AgentProcess(root.resolve("a"), token, AgentProcess.freePort(), AgentProcess.freePort())
                .with("--node-name", "pool-a").start();
        b = new AgentProcess(root.resolve("b"), token, AgentProcess.freePort(), AgentProcess.freePort())
                .with("--node-name", "pool-b").start();
        client = new AgentEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "pool",
                "grpc://127.0.0.1:" + a.port + ",grpc://127.0.0.1:" + b.port, Map.of(), Map.of("token", token),
                Map.of(), Duration.ofSeconds(10)));
    }

    @AfterAll
    static void stopAgents() throws InterruptedException {
        client.close();
        a.close();
        b.close();
    }

    @Override
    protected EngineClient client() {
        return client;
    }

    @Override
    protected WorkloadDefinition runnable(String name) {
        return new WorkloadDefinition("contract", name, WorkloadKind.SERVICE, Map.of(), new WorkloadSpec(null,
                List.of("/bin/sh", "-c"), List.of("echo started; while true; do sleep 1; done"), null, null, null, 1,
                null, null, null));
    }

    @Override
    protected Duration settleTimeout() {
        return Duration.ofSeconds(20);
    }
}
