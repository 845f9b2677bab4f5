package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.util.Watch;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gantry's tolerant codec reads its own clients' answers and watch lines, and only those: client-java's
 * static codec is left as it is for anything else in the JVM.
 */
class KubernetesJsonTest {
    /** A Deployment from an API server newer than the client: a field client-java's models do not know. */
    private static final String DEPLOYMENT = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
            + "\"namespace\":\"shop\",\"resourceVersion\":\"7\"},\"spec\":{\"replicas\":2,\"fieldOfTomorrow\":true}}";

    private HttpServer server;
    private KubernetesApi api;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/apis/apps/v1/deployments", ex -> {
            boolean watch = String.valueOf(ex.getRequestURI().getQuery()).contains("watch=true");
            String body = watch ? "{\"type\":\"ADDED\",\"object\":" + DEPLOYMENT + "}\n"
                    : "{\"apiVersion\":\"apps/v1\",\"kind\":\"DeploymentList\",\"metadata\":{\"resourceVersion\":\"7\"},"
                    + "\"items\":[" + DEPLOYMENT + "]}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        api = new KubernetesApi(new ApiClient().setBasePath(url), new ApiClient().setBasePath(url));
    }

    @AfterEach
    void stop() {
        api.shutdown();
        server.stop(0);
    }

    @Test
    void listsAndWatchesOfGantrysClientsReadFieldsTheModelsDoNotKnow() throws Exception {
        @SuppressWarnings("unchecked")
        List<V1Deployment> items = (List<V1Deployment>) api.listAll(ResourceType.DEPLOYMENTS, null, null).getItems();
        assertThat(items).singleElement().satisfies(d -> assertThat(d.getSpec().getReplicas()).isEqualTo(2));

        try (KubernetesWatch watch = api.watch(ResourceType.DEPLOYMENTS, null, "7", 60)) {
            Watch.Response<KubernetesObject> event = watch.next();
            assertThat(event.type).isEqualTo("ADDED");
            assertThat(((V1Deployment) event.object).getSpec().getReplicas()).isEqualTo(2);
        }
    }

    @Test
    void clientJavasOwnCodecIsNotReplacedForTheWholeJvm() {
        new KubernetesEngineAdapter();
        assertThat(JSON.getGson()).isNotSameAs(KubernetesJson.gson());
        assertThatThrownBy(() -> JSON.deserialize(DEPLOYMENT, V1Deployment.class))
                .as("client-java's codec, strict as it ships").hasMessageContaining("fieldOfTomorrow");
    }
}
