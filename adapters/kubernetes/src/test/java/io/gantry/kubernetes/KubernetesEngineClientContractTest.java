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
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared contract, against the emulated API server with the test controller. */
class KubernetesEngineClientContractTest extends EngineClientContract {
    @RegisterExtension
    static final EmulatedEngine engine = new EmulatedEngine();

    @Override
    protected EngineClient client() {
        return engine.client();
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
