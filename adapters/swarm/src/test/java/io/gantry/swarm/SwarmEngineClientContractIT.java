package io.gantry.swarm;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineClientContract;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The port's shared contract against the real single-node swarm of this machine. */
class SwarmEngineClientContractIT extends EngineClientContract {
    private static EngineClient client;

    @BeforeAll
    static void connect() {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        client = new SwarmEngineAdapter().connect(LocalSwarm.connection());
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    protected EngineClient client() {
        return client;
    }

    @Override
    protected WorkloadDefinition runnable(String name) {
        return new WorkloadDefinition("", name, WorkloadKind.SERVICE, Map.of(LocalSwarm.TEST_LABEL, "contract"),
                SwarmTestWorkloads.sleeper(1));
    }
}
