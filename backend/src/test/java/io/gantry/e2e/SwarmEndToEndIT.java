package io.gantry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.spi.RequiredEngine;
import io.gantry.support.Api;
import io.gantry.support.ConsoleChecks;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import io.gantry.support.StreamRecorder;
import io.gantry.swarm.LocalSwarm;
import io.gantry.swarm.UnixSocketForwarder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 4's "Done when", proven through Gantry's REST API against the real single-node Swarm of this machine
 * (scripts/swarm-test-env.sh). The daemon is shared with other tests: every service made here is named
 * {@code e2e-sw-...} and only those are removed; each test registers an engine of its own name.
 */
class SwarmEndToEndIT extends IntegrationTest {
    private static final String PREFIX = "e2e-sw-";
    /** Swarm needs a few seconds to start a task of a fresh service on a busy machine. */
    private static final Duration SETTLE = Duration.ofSeconds(45);
    /**
     * {@code sleep 3600} under a shell that exits on SIGTERM: as PID 1 a bare sleep ignores SIGTERM, and every
     * update or restart would wait Swarm's 10 s stop grace period.
     */
    private static final List<String> SLEEPER = List.of("sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait");
    private final List<String> created = new ArrayList<>();
    private final List<String> engines = new ArrayList<>();

    @BeforeAll
    static void requireSwarm() {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
    }

    @AfterEach
    void removeServicesAndEnginesMadeHere() {
        // engines first: a registered engine keeps watching (or reconnecting to) the daemon after its test
        engines.forEach(id -> api().delete("/api/v1/engines/" + id));
        LocalSwarm.removeServices(created.toArray(String[]::new));
    }

    @Test
    void servicesMadeWithTheCliAppearWithKindReplicasPortsAndPhase() {
        Api api = api();
        String engine = "swarm-e2e-list";
        Engines.awaitStatus(api, registerSwarm(api, engine, "unix://" + LocalSwarm.SOCKET), "UP");
        // made while the engine is watched: the task states that follow have no events of their own and
        // come with the watch's follow-up re-reads, not the next resync
        String web = cliService("web", "--replicas", "2", "--publish", "published=18941,target=8080",
                LocalSwarm.IMAGE, "httpd", "-f", "-p", "8080", "-h", "/www");
        String global = cliService("global", "--mode", "global", LocalSwarm.IMAGE, "sleep", "3600");
        String nowhere = cliService("nowhere", "--constraint", "node.labels.zone==nowhere", LocalSwarm.IMAGE,
                "sleep", "3600");

        JsonNode w = awaitWorkload(api, engine, web, x -> phase(x).equals("RUNNING"));
        assertThat(w.get("name").asString()).isEqualTo(PREFIX + "web");
        assertThat(w.get("engine").get("kind").asString()).isEqualTo("swarm");
        assertThat(w.get("kind").asString()).isEqualTo("SERVICE");
        assertThat(w.get("spec").get("image").asString()).isEqualTo(LocalSwarm.IMAGE);
        assertThat(w.get("spec").get("replicas").asInt()).isEqualTo(2);
        JsonNode port = w.get("spec").get("ports").get(0);
        assertThat(port.get("containerPort").asInt()).isEqualTo(8080);
        assertThat(port.get("publishedPort").asInt()).isEqualTo(18941);
        assertThat(port.get("protocol").asString()).isEqualTo("tcp");
        assertThat(w.get("status").get("running").asInt()).isEqualTo(2);
        assertThat(w.get("stale").asBoolean()).isFalse();

        JsonNode g = awaitWorkload(api, engine, global, x -> phase(x).equals("RUNNING"));
        assertThat(g.get("kind").asString()).isEqualTo("DAEMON");
        assertThat(g.get("spec").get("replicas").isNull()).isTrue();
        assertThat(g.get("status").get("desired").asInt()).isEqualTo(1);

        // the task says "pending task scheduling" until the scheduler has tried the nodes
        JsonNode n = awaitWorkload(api, engine, nowhere,
                x -> x.get("status").get("message").asString().contains("no suitable node"));
        assertThat(phase(n)).isEqualTo("PENDING");
        assertThat(n.get("spec").get("constraints").get(0).asString()).isEqualTo("node.labels.zone==nowhere");
    }

    @Test
    void serviceMadeWithTheCliIsListedAndStreamedWithoutASync() throws Exception {
        Api api = api();
        String engine = "swarm-e2e-watch";
        Engines.awaitStatus(api, registerSwarm(api, engine, "unix://" + LocalSwarm.SOCKET), "UP");
        try (StreamRecorder stream = new StreamRecorder(api, "/api/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            // well before the next full resync (30 s), so the watch brought it; delivery time is not a test's figure
            String id = cliService("watched", LocalSwarm.IMAGE, "sleep", "3600");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> listed(api, engine, id).isPresent());
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> stream
                    .data("workload.updated").stream().anyMatch(d -> d.contains("\"nativeId\":\"" + id + "\"")));
        }
    }

    @Test
    void unreachableDaemonIsDownAndStaleThenUpAndResyncedWithoutDuplicates() throws Exception {
        Api api = api();
        String keep = cliService("keep", LocalSwarm.IMAGE, "sleep", "3600");
        String doomed = cliService("doomed", LocalSwarm.IMAGE, "sleep", "3600");
        FakeEngine.named("swarm-e2e-bystander").put(FakeEngine.workload("e2e", "bystander", "nginx:1", 1, Map.of()));
        String bystander = Engines.register(api, "swarm-e2e-bystander", Map.of());
        engines.add(bystander);
        UnixSocketForwarder forwarder = UnixSocketForwarder.plain(LocalSwarm.SOCKET);
        int port = forwarder.port();
        try {
            String engine = "swarm-e2e-outage";
            String engineId = registerSwarm(api, engine, "tcp://127.0.0.1:" + port);
            Engines.awaitStatus(api, engineId, "UP");
            Engines.awaitStatus(api, bystander, "UP");
            awaitWorkload(api, engine, keep, w -> true);
            awaitWorkload(api, engine, doomed, w -> true);

            forwarder.close();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                JsonNode e = api.get("/api/v1/engines/" + engineId).json();
                assertThat(e.get("status").asString()).isEqualTo("DOWN");
                assertThat(e.get("message").asString()).isNotBlank();
            });
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(listed(api, engine)).isNotEmpty().allSatisfy(w -> assertThat(w.get("stale").asBoolean()).isTrue()));
            assertThat(api.get("/api/v1/engines/" + bystander).json().get("status").asString()).isEqualTo("UP");
            JsonNode other = api.get("/api/v1/workloads?engine=swarm-e2e-bystander").json().get("items").get(0);
            assertThat(other.get("stale").asBoolean()).isFalse();

            String born = cliService("born", LocalSwarm.IMAGE, "sleep", "3600");
            LocalSwarm.docker("service", "rm", doomed);

            forwarder = UnixSocketForwarder.plain(LocalSwarm.SOCKET, port);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                assertThat(api.get("/api/v1/engines/" + engineId).json().get("status").asString()).isEqualTo("UP");
                List<String> nativeIds = listed(api, engine).stream().map(w -> w.get("nativeId").asString()).toList();
                assertThat(nativeIds).contains(keep, born).doesNotContain(doomed).doesNotHaveDuplicates();
                assertThat(listed(api, engine)).allSatisfy(w -> assertThat(w.get("stale").asBoolean()).isFalse());
            });
        } finally {
            forwarder.close();
        }
    }

    @Test
    void deployScaleUpdateRestartAndDeleteThroughTheApiShowInDockerServiceInspect() {
        Api api = api();
        String name = PREFIX + "ops";
        String workloadId = deploySleeper(api, "swarm-e2e-ops", name, Map.of("A", "1"));
        String nativeId = api.get("/api/v1/workloads/" + workloadId).json().get("nativeId").asString();
        JsonNode inspect = inspect(nativeId);
        assertThat(inspect.at("/Spec/Name").asString()).isEqualTo(name);
        assertThat(inspect.at("/Spec/TaskTemplate/ContainerSpec/Image").asString()).isEqualTo(LocalSwarm.IMAGE);
        assertThat(inspect.at("/Spec/Mode/Replicated/Replicas").asInt()).isEqualTo(1);

        accepted(api, api.post("/api/v1/workloads/" + workloadId + "/scale", Map.of("replicas", 2)));
        assertThat(inspect(nativeId).at("/Spec/Mode/Replicated/Replicas").asInt()).isEqualTo(2);
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).until(() -> LocalSwarm.docker("service", "ps",
                "--filter", "desired-state=running", "--format", "{{.CurrentState}}", nativeId).lines()
                .filter(state -> state.startsWith("Running")).count() == 2);

        accepted(api, api.put("/api/v1/workloads/" + workloadId + "/spec", Map.of("spec", Map.of("image", LocalSwarm.IMAGE,
                "args", SLEEPER, "env", Map.of("A", "1", "B", "2"), "replicas", 2))));
        JsonNode env = inspect(nativeId).at("/Spec/TaskTemplate/ContainerSpec/Env");
        assertThat(env.valueStream().map(JsonNode::asString).toList()).containsExactlyInAnyOrder("A=1", "B=2");

        int forceUpdate = inspect(nativeId).at("/Spec/TaskTemplate/ForceUpdate").asInt();
        accepted(api, api.post("/api/v1/workloads/" + workloadId + "/restart", null));
        assertThat(inspect(nativeId).at("/Spec/TaskTemplate/ForceUpdate").asInt()).isEqualTo(forceUpdate + 1);

        accepted(api, api.delete("/api/v1/workloads/" + workloadId));
        assertThat(LocalSwarm.run(Duration.ofSeconds(20), "/usr/bin/docker", "service", "inspect", nativeId).exitCode())
                .isNotZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/v1/workloads/" + workloadId).status() == 404);
    }

    /** Issue 17's done-when on the real Swarm: revisions of every change, a rollback, and a change made with the CLI. */
    /** Exec reaches the task's container on this node's dockerd; see ConsoleChecks for what a console must do. */
    @Test
    void aServicesTaskHasAConsole() {
        Api api = api();
        String workloadId = deploySleeper(api, "swarm-e2e-console", PREFIX + "console", Map.of());
        assertThat(api.get("/api/v1/engines/swarm-e2e-console").json().get("capabilities").toString()).contains("exec");
        ConsoleChecks.shellWorks(port, ConsoleChecks.runningInstance(api, workloadId), userToken("swarm-console", "OPERATOR"),
                api);
    }

    @Test
    void aRollbackPutsRevisionOneBackAndAChangeMadeWithTheCliIsAnEngineRevision() {
        Api api = api();
        String workloadId = deploySleeper(api, "swarm-e2e-revisions", PREFIX + "revisions", Map.of("RELEASE", "1"));
        String nativeId = api.get("/api/v1/workloads/" + workloadId).json().get("nativeId").asString();
        for (String release : List.of("2", "3")) {
            accepted(api, api.put("/api/v1/workloads/" + workloadId + "/spec", Map.of("spec", Map.of("image",
                    LocalSwarm.IMAGE, "args", SLEEPER, "env", Map.of("RELEASE", release), "replicas", 1))));
        }
        assertThat(env(nativeId)).containsExactly("RELEASE=3");

        accepted(api, api.post("/api/v1/workloads/" + workloadId + "/rollback", Map.of("revision", 1)));
        assertThat(env(nativeId)).as("docker service inspect").containsExactly("RELEASE=1");
        JsonNode revisions = api.get("/api/v1/workloads/" + workloadId + "/revisions").json();
        assertThat(revisions.get("total").asInt()).isEqualTo(4);
        JsonNode fourth = revisions.get("items").get(0);
        assertThat(fourth.get("revision").asInt()).isEqualTo(4);
        assertThat(fourth.get("message").asString()).isEqualTo("rollback to 1");
        assertThat(fourth.get("source").asString()).isEqualTo("gantry");
        assertThat(fourth.get("spec").get("env").get("RELEASE").asString()).isEqualTo("1");

        LocalSwarm.docker("service", "update", "-d", "--env-add", "FROM_CLI=yes", nativeId);
        // well within the sync's reaction time: the watch brings it, not the next full resync (30 s)
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode newest = api.get("/api/v1/workloads/" + workloadId + "/revisions").json().get("items").get(0);
            assertThat(newest.get("revision").asInt()).isEqualTo(5);
            assertThat(newest.get("source").asString()).isEqualTo("engine");
            assertThat(newest.get("user").isNull()).isTrue();
            assertThat(newest.get("message").asString()).isEqualTo("changed outside Gantry");
            assertThat(newest.get("spec").get("env").get("FROM_CLI").asString()).isEqualTo("yes");
        });
    }

    private static List<String> env(String nativeId) {
        return inspect(nativeId).at("/Spec/TaskTemplate/ContainerSpec/Env").valueStream().map(JsonNode::asString).toList();
    }

    @Test
    void logsComeBackAsTailAndAsAFollowedEventStreamNamingTheTask() throws Exception {
        Api api = api();
        String id = cliService("logs", LocalSwarm.IMAGE, "sh", "-c",
                "trap 'exit 0' TERM; i=0; while true; do echo line$i; i=$((i+1)); sleep 0.2; done");
        String engine = "swarm-e2e-logs";
        Engines.awaitStatus(api, registerSwarm(api, engine, "unix://" + LocalSwarm.SOCKET), "UP");
        JsonNode w = awaitWorkload(api, engine, id, x -> phase(x).equals("RUNNING"));
        String workloadId = w.get("id").asString();
        String task = api.get("/api/v1/workloads/" + workloadId).json().get("instances").get(0).get("id").asString();

        String[] tail = new String[1];
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Api.Response logs = api.get("/api/v1/workloads/" + workloadId + "/logs?tail=5");
            assertThat(logs.status()).as(logs.toString()).isEqualTo(200);
            assertThat(logs.contentType()).startsWith("text/plain");
            tail[0] = logs.body();
            assertThat(tail[0].lines()).hasSize(5);
        });
        assertThat(tail[0].lines()).allSatisfy(line -> assertThat(line).matches("\\[" + task + "\\] line\\d+"));

        try (StreamRecorder follow = new StreamRecorder(api, "/api/v1/workloads/" + workloadId + "/logs?follow=true&tail=0")) {
            assertThat(follow.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> follow.data("log").size() >= 3);
            assertThat(follow.data("log")).allSatisfy(data -> {
                JsonNode line = Api.JSON.readTree(data.substring("data:".length()));
                assertThat(line.get("instance").asString()).isEqualTo(task);
                assertThat(line.get("text").asString()).matches("line\\d+");
            });
        }
    }

    @Test
    void badInputIsAClearProblemAndCreatesNothing() {
        Api api = api();
        String engine = "swarm-e2e-bad";
        String engineId = registerSwarm(api, engine, "unix://" + LocalSwarm.SOCKET);
        Engines.awaitStatus(api, engineId, "UP");
        cliService("port-owner", "--publish", "published=18943,target=80", LocalSwarm.IMAGE, "sleep", "3600");
        String global = cliService("bad-global", "--mode", "global", LocalSwarm.IMAGE, "sleep", "3600");
        List<String> refused = List.of(PREFIX + "bad-image", PREFIX + "port-taken", PREFIX + "bad-daemon");
        created.addAll(refused);

        Api.Response image = api.post("/api/v1/workloads", Map.of("engine", engine, "name", refused.get(0),
                "spec", Map.of("image", "gantry test/busybox:1", "replicas", 1)));
        assertProblem(image, "spec.image", "not a valid image reference");

        Api.Response port = api.post("/api/v1/workloads", Map.of("engine", engine, "name", refused.get(1),
                "spec", Map.of("image", LocalSwarm.IMAGE, "args", SLEEPER, "replicas", 1,
                        "ports", List.of(Map.of("containerPort", 8080, "publishedPort", 18943, "protocol", "tcp")))));
        assertProblem(port, "spec.ports[0].publishedPort", "port 18943/tcp is already published by service '" + PREFIX + "port-owner'");

        Api.Response daemon = api.post("/api/v1/workloads", Map.of("engine", engine, "name", refused.get(2), "kind", "DAEMON",
                "spec", Map.of("image", LocalSwarm.IMAGE, "args", SLEEPER, "replicas", 3)));
        assertProblem(daemon, "spec.replicas", "takes no replica count");

        String globalId = awaitWorkload(api, engine, global, w -> true).get("id").asString();
        Api.Response scale = api.post("/api/v1/workloads/" + globalId + "/scale", Map.of("replicas", 3));
        assertProblem(scale, "replicas", "has no replica count");
        assertThat(inspect(global).at("/Spec/Mode").has("Global")).isTrue();

        assertThat(LocalSwarm.docker("service", "ls", "--format", "{{.Name}}").lines()).doesNotContainAnyElementsOf(refused);
        assertThat(api.get("/api/v1/operations?engine=" + engineId).json().get("items")).as("nothing journaled").isEmpty();
    }

    /** Registers a swarm engine through the API; returns its id. */
    private String registerSwarm(Api api, String name, String endpoint) {
        Api.Response r = api.post("/api/v1/engines", Map.of("name", name, "kind", "swarm", "endpoint", endpoint,
                "labels", Map.of("env", "e2e"), "credentials", Map.of()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        engines.add(r.json().get("id").asString());
        return r.json().get("id").asString();
    }

    /** {@code docker service create -d --name e2e-sw-NAME ARGS...}; returns the service id. */
    private String cliService(String name, String... args) {
        List<String> command = new ArrayList<>(List.of("service", "create", "-d", "--no-resolve-image",
                "--name", PREFIX + name, "--label", LocalSwarm.TEST_LABEL + "=e2e"));
        command.addAll(List.of(args));
        created.add(PREFIX + name);
        String out = LocalSwarm.docker(command.toArray(String[]::new));
        return out.lines().reduce((first, second) -> second).orElseThrow().trim();
    }

    /** Registers {@code engine} on the local Swarm and deploys a sleeping service with {@code env} through the API; its workload id. */
    private String deploySleeper(Api api, String engine, String name, Map<String, String> env) {
        Engines.awaitStatus(api, registerSwarm(api, engine, "unix://" + LocalSwarm.SOCKET), "UP");
        created.add(name);
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", engine, "name", name, "kind", "SERVICE",
                "labels", Map.of(LocalSwarm.TEST_LABEL, "e2e"),
                "spec", Map.of("image", LocalSwarm.IMAGE, "args", SLEEPER, "env", env, "replicas", 1)));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        return Operations.await(api, deploy.location(), "SUCCEEDED", Duration.ofSeconds(20)).get("workloadId").asString();
    }

    private static JsonNode inspect(String nativeId) {
        return Api.JSON.readTree(LocalSwarm.docker("service", "inspect", nativeId)).get(0);
    }

    /** A 422 problem (RFC 9457) whose errors name {@code field} with a message containing {@code message}. */
    private static void assertProblem(Api.Response response, String field, String message) {
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("title").asString()).isEqualTo("Invalid spec");
        assertThat(problem.get("detail").asString()).contains(message);
        assertThat(problem.get("errors").valueStream()).anySatisfy(error -> {
            assertThat(error.get("field").asString()).isEqualTo(field);
            assertThat(error.get("message").asString()).contains(message);
        });
    }

    /** A mutating call answered 202 whose operation then SUCCEEDED. */
    private static void accepted(Api api, Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        Operations.await(api, response.location(), "SUCCEEDED", Duration.ofSeconds(20));
    }

    /** This engine's workloads made by this test class, as the list API shows them. */
    private static List<JsonNode> listed(Api api, String engine) {
        Api.Response r = api.get("/api/v1/workloads?limit=500&q=" + PREFIX + "&engine=" + engine);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        r.json().get("items").forEach(items::add);
        return items;
    }

    private static Optional<JsonNode> listed(Api api, String engine, String nativeId) {
        return listed(api, engine).stream().filter(w -> w.get("nativeId").asString().equals(nativeId)).findFirst();
    }

    private static JsonNode awaitWorkload(Api api, String engine, String nativeId, Predicate<JsonNode> ready) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            last[0] = listed(api, engine, nativeId).orElse(null);
            assertThat(last[0]).as("workload " + nativeId).isNotNull();
            assertThat(ready.test(last[0])).as("workload in the expected state: " + last[0]).isTrue();
        });
        return last[0];
    }

    private static String phase(JsonNode workload) {
        return workload.get("status").get("phase").asString();
    }
}
