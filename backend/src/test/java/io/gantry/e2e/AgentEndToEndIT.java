package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.history.HistorySampler;
import io.gantry.spi.RequiredEngine;
import io.gantry.support.Api;
import io.gantry.support.Engines;
import io.gantry.support.IntegrationTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 3's "Done when" through the REST API, on the {@code local} engine that the real server starts
 * by itself: real processes under the embedded node agent, checked in {@code /proc} and over HTTP.
 * <p>
 * This class has an application context of its own (the embedded agent on, a fresh data dir) where
 * every other IT shares one with {@code gantry.embedded-agent=false}: what it tests is that embedded
 * default itself, which no engine registered through the API can stand in for.
 */
class AgentEndToEndIT extends IntegrationTest {
    private static final String NAMESPACE = "e2e-agent";
    private static final Path DATA_DIR = freshDataDir();

    @Autowired
    HistorySampler sampler;

    @DynamicPropertySource
    static void embeddedAgent(DynamicPropertyRegistry registry) {
        registry.add("gantry.embedded-agent", () -> "true");
        registry.add("gantry.data-dir", DATA_DIR::toString);
    }

    @Test
    void threeHttpServersRunHealAfterKillScaleToZeroAndDeleteWithoutLeftovers() throws Exception {
        List<String> command = httpServerCommand();
        Api api = api();
        JsonNode local = Engines.awaitStatus(api, "local", "UP");
        assertThat(local.get("kind").asString()).isEqualTo("agent");
        assertThat(local.get("endpoint").asString()).startsWith("grpc://127.0.0.1:");

        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                "name", "web", "spec", Map.of("command", command, "ports", List.of(Map.of("containerPort", 8000)),
                        "replicas", 3, "runtime", "raw")));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String id = awaitOperation(api, deploy.location(), "SUCCEEDED").get("workloadId").asString();
        JsonNode web = awaitRunning(api, id, 3, Duration.ofSeconds(10));
        assertThat(web.get("engine").get("kind").asString()).isEqualTo("agent");
        assertThat(web.get("spec").get("runtime").asString()).isEqualTo("raw");
        List<String> addresses = new ArrayList<>();
        web.get("instances").forEach(i -> addresses.add(i.get("address").asString()));
        assertThat(addresses).hasSize(3).doesNotHaveDuplicates();
        for (String address : addresses) {
            assertThat(awaitHttpStatus(api, address)).as("GET http://%s/", address).isEqualTo(200);
        }
        assertThat(workloadProcesses("web")).as("one process per replica").hasSize(3);
        Path agentDir = DATA_DIR.resolve("agent");
        assertThat(agentDir.resolve("tasks").resolve(NAMESPACE).resolve("web-1.json"))
                .as("the embedded agent keeps its state under gantry.data-dir").isRegularFile();

        // kill -9 one replica: the agent restarts it, and the API shows 3 RUNNING again within 5 s
        JsonNode victim = web.get("instances").get(1);
        Instant startedBefore = Instant.parse(victim.get("startedAt").asString());
        long killed = taskProcess("web", victim.get("id").asString());
        assertThat(ProcessHandle.of(killed).orElseThrow().destroyForcibly()).as("SIGKILL sent").isTrue();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonNode w = api.get("/api/v1/workloads/" + id).json();
            assertRunning(w, 3);
            JsonNode restarted = instance(w, victim.get("id").asString());
            assertThat(Instant.parse(restarted.get("startedAt").asString())).isAfter(startedBefore);
            List<Long> pids = workloadProcesses("web");
            assertThat(pids).hasSize(3).doesNotContain(killed);
            assertThat(alive(killed)).as("killed pid %d still alive", killed).isFalse();
        });
        assertThat(awaitHttpStatus(api, victim.get("address").asString())).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.get("/api/v1/workloads/" + id
                + "/events").json().get("items")).as("the kill in the workload's events").anySatisfy(e -> {
                    assertThat(e.get("type").asString()).isEqualTo("Warning");
                    assertThat(e.get("reason").asString()).isEqualTo("TaskExited");
                    assertThat(e.get("message").asString()).contains("task " + victim.get("id").asString(), "137");
                }));

        Api.Response scale = api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 0));
        assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
        awaitOperation(api, scale.location(), "SUCCEEDED");
        assertThat(workloadProcesses("web")).as("processes left after scaling to 0").isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode w = api.get("/api/v1/workloads/" + id).json();
            assertThat(w.get("status").get("phase").asString()).isEqualTo("STOPPED");
            assertThat(w.get("instances")).isEmpty();
        });

        Api.Response scaleUp = api.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 2));
        awaitOperation(api, scaleUp.location(), "SUCCEEDED");
        for (JsonNode instance : awaitRunning(api, id, 2, Duration.ofSeconds(10)).get("instances")) {
            assertThat(awaitHttpStatus(api, instance.get("address").asString())).isEqualTo(200);
        }
        // counted once they answer: until then python3 may still be starting through helper processes (pyenv)
        assertThat(workloadProcesses("web")).hasSize(2);

        Api.Response delete = api.delete("/api/v1/workloads/" + id);
        assertThat(delete.status()).as(delete.toString()).isEqualTo(202);
        awaitOperation(api, delete.location(), "SUCCEEDED");
        assertThat(workloadProcesses("web")).as("processes left after delete").isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(api.get("/api/v1/workloads/" + id).status()).isEqualTo(404);
            assertThat(api.get("/api/v1/workloads?engine=local&namespace=" + NAMESPACE).json().get("total").asInt())
                    .isZero();
        });
        try (Stream<Path> left = Files.list(agentDir.resolve("tasks").resolve(NAMESPACE))) {
            assertThat(left).as("task state files left").isEmpty();
        }
    }

    @Test
    void aMissingCommandFailsTheOperationWithTheReasonAndLeavesNothing() throws IOException {
        Api api = api();
        Engines.awaitStatus(api, "local", "UP");
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                "name", "ghost", "spec", Map.of("command", List.of("gantry-no-such-command", "--serve"),
                        "replicas", 2, "runtime", "raw")));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);

        JsonNode failed = awaitOperation(api, deploy.location(), "FAILED");
        assertThat(failed.get("message").asString()).contains("command 'gantry-no-such-command' was not found on PATH");
        assertThat(api.get("/api/v1/workloads?engine=local&q=ghost").json().get("total").asInt())
                .as("a failed deploy leaves no workload behind").isZero();
        assertThat(workloadProcesses("ghost")).isEmpty();
        JsonNode engine = api.get("/api/v1/engines/local").json();
        assertThat(engine.get("status").asString()).as("the agent keeps serving").isEqualTo("UP");
    }

    @Test
    void theUsageOfARealTaskReachesTheHistoryApi() {
        Api api = api();
        Engines.awaitStatus(api, "local", "UP");
        assertThat(api.get("/api/v1/engines/local").json().get("capabilities").toString()).contains("\"usage\"");
        // a shell spinning in a loop burns CPU from its first moment
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                "name", "spin", "spec", Map.of("command", List.of("/bin/sh", "-c", "while :; do :; done"),
                        "replicas", 1, "runtime", "raw")));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String id = awaitOperation(api, deploy.location(), "SUCCEEDED").get("workloadId").asString();
        awaitRunning(api, id, 1, Duration.ofSeconds(10));

        // samples as the scheduler takes them, until two readings give a rate
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            sampler.sampleNow(Instant.now());
            JsonNode usage = api.get("/api/v1/workloads/" + id + "/history").json().get("usage");
            assertThat(usage).as(usage.toString()).anySatisfy(point -> {
                assertThat(point.get("cpuMillis").isNumber()).as("a rate, not the first reading").isTrue();
                assertThat(point.get("cpuMillis").asLong()).isPositive();
                assertThat(point.get("memoryBytes").asLong()).isPositive();
            });
        });

        Api.Response delete = api.delete("/api/v1/workloads/" + id);
        awaitOperation(api, delete.location(), "SUCCEEDED");
    }

    @Test
    void aNegativeMemoryLimitIsRejectedAtOnce() {
        Api api = api();
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                "name", "greedy", "spec", Map.of("command", List.of("sleep", "60"), "replicas", 1, "runtime", "raw",
                        "resources", Map.of("memoryBytes", -1))));

        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(400);
        assertThat(deploy.contentType()).startsWith("application/problem+json");
        JsonNode problem = deploy.json();
        assertThat(problem.get("errors")).anySatisfy(e -> {
            assertThat(e.get("field").asString()).isEqualTo("spec.resources.memoryBytes");
            assertThat(e.get("message").asString()).isEqualTo("must not be negative");
        });
    }

    /** python3's http.server, else busybox httpd; a shell expands {@code $PORT0}, then becomes the server. */
    private static List<String> httpServerCommand() {
        if (RequiredEngine.onPath("python3")) {
            return List.of("/bin/sh", "-c", "exec python3 -m http.server \"$PORT0\" --bind 127.0.0.1");
        }
        RequiredEngine.require(RequiredEngine.onPath("busybox"), "python3 or busybox (apt-get install -y busybox-static)");
        return List.of("/bin/sh", "-c",
                "mkdir -p www && echo ok > www/index.html && exec busybox httpd -f -p \"127.0.0.1:$PORT0\" -h www");
    }

    private static JsonNode awaitOperation(Api api, String location, String state) {
        JsonNode[] op = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            op[0] = api.get(location).json();
            return !List.of("PENDING", "RUNNING").contains(op[0].get("state").asString());
        });
        assertThat(op[0].get("state").asString()).as(op[0].toString()).isEqualTo(state);
        return op[0];
    }

    private static JsonNode awaitRunning(Api api, String id, int replicas, Duration within) {
        JsonNode[] w = new JsonNode[1];
        await().atMost(within).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            w[0] = api.get("/api/v1/workloads/" + id).json();
            assertRunning(w[0], replicas);
        });
        return w[0];
    }

    private static void assertRunning(JsonNode w, int replicas) {
        assertThat(w.get("status").get("phase").asString()).as(w.toString()).isEqualTo("RUNNING");
        assertThat(w.get("status").get("running").asInt()).isEqualTo(replicas);
        assertThat(w.get("instances")).hasSize(replicas)
                .allSatisfy(i -> assertThat(i.get("state").asString()).isEqualTo("RUNNING"));
    }

    private static JsonNode instance(JsonNode workload, String instanceId) {
        for (JsonNode i : workload.get("instances")) {
            if (i.get("id").asString().equals(instanceId)) {
                return i;
            }
        }
        throw new AssertionError("no instance " + instanceId + " in " + workload);
    }

    /** The status of GET / on an instance address, retried while the server is still binding its port. */
    private static int awaitHttpStatus(Api api, String address) {
        int[] status = new int[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            status[0] = api.http().send(HttpRequest.newBuilder(URI.create("http://" + address + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return true;
        });
        return status[0];
    }

    /**
     * Live processes of a workload in {@link #NAMESPACE}, found in /proc: the agent hands every task its
     * identity in the environment ({@code GANTRY_NAMESPACE}, {@code GANTRY_CONTAINER_ID}), which forks
     * inherit, so a leftover child would be found too.
     */
    private static List<Long> workloadProcesses(String container) throws IOException {
        return processesWith("GANTRY_NAMESPACE=" + NAMESPACE, "GANTRY_CONTAINER_ID=" + container);
    }

    private static long taskProcess(String container, String taskId) throws IOException {
        List<Long> pids = processesWith("GANTRY_NAMESPACE=" + NAMESPACE, "GANTRY_CONTAINER_ID=" + container,
                "GANTRY_TASK_ID=" + taskId);
        assertThat(pids).as("processes of task %s", taskId).hasSize(1);
        return pids.get(0);
    }

    private static List<Long> processesWith(String... variables) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            for (Path dir : proc.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                Optional<List<String>> env = environment(dir);
                if (env.isPresent() && env.get().containsAll(List.of(variables)) && alive(Long.parseLong(
                        dir.getFileName().toString()))) {
                    pids.add(Long.parseLong(dir.getFileName().toString()));
                }
            }
        }
        return pids;
    }

    private static Optional<List<String>> environment(Path procDir) {
        try {
            return Optional.of(List.of(new String(Files.readAllBytes(procDir.resolve("environ")),
                    StandardCharsets.UTF_8).split("\0")));
        } catch (IOException | SecurityException gone) {
            return Optional.empty();
        }
    }

    /** Alive and not a zombie: a reaped process has no /proc entry, an unreaped one shows state Z. */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    private static Path freshDataDir() {
        try {
            Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(Path.of("target"), "agent-e2e-").toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the test's data dir", e);
        }
    }
}
