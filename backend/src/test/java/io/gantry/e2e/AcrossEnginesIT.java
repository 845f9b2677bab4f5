package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.kubernetes.EmulatedCluster;
import io.gantry.spi.EmbeddedEngineLauncher;
import io.gantry.spi.RequiredEngine;
import io.gantry.support.Api;
import io.gantry.support.IntegrationTest;
import io.gantry.swarm.LocalSwarm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Issue 8's "Done when" through the REST API on real engines: a service on this machine's Swarm
 * (dockerd) copied to a real node agent (the in-process daemon, raw processes) and to the Kubernetes
 * emulator compares equal in image, command, env, ports, resources and replicas; a Compose file of three
 * services imported to the agent runs three workloads. Swarm services made here are named
 * {@code e2e-across-...} and only those are removed; engines have names of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcrossEnginesIT extends IntegrationTest {
    private static final String PREFIX = "e2e-across-";
    /** Swarm and the agent need a few seconds to start tasks on a busy machine. */
    private static final Duration SETTLE = Duration.ofSeconds(45);
    private static final List<String> COMPARED = List.of("spec.image", "spec.command", "spec.args", "spec.env",
            "spec.ports", "spec.resources.cpuMillis", "spec.resources.memoryBytes", "spec.replicas");

    private EmbeddedEngineLauncher.EmbeddedEngine agent;
    private EmulatedCluster cluster;
    private final List<String> engines = new ArrayList<>();
    private final List<String> services = new ArrayList<>();
    private String swarmEngine;
    private String agentEngine;
    private String k8sEngine;

    @BeforeAll
    void engines() throws Exception {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        EmbeddedEngineLauncher launcher = ServiceLoader.load(EmbeddedEngineLauncher.class).stream()
                .map(ServiceLoader.Provider::get).filter(l -> l.kind().equals("agent")).findFirst().orElseThrow();
        agent = launcher.start(Files.createTempDirectory(Path.of("target"), "across-agent-"));
        cluster = new EmulatedCluster();
        Api api = api();
        swarmEngine = register(api, "across-e2e-swarm", "swarm", "unix://" + LocalSwarm.SOCKET, Map.of());
        agentEngine = register(api, "across-e2e-agent", "agent", agent.endpoint(), agent.credentials());
        k8sEngine = register(api, "across-e2e-k8s", "kubernetes", cluster.front.url(), Map.of("token", "test-token"));
        for (String id : List.of(swarmEngine, agentEngine, k8sEngine)) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(api.get("/api/v1/engines/" + id).json().get("status").asString()).isEqualTo("UP"));
        }
    }

    @AfterEach
    void removeSwarmServicesMadeHere() {
        LocalSwarm.removeServices(services.toArray(String[]::new));
        services.clear();
    }

    @AfterAll
    void stopEngines() {
        engines.forEach(id -> api().delete("/api/v1/engines/" + id));
        if (agent != null) {
            agent.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aSwarmServiceCopiedToTheAgentAndToKubernetesComparesEqual() {
        Api api = api();
        String name = PREFIX + "web";
        services.add(name);
        LocalSwarm.docker("service", "create", "-d", "--no-resolve-image", "--name", name,
                "--label", LocalSwarm.TEST_LABEL + "=e2e", "--replicas", "2", "--env", "GREETING=hello",
                "--env", "MODE=copy", "--publish", "mode=host,target=8080", "--limit-cpu", "0.25",
                "--limit-memory", "64M", LocalSwarm.IMAGE, "sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait");
        // the port is not pinned on the host: Swarm, the agent and this machine's other tests share it
        JsonNode source = awaitWorkload(api, "across-e2e-swarm", name, "RUNNING");
        String sourceId = source.get("id").asString();
        assertThat(source.get("spec").get("resources").get("cpuMillis").asLong()).isEqualTo(250);

        JsonNode toAgent = awaitOperation(api, api.post("/api/v1/workloads/" + sourceId + "/copy",
                Map.of("targetEngine", "across-e2e-agent", "namespace", "across")));
        JsonNode toK8s = awaitOperation(api, api.post("/api/v1/workloads/" + sourceId + "/copy",
                Map.of("targetEngine", k8sEngine, "namespace", "default")));
        assertThat(toAgent.get("state").asString()).as(toAgent.toString()).isEqualTo("SUCCEEDED");
        assertThat(toK8s.get("state").asString()).as(toK8s.toString()).isEqualTo("SUCCEEDED");

        String onAgent = awaitWorkload(api, "across-e2e-agent", name, "RUNNING").get("id").asString();
        String onK8s = awaitWorkload(api, "across-e2e-k8s", name, null).get("id").asString();
        assertThat(cluster.fabric8.apps().deployments().inNamespace("default").withName(name).get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(LocalSwarm.IMAGE);

        JsonNode comparison = api.get("/api/v1/compare?ids=" + sourceId + "," + onAgent + "," + onK8s).json();
        assertThat(comparison.get("workloads")).extracting(w -> w.get("engine").get("kind").asString())
                .containsExactly("swarm", "agent", "kubernetes");
        for (String path : COMPARED) {
            JsonNode field = field(comparison, path);
            assertThat(field.get("equal").asBoolean()).as(field.toString()).isTrue();
        }
        assertThat(field(comparison, "spec.replicas").get("values").get(2).asInt()).isEqualTo(2);
        assertThat(field(comparison, "spec.ports").get("values").get(1).get(0).get("containerPort").asInt()).isEqualTo(8080);
        assertThat(field(comparison, "spec.resources.memoryBytes").get("display").get(0).asString())
                .isEqualTo("64Mi = 67108864 bytes");
        JsonNode cpuNotation = field(comparison, "spec.resources.cpuMillis").get("native");
        assertThat(cpuNotation.get(0).asString()).isEqualTo("NanoCPUs: 250000000");
        assertThat(cpuNotation.get(1).isNull()).as("the agent writes millicores itself").isTrue();
        assertThat(cpuNotation.get(2).asString()).isEqualTo("limits.cpu: 250m");
    }

    @Test
    void aComposeFileOfThreeServicesImportedToTheAgentRunsThreeWorkloads() {
        Api api = api();
        String compose = """
                name: across-compose
                services:
                  front:
                    image: gantry-test/busybox:1
                    entrypoint: ["sleep"]
                    command: ["3600"]
                    deploy: {replicas: 2}
                  back:
                    image: gantry-test/busybox:1
                    entrypoint: ["sh", "-c", "sleep 3600"]
                    environment: {ROLE: back}
                  cache:
                    image: gantry-test/busybox:1
                    entrypoint: ["sleep", "3600"]
                    ports: ["8080"]
                    deploy: {resources: {limits: {memory: 32M}}}
                """;
        Api.Response r = api.post("/api/v1/workloads/import", Map.of("engine", "across-e2e-agent", "format", "compose",
                "manifest", compose));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("operations")).hasSize(3);
        for (JsonNode op : r.json().get("operations")) {
            JsonNode done = awaitOperation(api, "/api/v1/operations/" + op.get("id").asString());
            assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        }
        for (String name : List.of("front", "back", "cache")) {
            awaitWorkload(api, "across-e2e-agent", name, "RUNNING");
        }
        JsonNode listed = api.get("/api/v1/workloads?engine=across-e2e-agent&namespace=across-compose").json();
        assertThat(listed.get("total").asInt()).isEqualTo(3);
        assertThat(listed.get("items")).allSatisfy(w -> assertThat(w.get("status").get("phase").asString()).isEqualTo("RUNNING"));
    }

    private String register(Api api, String name, String kind, String endpoint, Map<String, String> credentials) {
        Api.Response r = api.post("/api/v1/engines", Map.of("name", name, "kind", kind, "endpoint", endpoint,
                "labels", Map.of("env", "e2e"), "credentials", credentials));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().get("id").asString();
        engines.add(id);
        return id;
    }

    private static JsonNode awaitOperation(Api api, Api.Response accepted) {
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        return awaitOperation(api, accepted.location());
    }

    private static JsonNode awaitOperation(Api api, String location) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = api.get(location).json();
            assertThat(last[0].get("state").asString()).isIn("SUCCEEDED", "FAILED");
        });
        return last[0];
    }

    /** The workload of that name on the engine, once listed (and in {@code phase}, unless null). */
    private static JsonNode awaitWorkload(Api api, String engine, String name, String phase) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            found[0] = null;
            for (JsonNode w : api.get("/api/v1/workloads?engine=" + engine + "&q=" + name).json().get("items")) {
                if (w.get("name").asString().equals(name)) {
                    found[0] = w;
                }
            }
            assertThat(found[0]).as(name + " on " + engine).isNotNull();
            if (phase != null) {
                assertThat(found[0].get("status").get("phase").asString()).as(found[0].toString()).isEqualTo(phase);
            }
        });
        return found[0];
    }

    private static JsonNode field(JsonNode comparison, String path) {
        for (JsonNode f : comparison.get("fields")) {
            if (f.get("path").asString().equals(path)) {
                return f;
            }
        }
        throw new AssertionError("no field " + path);
    }
}
