package io.gantry.kubernetes;

import io.gantry.spi.EngineClient;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An {@link EmulatedCluster} and one engine client connected to it, for a whole test class:
 * {@code @RegisterExtension static final EmulatedEngine engine = new EmulatedEngine();}. Also the
 * watch listener that records what it is told, and the wait for a condition, which these tests share.
 */
final class EmulatedEngine implements BeforeAllCallback, AfterAllCallback {
    private EmulatedCluster cluster;
    private EngineClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = new EmulatedCluster();
        client = connect(Map.of());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        client.close();
        cluster.close();
    }

    EmulatedCluster cluster() {
        return cluster;
    }

    /** The client of the whole class. */
    EngineClient client() {
        return client;
    }

    /** Another client of the same cluster, with these options; the caller closes it. */
    EngineClient connect(Map<String, String> options) {
        return new KubernetesEngineAdapter().connect(cluster.connection(options));
    }
}
