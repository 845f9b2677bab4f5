package io.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.gantry.spi.EngineConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * fabric8's KubernetesMockServer in CRUD mode (the only way kubernetes-server-mock 7.4.0 runs with client-java 26; no controllers), the {@link TestController}
 * acting on it through fabric8's client, and the {@link ApiServerFront} that Gantry's adapter talks to.
 * Public, in this module's test-jar: the backend's end-to-end tests register it as an engine.
 */
public final class EmulatedCluster implements AutoCloseable {
    /** The watches one engine client keeps open when it watches all namespaces: one per resource type. */
    public static final int WATCHES_PER_CLIENT = ResourceType.values().length;

    public final KubernetesMockServer server;
    public final KubernetesClient fabric8;
    public final TestController controller;
    public final ApiServerFront front;

    public EmulatedCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init();
        fabric8 = server.createClient();
        // every cluster has it; engines without a namespace option deploy there
        fabric8.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build())
                .create();
        controller = new TestController(fabric8);
        try {
            front = new ApiServerFront(server.getHostName(), server.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public EngineConnection connection(Map<String, String> options) {
        return connection(options, Duration.ofSeconds(5));
    }

    public EngineConnection connection(Map<String, String> options, Duration callTimeout) {
        return connection(options, callTimeout, "test-token");
    }

    /** A connection signing in with its own bearer token, for faults the front aims at one client. */
    public EngineConnection connection(Map<String, String> options, Duration callTimeout, String token) {
        return new EngineConnection(UUID.randomUUID(), "emulated", front.url(), Map.of(), Map.of("token", token),
                options, callTimeout);
    }

    @Override
    public void close() {
        controller.close();
        front.close();
        fabric8.close();
        server.destroy();
    }
}
