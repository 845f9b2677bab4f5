package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kubernetes.EmulatedCluster;
import io.gantry.kubernetes.TestController;
import io.gantry.support.Api;
import io.gantry.support.ConsoleChecks;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.support.StreamRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
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

        // the test controller keeps a container whose image says "crash" waiting in CrashLoopBackOff
        createDeployment("broken", "example/crash:1", 1);
        // "crash-first": only the first pod of the set crash-loops, the other runs
        createDeployment("half-broken", "example/crash-first:1", 2);
        createDeployment("held", "nginx:1.27", 1);
        direct.apps().deployments().inNamespace(NS).withName("held").edit(d -> {
            d.getSpec().setPaused(true);
            return d;
        });

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

        JsonNode broken = awaitWorkload(api, "k8s-e2e-read", "broken", w -> w.get("status").get("phase").asString().equals("FAILED"));
        assertThat(broken.get("status").get("message").asString()).contains("CrashLoopBackOff");
        // one crash-looping pod of two: the workload serves, degraded, and says why and how many
        JsonNode halfBroken = awaitWorkload(api, "k8s-e2e-read", "half-broken",
                w -> w.get("status").get("phase").asString().equals("DEGRADED"));
        assertThat(halfBroken.get("status").get("message").asString()).contains("CrashLoopBackOff on 1 of 2 instances");
        JsonNode held = awaitWorkload(api, "k8s-e2e-read", "held", w -> w.get("status").get("phase").asString().equals("PAUSED"));
        assertThat(held.get("status").get("message").asString()).contains("rollout paused");
        assertThat(api.get("/api/v1/workloads?engine=k8s-e2e-read&phase=PAUSED").json().get("items"))
                .extracting(w -> w.get("name").asString()).containsExactly("held");

        JsonNode withInstances = api.get("/api/v1/workloads/" + web.get("id").asString()).json();
        assertThat(withInstances.get("instances")).hasSize(3);
        assertThat(withInstances.get("instances").get(0).get("state").asString()).isEqualTo("RUNNING");
        assertThat(TestController.NODES).contains(withInstances.get("instances").get(0).get("node").asString());
    }

    /**
     * Issue 21's "Done when" on the emulator: a Secret and a ConfigMap made through Gantry's API exist in the API
     * server; a Deployment deployed through Gantry references them with a {@code secretKeyRef} and a volume; the
     * workload shows the references by name and the Secret's value appears in none of Gantry's answers.
     */
    @Test
    void aDeploymentUsesASecretAndAConfigMapMadeThroughGantry() {
        Api api = api();
        Engines.awaitStatus(api, register(api, "k8s-e2e-configs", Map.of("token", "test-token")), "UP");
        String value = "s3cr3t-" + java.util.UUID.randomUUID();
        List<String> answers = new ArrayList<>();
        Api.Response secret = api.post("/api/v1/configs", Map.of("engine", "k8s-e2e-configs", "namespace", NS,
                "name", "db", "kind", "SECRET", "data", Map.of("password", value)));
        assertThat(secret.status()).as(secret.toString()).isEqualTo(201);
        Api.Response config = api.post("/api/v1/configs", Map.of("engine", "k8s-e2e-configs", "namespace", NS,
                "name", "web-conf", "kind", "CONFIG", "data", Map.of("app.properties", "mode=fast\n")));
        assertThat(config.status()).as(config.toString()).isEqualTo(201);
        answers.add(secret.body());
        answers.add(config.body());
        assertThat(new String(java.util.Base64.getDecoder().decode(direct.secrets().inNamespace(NS).withName("db").get()
                .getData().get("password")), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(value);
        assertThat(direct.configMaps().inNamespace(NS).withName("web-conf").get().getData())
                .containsEntry("app.properties", "mode=fast\n");

        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "k8s-e2e-configs", "namespace", NS,
                "name", "uses", "spec", Map.of("image", "nginx:1.27", "replicas", 1, "secrets", List.of(
                        Map.of("source", "db", "key", "password", "env", "DB_PASSWORD"),
                        Map.of("source", "web-conf", "kind", "CONFIG", "path", "/etc/web")))));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        Operations.await(api, deploy.location(), "SUCCEEDED");

        Deployment d = direct.apps().deployments().inNamespace(NS).withName("uses").get();
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        var env = c.getEnv().stream().filter(e -> e.getName().equals("DB_PASSWORD")).findFirst().orElseThrow();
        assertThat(env.getValue()).isNull();
        assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("db");
        assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        var volume = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null && "web-conf".equals(v.getConfigMap().getName())).findFirst().orElseThrow();
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(volume.getName());
            assertThat(m.getMountPath()).isEqualTo("/etc/web");
        });

        JsonNode uses = awaitWorkload(api, "k8s-e2e-configs", "uses", w -> w.get("spec").get("secrets").size() == 2);
        answers.add(uses.toString());
        assertThat(uses.get("spec").get("secrets").toString()).contains("\"source\":\"db\"", "\"env\":\"DB_PASSWORD\"",
                "\"source\":\"web-conf\"", "\"path\":\"/etc/web\"");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Api.Response listed = api.get("/api/v1/configs?engine=k8s-e2e-configs&kind=SECRET");
            answers.add(listed.body());
            JsonNode db = null;
            for (JsonNode item : listed.json().get("items")) {
                if (item.get("name").asString().equals("db")) {
                    db = item;
                }
            }
            assertThat(db).as(listed.body()).isNotNull();
            assertThat(db.get("keys").toString()).isEqualTo("[\"password\"]");
            assertThat(db.get("usedBy").toString()).contains("uses");
        });
        String id = uses.get("id").asString();
        for (String path : List.of("/api/v1/workloads/" + id, "/api/v1/workloads/" + id + "/manifest?format=kubernetes",
                "/api/v1/workloads/" + id + "/revisions", "/api/v1/audit?limit=100", "/api/v1/operations?limit=100")) {
            answers.add(api.get(path).body());
        }
        assertThat(answers).allSatisfy(body -> assertThat(body).doesNotContain(value));
    }

    /** pods/exec through the emulated API server (its exec runs the command on this machine, on a real pty). */
    @Test
    void aPodHasAConsole() {
        Api api = api();
        createDeployment("shell", "busybox:1", 1);
        Engines.awaitStatus(api, register(api, "k8s-e2e-console", Map.of("token", "test-token")), "UP");
        JsonNode shell = awaitWorkload(api, "k8s-e2e-console", "shell", running(1));
        assertThat(api.get("/api/v1/engines/k8s-e2e-console").json().get("capabilities").toString()).contains("exec");
        ConsoleChecks.shellWorks(port, ConsoleChecks.runningInstance(api, shell.get("id").asString()),
                userToken("k8s-console", "OPERATOR"), api);
    }

    @Test
    void deployScaleRestartAndDeleteThroughTheApiAreVisibleInTheApiServer() {
        Api api = api();
        String engineId = register(api, "k8s-e2e-ops", Map.of("token", "test-token"));
        Engines.awaitStatus(api, engineId, "UP");

        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "k8s-e2e-ops", "namespace", NS,
                "name", "cart", "kind", "service", "labels", Map.of("team", "shop"), "spec", Map.of("image", "cart:1",
                        "replicas", 2, "ports", List.of(Map.of("containerPort", 8080, "publishedPort", 30080, "protocol", "tcp")),
                        "resources", Map.of("cpuMillis", 250, "memoryBytes", 128L << 20))));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String cartId = Operations.await(api, deploy.location(), "SUCCEEDED").get("workloadId").asString();
        Deployment created = direct.apps().deployments().inNamespace(NS).withName("cart").get();
        assertThat(created.getSpec().getReplicas()).isEqualTo(2);
        Container main = created.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(main.getImage()).isEqualTo("cart:1");
        assertThat(main.getResources().getLimits()).containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("128Mi"));
        assertThat(main.getPorts().get(0).getContainerPort()).isEqualTo(8080);
        Service published = direct.services().inNamespace(NS).withName("cart").get();
        assertThat(published.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30080);
        JsonNode cart = awaitWorkload(api, "k8s-e2e-ops", "cart", running(2));
        assertThat(cart.get("id").asString()).isEqualTo(cartId);

        Api.Response scale = api.post("/api/v1/workloads/" + cartId + "/scale", Map.of("replicas", 4));
        assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
        Operations.await(api, scale.location(), "SUCCEEDED");
        assertThat(direct.apps().deployments().inNamespace(NS).withName("cart").get().getSpec().getReplicas()).isEqualTo(4);
        awaitWorkload(api, "k8s-e2e-ops", "cart", running(4));

        Api.Response restart = api.post("/api/v1/workloads/" + cartId + "/restart", null);
        assertThat(restart.status()).as(restart.toString()).isEqualTo(202);
        Operations.await(api, restart.location(), "SUCCEEDED");
        assertThat(direct.apps().deployments().inNamespace(NS).withName("cart").get().getSpec().getTemplate().getMetadata()
                .getAnnotations()).containsKey("kubectl.kubernetes.io/restartedAt");

        Api.Response delete = api.delete("/api/v1/workloads/" + cartId);
        assertThat(delete.status()).as(delete.toString()).isEqualTo(202);
        Operations.await(api, delete.location(), "SUCCEEDED");
        assertThat(direct.apps().deployments().inNamespace(NS).withName("cart").get()).isNull();
        assertThat(direct.services().inNamespace(NS).withName("cart").get()).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/v1/workloads/" + cartId).status() == 404);
    }

    @Test
    void aChangeMadeInTheApiServerReachesTheLiveStreamThroughTheWatch() throws Exception {
        Api api = api();
        try (StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            String engineId = register(api, "k8s-e2e-watch", Map.of("token", "test-token"));
            Engines.awaitStatus(api, engineId, "UP");
            // the server says UP after its full list and only then opens the watch: wait until every stream is open
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.front.openWatches() == EmulatedCluster.WATCHES_PER_CLIENT);

            // well before the next full resync (30 s), so the watch brought it; delivery time is not a test's figure
            createDeployment("pushed", "nginx:1.27", 1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> stream
                    .data("workload.updated").stream().anyMatch(d -> d.contains("\"nativeId\":\"" + NS + "/Deployment/pushed\"")));
        }
    }

    @Test
    void anUnreachableApiServerMakesTheEngineDownAndStaleThenItIsResynced() throws Exception {
        Api api = api();
        createDeployment("kept", "nginx:1.27", 1);
        createDeployment("removed-meanwhile", "nginx:1.27", 1);
        String engineId = register(api, "k8s-e2e-outage", Map.of("kubeconfig", kubeconfig(cluster.front.url())));
        Engines.awaitStatus(api, engineId, "UP");
        awaitWorkload(api, "k8s-e2e-outage", "kept", running(1));
        awaitWorkload(api, "k8s-e2e-outage", "removed-meanwhile", running(1));

        cluster.front.stop();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                api.get("/api/v1/engines/" + engineId).json().get("status").asString().equals("DOWN"));
        List<JsonNode> stale = workloads(api, "k8s-e2e-outage");
        assertThat(stale).hasSize(2).allSatisfy(w -> assertThat(w.get("stale").asBoolean()).isTrue());

        // changes made while Gantry cannot see them: the fabric8 client talks to the mock, not through the front
        createDeployment("created-meanwhile", "nginx:1.27", 1);
        direct.apps().deployments().inNamespace(NS).withName("removed-meanwhile").delete();
        direct.apps().deployments().inNamespace(NS).withName("kept").edit(d -> {
            d.getSpec().setReplicas(2);
            return d;
        });

        cluster.front.restart();
        Engines.awaitStatus(api, engineId, "UP");
        awaitWorkload(api, "k8s-e2e-outage", "created-meanwhile", running(1));
        awaitWorkload(api, "k8s-e2e-outage", "kept", running(2));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(workloads(api, "k8s-e2e-outage"))
                .extracting(w -> w.get("name").asString()).containsExactlyInAnyOrder("kept", "created-meanwhile"));
        assertThat(workloads(api, "k8s-e2e-outage")).allSatisfy(w -> assertThat(w.get("stale").asBoolean()).isFalse());
    }

    @Test
    void badInputIsAProblemNamingTheFieldAndCreatesNothing() {
        Api api = api();
        String engineId = register(api, "k8s-e2e-bad", Map.of("token", "test-token"));
        Engines.awaitStatus(api, engineId, "UP");

        assertProblem(api.post("/api/v1/workloads", deployBody("k8s-e2e-bad", NS, "Not_A_DNS_Name", 64L << 20)),
                422, "name", "DNS-1123");
        assertProblem(api.post("/api/v1/workloads", deployBody("k8s-e2e-bad", NS, "web", "12XB")),
                400, "spec.resources.memoryBytes", "must be a whole number");
        assertProblem(api.post("/api/v1/workloads", deployBody("k8s-e2e-bad", "no-such-namespace", "web", 64L << 20)),
                422, "namespace", "'no-such-namespace' does not exist");

        assertThat(direct.apps().deployments().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(direct.services().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(api.get("/api/v1/operations?engine=" + engineId).json().get("total").asInt()).isZero();
    }

    private static Map<String, Object> deployBody(String engine, String namespace, String name, Object memory) {
        return Map.of("engine", engine, "namespace", namespace, "name", name, "kind", "service",
                "spec", Map.of("image", "nginx:1.27", "replicas", 1, "resources", Map.of("cpuMillis", 100, "memoryBytes", memory)));
    }

    private static void assertProblem(Api.Response response, int status, String field, String message) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode errors = response.json().get("errors");
        assertThat(errors).as(response.toString()).hasSize(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo(field);
        assertThat(errors.get(0).get("message").asString()).contains(message);
    }

    private void createDeployment(String name, String image, int replicas) {
        direct.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withTemplate(template(name, image, "100m", "64Mi", 80)).endSpec().build()).create();
    }

    /** A kubeconfig as kubectl writes it, with a bearer token for the emulator's front. */
    private static String kubeconfig(String server) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: emulated
                  cluster: {server: "%s"}
                users:
                - name: gantry
                  user: {token: test-token}
                contexts:
                - name: e2e
                  context: {cluster: emulated, user: gantry, namespace: %s}
                current-context: e2e
                """.formatted(server, NS);
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

    /**
     * The engine's workload of that name once it satisfies {@code ready}, read through the list API. On a
     * timeout the failure shows the workload as last read, and the Deployment as the API server holds it.
     */
    private JsonNode awaitWorkload(Api api, String engine, String name, Predicate<JsonNode> ready) {
        JsonNode[] found = new JsonNode[1];
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                found[0] = workloadNamed(api, engine, name);
                return found[0] != null && ready.test(found[0]);
            });
        } catch (ConditionTimeoutException e) {
            Deployment inServer = direct.apps().deployments().inNamespace(NS).withName(name).get();
            throw new AssertionError(name + " of " + engine + " not as awaited within 10 s; Gantry lists: " + found[0]
                    + "\nthe API server's Deployment status: " + (inServer == null ? "none" : inServer.getStatus()), e);
        }
        return found[0];
    }

    private static JsonNode workloadNamed(Api api, String engine, String name) {
        for (JsonNode w : workloads(api, engine)) {
            if (w.get("name").asString().equals(name)) {
                return w;
            }
        }
        return null;
    }

    private static List<JsonNode> workloads(Api api, String engine) {
        List<JsonNode> items = new ArrayList<>();
        api.get("/api/v1/workloads?engine=" + engine + "&namespace=" + NS + "&limit=500").json().get("items")
                .forEach(items::add);
        return items;
    }

}
