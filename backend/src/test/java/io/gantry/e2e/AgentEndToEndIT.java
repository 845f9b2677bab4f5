package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.agent.adapter.AgentProcess;
import io.gantry.agent.adapter.BusyboxImage;
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
        // real processes (and runc containers) start here: on a busy shared machine a deploy of three replicas takes
        // longer than the 1 s that the other ITs allow an engine call, which is about failing engines, not this
        registry.add("gantry.sync.call-timeout", () -> "10s");
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

    /**
     * Issue 17's done-when on the real agent, which keeps no history of its own: deploy, update env twice, roll back
     * to revision 1; the task's process runs with revision 1's env again (read in /proc) and a 4th revision exists.
     */
    @Test
    void aRollbackRunsRevisionOnesEnvAgainAndIsTheFourthRevision() throws Exception {
        Api api = api();
        Engines.awaitStatus(api, "local", "UP");
        List<String> sleeper = List.of("/bin/sh", "-c", "exec sleep 3600");
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                "name", "rev", "spec", Map.of("command", sleeper, "env", Map.of("RELEASE", "1"), "replicas", 1,
                        "runtime", "raw")));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String id = awaitOperation(api, deploy.location(), "SUCCEEDED").get("workloadId").asString();
        try {
            awaitRelease("1");
            for (String release : List.of("2", "3")) {
                Api.Response update = api.put("/api/v1/workloads/" + id + "/spec", Map.of("spec", Map.of("command", sleeper,
                        "env", Map.of("RELEASE", release), "replicas", 1, "runtime", "raw")));
                assertThat(update.status()).as(update.toString()).isEqualTo(202);
                awaitOperation(api, update.location(), "SUCCEEDED");
            }
            awaitRelease("3");

            Api.Response rollback = api.post("/api/v1/workloads/" + id + "/rollback", Map.of("revision", 1));
            assertThat(rollback.status()).as(rollback.toString()).isEqualTo(202);
            awaitOperation(api, rollback.location(), "SUCCEEDED");
            awaitRelease("1");
            JsonNode revisions = api.get("/api/v1/workloads/" + id + "/revisions").json();
            assertThat(revisions.get("total").asInt()).isEqualTo(4);
            assertThat(revisions.get("items").get(0).get("message").asString()).isEqualTo("rollback to 1");
            assertThat(revisions.get("items").get(0).get("spec").get("env").get("RELEASE").asString()).isEqualTo("1");
        } finally {
            awaitOperation(api, api.delete("/api/v1/workloads/" + id).location(), "SUCCEEDED");
        }
    }

    /** The workload {@code rev} runs one process, with {@code RELEASE=release} in its environment. */
    private static void awaitRelease(String release) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(workloadProcesses("rev")).hasSize(1);
            assertThat(processesWith("GANTRY_NAMESPACE=" + NAMESPACE, "GANTRY_CONTAINER_ID=rev", "RELEASE=" + release))
                    .as("the task's environment in /proc").hasSize(1);
        });
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

    /**
     * Issue 13 on the built-in engine: a raw task is a host process, so an OPERATOR may not start one (the effective
     * runtime counts, not only the named one); an ADMIN's runs as the task user with nothing of the server's
     * environment and cannot read the server's data dir. Scaling an existing raw workload stays an OPERATOR's.
     */
    @Test
    void anOperatorMayNotRunHostProcessesAndAnAdminsRunWithoutTheServersSecrets() {
        Api admin = api();
        Api operator = new Api(port, tokenOf(admin, "e2e-operator", "OPERATOR"));
        Engines.awaitStatus(admin, "local", "UP");
        assertThat(operator.get("/api/v1/engines/local").json().get("runtimes")).as("what the operator may choose")
                .anySatisfy(r -> {
                    assertThat(r.get("name").asString()).isEqualTo("raw");
                    assertThat(r.get("privileged").asBoolean()).isTrue();
                    assertThat(r.get("allowed").asBoolean()).isFalse();
                });
        assertThat(admin.get("/api/v1/engines/local").json().get("runtimes"))
                .anySatisfy(r -> assertThat(r.get("name").asString() + r.get("allowed").asBoolean()).isEqualTo("rawtrue"));

        for (Map<String, Object> spec : List.<Map<String, Object>>of(
                Map.of("command", List.of("id"), "replicas", 1, "runtime", "raw"),
                Map.of("command", List.of("id"), "replicas", 1))) {
            Api.Response denied = operator.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                    "name", "sneaky", "kind", "JOB", "spec", spec));
            assertThat(denied.status()).as(denied.toString()).isEqualTo(403);
            assertThat(denied.contentType()).startsWith("application/problem+json");
            assertThat(denied.json().get("detail").asString()).contains("'raw'");
            assertThat(denied.json().get("errors")).anySatisfy(e ->
                    assertThat(e.get("field").asString()).isEqualTo("spec.runtime"));
        }
        assertThat(admin.get("/api/v1/workloads?engine=local&q=sneaky").json().get("total").asInt()).isZero();

        Path secretKey = DATA_DIR.resolve("secret.key");
        Path agentState = DATA_DIR.resolve("agent").resolve("containers").resolve(NAMESPACE).resolve("peek.json");
        assertThat(secretKey).as("the server's key, which a task must not read").isRegularFile();
        String script = "echo uid=$(id -u); env; cat " + secretKey + " >/dev/null && echo key-read || echo key-denied;"
                + " cat " + agentState + " >/dev/null && echo state-read || echo state-denied";
        Api.Response deploy = admin.post("/api/v1/workloads", Map.of("engine", "local", "namespace", NAMESPACE,
                "name", "peek", "kind", "JOB", "spec", Map.of("command", List.of("/bin/sh", "-c", script),
                        "env", Map.of("FROM_SPEC", "yes"), "replicas", 1, "runtime", "raw")));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String id = awaitOperation(admin, deploy.location(), "SUCCEEDED").get("workloadId").asString();
        assertThat(agentState).as("the agent's state of the task exists").isRegularFile();
        String out = awaitLogs(admin, id, "state-");
        assertThat(out).as(out).contains("key-denied", "state-denied").doesNotContain("key-read", "state-read")
                .containsPattern("uid=[1-9]\\d*");
        List<String> names = variableNames(out);
        assertThat(names).contains("FROM_SPEC", "GANTRY_TASK_ID", "PATH", "HOME", "LANG");
        List<String> servers = new ArrayList<>(System.getenv().keySet());
        // the shell sets these itself, whatever it was given
        servers.removeAll(List.of("PATH", "HOME", "LANG", "PWD", "OLDPWD", "SHLVL", "_"));
        assertThat(names).as("nothing of the server's environment").doesNotContainAnyElementsOf(servers);

        // an ADMIN's raw workload: an OPERATOR may scale it (nothing new runs), not change what it runs
        Api.Response scale = operator.post("/api/v1/workloads/" + id + "/scale", Map.of("replicas", 0));
        assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
        awaitOperation(admin, scale.location(), "SUCCEEDED");
        Api.Response update = operator.put("/api/v1/workloads/" + id + "/spec", Map.of("spec", Map.of(
                "command", List.of("id"), "replicas", 1, "runtime", "raw")));
        assertThat(update.status()).as(update.toString()).isEqualTo(403);
        Api.Response delete = operator.delete("/api/v1/workloads/" + id);
        assertThat(delete.status()).as(delete.toString()).isEqualTo(202);
        awaitOperation(admin, delete.location(), "SUCCEEDED");
    }

    /**
     * Issue 13 on a standalone agent (no raw runtime, as agents start by default): an OPERATOR's runc task runs as
     * the task user with a clean environment, and a raw one is refused by the agent as a problem naming the runtime.
     */
    @Test
    void anOperatorsRuncTaskRunsUnprivilegedAndAnAgentWithoutRawRefusesIt() throws Exception {
        RequiredEngine.requireRoot("runc creates containers");
        RequiredEngine.requireCommand("runc", "apt-get install -y runc");
        RequiredEngine.require(Files.isExecutable(BusyboxImage.BUSYBOX), "busybox-static (apt-get install -y busybox-static)");
        Api admin = api();
        Api operator = new Api(port, tokenOf(admin, "e2e-runc-operator", "OPERATOR"));
        Path root = Files.createTempDirectory(Path.of("target"), "agent-e2e-runc-");
        try (AgentProcess agent = new AgentProcess(root.resolve("agent")).withoutRaw().start()) {
            BusyboxImage.importInto(agent, NAMESPACE, "busybox:e2e", BusyboxImage.tarball(root,
                    List.of("sh", "id", "env", "cat", "echo")));
            // runc containers and a fresh gRPC channel: the slowest start here, given the time a busy machine needs
            Api.Response registered = admin.post("/api/v1/engines", Map.of("name", "e2e-runc", "kind", "agent",
                    "endpoint", "grpc://127.0.0.1:" + agent.port, "credentials", Map.of("token", agent.token),
                    "options", Map.of("callTimeout", "30s")));
            assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
            Engines.awaitStatus(admin, "e2e-runc", "UP");
            JsonNode runtimes = operator.get("/api/v1/engines/e2e-runc").json().get("runtimes");
            assertThat(runtimes).hasSize(1).allSatisfy(r -> {
                assertThat(r.get("name").asString()).isEqualTo("runc");
                assertThat(r.get("allowed").asBoolean()).isTrue();
            });

            String script = "echo uid=$(id -u); env; cat /etc/shadow >/dev/null && echo host-read || echo host-denied";
            Api.Response deploy = operator.post("/api/v1/workloads", Map.of("engine", "e2e-runc", "namespace",
                    NAMESPACE, "name", "boxed", "kind", "JOB", "spec", Map.of("image", "busybox:e2e",
                            "command", List.of("/bin/sh", "-c", script), "replicas", 1)));
            assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
            String id = awaitOperation(admin, deploy.location(), "SUCCEEDED").get("workloadId").asString();
            assertThat(admin.get("/api/v1/workloads/" + id).json().get("spec").get("runtime").asString()).isEqualTo("runc");
            String out = awaitLogs(admin, id, "host-");
            assertThat(out).as(out).contains("uid=65534", "host-denied");
            List<String> names = variableNames(out);
            assertThat(names).contains("GANTRY_TASK_ID", "PATH").doesNotContain("GANTRY_AGENT_TOKEN", "JAVA_HOME");

            Api.Response raw = operator.post("/api/v1/workloads", Map.of("engine", "e2e-runc", "namespace", NAMESPACE,
                    "name", "hosted", "spec", Map.of("command", List.of("id"), "replicas", 1, "runtime", "raw")));
            assertThat(raw.status()).as(raw.toString()).isEqualTo(422);
            assertThat(raw.json().get("detail").asString()).contains("--allow-raw-runtime");
            assertThat(raw.json().get("errors")).anySatisfy(e ->
                    assertThat(e.get("field").asString()).isEqualTo("spec.runtime"));
            awaitOperation(admin, admin.delete("/api/v1/workloads/" + id).location(), "SUCCEEDED");
        } finally {
            admin.delete("/api/v1/engines/e2e-runc");
        }
    }

    /** A user of {@code role} and an API token of theirs. */
    private static String tokenOf(Api admin, String username, String role) {
        String password = "password-of-" + username;
        Api.Response created = admin.post("/api/v1/users", Map.of("username", username, "password", password,
                "role", role));
        assertThat(created.status()).as(created.toString()).isIn(201, 409);
        Api.Response token = admin.send(HttpRequest.newBuilder(URI.create(admin.base() + "/api/v1/auth/token"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        Api.JSON.writeValueAsString(Map.of("username", username, "password", password)))));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().get("token").asString();
    }

    /** Names of the variables {@code env} printed, from the logs API's {@code [instance] line} text. */
    private static List<String> variableNames(String logs) {
        return logs.lines().map(l -> l.replaceFirst("^\\[[^]]*] ", ""))
                .filter(l -> l.matches("[A-Za-z_][A-Za-z0-9_]*=.*")).map(l -> l.substring(0, l.indexOf('='))).toList();
    }

    /** The workload's output once a line containing {@code marker} is there. */
    private static String awaitLogs(Api api, String id, String marker) {
        String[] out = new String[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            out[0] = api.get("/api/v1/workloads/" + id + "/logs?tail=200").body();
            return out[0] != null && out[0].contains(marker);
        });
        return out[0];
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
