package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kubernetes.EmulatedCluster;
import io.gantry.kubernetes.TestController;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 5's "Done when", proven through Gantry's REST API against the Kubernetes emulator (fabric8's
 * mock API server, the test controller that plays the cluster's controllers, and the front that serves
 * watches as the API server does). Each test runs its own emulator and engine registration, so stopping
 * a front disturbs nothing else.
 */
class KubernetesEndToEndIT extends IntegrationTest {
    private static final String NS = "k8s-e2e";

    private EmulatedCluster cluster;
    private KubernetesClient direct;
    private final List<String> registered = new ArrayList<>();

    @BeforeEach
    void startCluster() {
        cluster = new EmulatedCluster();
        direct = cluster.fabric8;
        direct.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    }

    @AfterEach
    void stopCluster() {
        registered.forEach(id -> api().delete("/api/v1/engines/" + id));
        cluster.close();
    }

    @Test
    void workloadsCreatedInTheApiServerAppearWithKindReplicasResourcesPortsAndPhase() {
        Api api = api();
        direct.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace(NS).addToLabels("team", "shop").endMetadata()
                .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withTemplate(template("web", "nginx:1.27", "500m", "256Mi", 80)).endSpec().build()).create();
        direct.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                .withNewMetadata().withName("db").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(2).withServiceName("db").withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withTemplate(template("db", "postgres:17", "1.5", "1G", 5432)).endSpec().build()).create();
        direct.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder()
                .withNewMetadata().withName("exporter").withNamespace(NS).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "exporter").endSelector()
                .withTemplate(template("exporter", "node-exporter:1.8", "100m", "64Mi", 9100)).endSpec().build()).create();

        String engineId = register(api, "k8s-e2e-read", Map.of("token", "test-token"));
        Engines.awaitStatus(api, engineId, "UP");

        JsonNode web = awaitWorkload(api, "k8s-e2e-read", "web", running(3));
        assertThat(web.get("nativeId").asString()).isEqualTo(NS + "/Deployment/web");
        assertThat(web.get("namespace").asString()).isEqualTo(NS);
        assertThat(web.get("kind").asString()).isEqualTo("SERVICE");
        assertThat(web.get("engine").get("kind").asString()).isEqualTo("kubernetes");
        assertThat(web.get("labels").get("team").asString()).isEqualTo("shop");
        assertThat(web.get("spec").get("image").asString()).isEqualTo("nginx:1.27");
        assertThat(web.get("spec").get("replicas").asInt()).isEqualTo(3);
        assertResources(web, 500, 256L << 20);
        assertPort(web, 80);
        assertThat(web.get("stale").asBoolean()).isFalse();

        JsonNode db = awaitWorkload(api, "k8s-e2e-read", "db", running(2));
        assertThat(db.get("kind").asString()).isEqualTo("STATEFUL");
        assertThat(db.get("spec").get("replicas").asInt()).isEqualTo(2);
        assertResources(db, 1500, 1_000_000_000L);
        assertPort(db, 5432);

        int nodes = TestController.NODES.size();
        JsonNode exporter = awaitWorkload(api, "k8s-e2e-read", "exporter", running(nodes));
        assertThat(exporter.get("kind").asString()).isEqualTo("DAEMON");
        assertResources(exporter, 100, 64L << 20);
        assertPort(exporter, 9100);

        JsonNode withInstances = api.get("/api/v1/workloads/" + web.get("id").asString()).json();
        assertThat(withInstances.get("instances")).hasSize(3);
        assertThat(withInstances.get("instances").get(0).get("state").asString()).isEqualTo("RUNNING");
        assertThat(TestController.NODES).contains(withInstances.get("instances").get(0).get("node").asString());
    }

    private String register(Api api, String name, Map<String, String> credentials) {
        Api.Response r = api.post("/api/v1/engines", Map.of("name", name, "kind", "kubernetes",
                "endpoint", cluster.front.url(), "labels", Map.of("env", "e2e"), "credentials", credentials));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        registered.add(id);
        return id;
    }

    private static PodTemplateSpec template(String app, String image, String cpu, String memory, int port) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName(app).withImage(image)
                .addNewPort().withContainerPort(port).withProtocol("TCP").endPort()
                .withNewResources().addToLimits("cpu", new Quantity(cpu)).addToLimits("memory", new Quantity(memory))
                .endResources().endContainer().endSpec().build();
    }

    private static Predicate<JsonNode> running(int replicas) {
        return w -> w.get("status").get("phase").asString().equals("RUNNING")
                && w.get("status").get("running").asInt() == replicas;
    }

    private static void assertResources(JsonNode workload, long cpuMillis, long memoryBytes) {
        assertThat(workload.get("spec").get("resources").get("cpuMillis").asLong()).isEqualTo(cpuMillis);
        assertThat(workload.get("spec").get("resources").get("memoryBytes").asLong()).isEqualTo(memoryBytes);
    }

    private static void assertPort(JsonNode workload, int containerPort) {
        JsonNode ports = workload.get("spec").get("ports");
        assertThat(ports).hasSize(1);
        assertThat(ports.get(0).get("containerPort").asInt()).isEqualTo(containerPort);
        assertThat(ports.get(0).get("protocol").asString()).isEqualTo("tcp");
    }

    /** The engine's workload of that name once it satisfies {@code ready}, read through the list API. */
    private static JsonNode awaitWorkload(Api api, String engine, String name, Predicate<JsonNode> ready) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            found[0] = workloadNamed(api, engine, name);
            return found[0] != null && ready.test(found[0]);
        });
        return found[0];
    }

    private static JsonNode workloadNamed(Api api, String engine, String name) {
        for (JsonNode w : api.get("/api/v1/workloads?engine=" + engine + "&namespace=" + NS + "&limit=500").json().get("items")) {
            if (w.get("name").asString().equals(name)) {
                return w;
            }
        }
        return null;
    }
}
