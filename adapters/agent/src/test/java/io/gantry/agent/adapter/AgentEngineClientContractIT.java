package io.gantry.agent.adapter;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineClientContract;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The shared engine contract against a real agent daemon (a child JVM) running real processes. */
class AgentEngineClientContractIT extends EngineClientContract {
    @TempDir
    static Path root;
    private static AgentProcess agent;
    private static EngineClient client;

    @BeforeAll
    static void startAgent() throws IOException {
        agent = new AgentProcess(root).start();
        client = agent.client();
    }

    @AfterAll
    static void stopAgent() throws InterruptedException {
        client.close();
        agent.close();
    }

    @Override
    protected EngineClient client() {
        return client;
    }

    @Override
    protected WorkloadDefinition runnable(String name) {
        WorkloadSpec spec = new WorkloadSpec(null, List.of("/bin/sh", "-c"),
                List.of("echo started; while true; do sleep 1; done"), null, null, null, 1, null, null, null);
        return new WorkloadDefinition("contract", name, WorkloadKind.SERVICE, Map.of("suite", "contract"), spec);
    }

    @Override
    protected Duration settleTimeout() {
        return Duration.ofSeconds(20);
    }

}
