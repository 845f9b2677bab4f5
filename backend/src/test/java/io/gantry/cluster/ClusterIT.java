package io.gantry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.agent.adapter.AgentProcess;
import io.gantry.marathon.MarathonTestServer;
import io.gantry.security.HttpCaller;
import io.gantry.spi.RequiredEngine;
import io.gantry.support.Api;
import io.gantry.support.IntegrationTest;
import io.gantry.support.ReplicaProcess;
import io.gantry.support.StreamRecorder;
import io.gantry.support.TestDatabase;
import io.gantry.swarm.LocalSwarm;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 9's "Done when" with real processes: three Gantry servers (each a JVM of its own, started like
 * the packaged server with its environment variables) on one PostgreSQL, syncing three Marathon engines
 * (the stateful test Marathon of this JVM, reached over HTTP like a real one). Processes rather than
 * application contexts, because only a process can be killed (-9) or paused (SIGSTOP) as a replica is.
 * Not an {@link IntegrationTest}: its servers are the replicas, and leases are short (3 s) to keep it quick.
 * Longer than the default 5 min per test: a test starts up to four server JVMs one after another on a shared
 * 2-core machine, each allowed 180 s to come up.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ClusterIT {
    private static final String APP = """
            {"id": "/ha/%s", "instances": 1, "cpus": 0.1, "mem": 32,
             "container": {"type": "DOCKER", "docker": {"image": "nginx:1.27"}}}""";
    private static final Map<String, String> SHORT_LEASES = Map.of(
            "GANTRY_SECRET_KEY", Base64.getEncoder().encodeToString(new byte[32]),
            "GANTRY_LEASE_DURATION", "3s", "GANTRY_LEASE_RENEW", "1s", "GANTRY_LEASE_RETRY", "500ms");

    private final String database = TestDatabase.newDatabase();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<String, MarathonTestServer> marathons = new LinkedHashMap<>();
    /** engine name -> the names of the apps created on its Marathon */
    private final Map<String, Set<String>> apps = new HashMap<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void engineOwnershipFailoverLiveUpdatesAndSessionsAcrossReplicas() throws Exception {
        ReplicaProcess a = replica("a");
        String idA = a.awaitUp(Duration.ofSeconds(180));
        // B and C start together, once A has created the schema and the bootstrap token
        ReplicaProcess b = replica("b");
        ReplicaProcess c = replica("c");
        CompletableFuture<String> upB = CompletableFuture.supplyAsync(() -> b.awaitUp(Duration.ofSeconds(180)));
        String idC = c.awaitUp(Duration.ofSeconds(180));
        String idB = upB.join();

        Map<String, String> engineIds = new HashMap<>();
        for (String name : List.of("ha-1", "ha-2", "ha-3")) {
            MarathonTestServer marathon = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(50));
            closing.add(marathon);
            marathons.put(name, marathon);
            createApp(name, name + "-web");
            Api.Response r = a.api().post("/api/v1/engines", Map.of("name", name, "kind", "marathon",
                    "endpoint", marathon.url(), "labels", Map.of(), "credentials", Map.of()));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            engineIds.put(name, r.json().get("id").asString());
        }

        // each engine is owned by exactly one live replica, one engine each (the fair share of 3 over 3)
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, String> owners = owners();
            assertThat(owners.keySet()).containsExactlyInAnyOrderElementsOf(engineIds.values());
            assertThat(new HashSet<>(owners.values())).containsExactlyInAnyOrder(idA, idB, idC);
        });
        Map<String, String> owners = owners();
        for (String name : marathons.keySet()) {
            awaitWorkload(c.api(), name, name + "-web");
            String engineId = engineIds.get(name);
            assertThat(b.api().get("/api/v1/engines/" + engineId).json().get("syncOwner").asString())
                    .isEqualTo(owners.get(engineId));
        }
        String engineOfA = nameOf(engineIds, owners, idA);

        // an SSE client of B sees a change that A's watch of its engine produced (the bound is generous for a busy
        // machine; delivery time is not a test's figure)
        try (StreamRecorder onB = new StreamRecorder(b.api(), "/api/v1/stream");
                StreamRecorder onA = new StreamRecorder(a.api(), "/api/v1/stream")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> onB.lines().contains(":connected")
                    && onA.lines().contains(":connected"));
            createApp(engineOfA, "pushed");
            awaitStreamed(onB, "/ha/pushed", engineIds.get(engineOfA), a, b, c);
            // A delivers its own events once, though its notifications come back to it too. Instead of waiting a
            // while: B's engine changes after B had A's notification, so B's notification reaches A's one listener
            // after the echo of A's own (NOTIFY delivers in commit order); once A streams it, the echo was handled
            createApp(nameOf(engineIds, owners, idB), "marker");
            awaitStreamed(onA, "/ha/marker", engineIds.get(nameOf(engineIds, owners, idB)), a, b, c);
            List<String> seenOnA = onA.data("workload.updated").stream().filter(d -> d.contains("\"nativeId\":\"/ha/pushed\"")).toList();
            assertThat(seenOnA).isNotEmpty().doesNotHaveDuplicates();
        }

        // a UI session signed in on A is valid on B
        HttpCaller browserOnA = new HttpCaller(a.port());
        assertThat(browserOnA.formLogin("admin", IntegrationTest.ADMIN_PASSWORD).status()).isEqualTo(302);
        String session = browserOnA.sessionId();
        assertThat(session).isNotNull();
        HttpCaller.Reply onB = new HttpCaller(b.port()).send("GET", "/api/v1/engines", null, null,
                Map.of("Cookie", "JSESSIONID=" + session));
        assertThat(onB.status()).as(onB.body()).isEqualTo(200);

        // a resync accepted by replicas that do not sync the engine runs once, on the replica that does;
        // its Idempotency-Key holds across replicas
        String engineOfC = nameOf(engineIds, owners, idC);
        String syncPath = "/api/v1/engines/" + engineIds.get(engineOfC) + "/sync";
        Map<String, String> key = Map.of("Idempotency-Key", "ha-sync-1");
        Api.Response accepted = a.api().post(syncPath, null, key);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String operationId = accepted.json().get("id").asString();
        assertThat(b.api().post(syncPath, null, key).json().get("id").asString()).isEqualTo(operationId);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                b.api().get("/api/v1/operations/" + operationId).json().get("state").asString().equals("SUCCEEDED"));
        assertThat(column("operations", "executor", operationId)).isEqualTo(idC);

        // what A is running when it dies
        String orphan = UUID.randomUUID().toString();
        execute("INSERT INTO operations (id, action, engine_id, username, state, progress, message, created_at, "
                + "updated_at, executor) VALUES ('" + orphan + "', 'restart', '" + engineIds.get(engineOfA)
                + "', 'admin', 'RUNNING', 10, 'calling engine', now(), now(), '" + idA + "')");

        // kill -9 the owner of an engine: another replica takes it within 20 s, and its workloads keep updating
        a.kill();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(owners().get(engineIds.get(engineOfA))).isIn(idB, idC));
        createApp(engineOfA, "after-failover");
        awaitWorkload(b.api(), engineOfA, "after-failover");
        // A's operation is FAILED with a reason, not run again
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                c.api().get("/api/v1/operations/" + orphan).json().get("state").asString().equals("FAILED"));
        assertThat(c.api().get("/api/v1/operations/" + orphan).json().get("message").asString())
                .isEqualTo("server restarted while the operation was running");

        // B paused past its leases: C takes its engines; resumed, B's writes are refused and it stops syncing them
        String engineOfB = nameOf(engineIds, owners(), idB);
        String tokenOfB = token(engineIds.get(engineOfB));
        b.signal("STOP");
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(owners().values()).containsOnly(idC).hasSize(3));
            // a change B would write (its watch delivers it once B runs again) with its stale token
            createApp(engineOfB, "while-b-paused");
        } finally {
            b.signal("CONT");
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                b.logText().contains("lease " + tokenOfB + " lost") || b.logText().contains("token " + tokenOfB + " is no longer held"));
        awaitWorkload(c.api(), engineOfB, "while-b-paused");

        // nothing doubled or lost: the store holds exactly each Marathon's apps
        for (String engine : marathons.keySet()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(storedNames(engineIds.get(engine))).containsExactlyInAnyOrderElementsOf(apps.get(engine)));
        }
    }

    /**
     * The engines the issue names, on two and on three replicas: a real node agent (a daemon process of its
     * own, which outlives the replicas) and this machine's real Swarm. Each is synced by one replica; a
     * deploy accepted by two replicas under one Idempotency-Key runs once, on the replica syncing the agent;
     * kill -9 the Swarm's owner and the others take its engine, see new services and scale the agent's workload.
     */
    @ParameterizedTest(name = "{0} replicas")
    @ValueSource(ints = {2, 3})
    void agentAndSwarmEnginesAreSyncedByOneReplicaEachAndFailOver(int count) throws Exception {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        AgentProcess agent = new AgentProcess(Files.createTempDirectory("gantry-ha-agent-")).start();
        closing.add(agent);
        List<String> services = new ArrayList<>();
        closing.add(() -> LocalSwarm.removeServices(services.toArray(String[]::new)));
        // the first replica creates the schema and the bootstrap token; the others start together
        Map<String, ReplicaProcess> replicas = new LinkedHashMap<>();
        ReplicaProcess first = replica("r1");
        replicas.put(first.awaitUp(Duration.ofSeconds(180)), first);
        List<ReplicaProcess> others = new ArrayList<>();
        for (int i = 2; i <= count; i++) {
            others.add(replica("r" + i));
        }
        for (ReplicaProcess r : others) {
            replicas.put(r.awaitUp(Duration.ofSeconds(180)), r);
        }

        String agentId = register(first, "ha-agent", "agent", "grpc://127.0.0.1:" + agent.port, Map.of("token", agent.token));
        String swarmId = register(first, "ha-swarm", "swarm", "unix://" + LocalSwarm.SOCKET, Map.of());
        // two engines over the replicas: at most one each, so two replicas own one each
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, String> owners = owners();
            assertThat(owners.keySet()).containsExactlyInAnyOrder(agentId, swarmId);
            assertThat(replicas.keySet()).containsAll(owners.values());
            assertThat(new HashSet<>(owners.values())).hasSize(2);
        });
        String agentOwner = owners().get(agentId);
        String swarmOwner = owners().get(swarmId);
        services.add(swarmService("ha-sw-before"));
        awaitWorkload(replicas.get(agentOwner).api(), "ha-swarm", "ha-sw-before");

        Map<String, Object> deploy = Map.of("engine", "ha-agent", "namespace", "ha", "name", "sleeper",
                "spec", Map.of("command", List.of("sleep", "600"), "replicas", 2, "runtime", "raw"));
        Map<String, String> key = Map.of("Idempotency-Key", "ha-deploy-1");
        ReplicaProcess elsewhere = replicas.get(swarmOwner);
        Api.Response accepted = elsewhere.api().post("/api/v1/workloads", deploy, key);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String deployId = accepted.json().get("id").asString();
        assertThat(replicas.get(agentOwner).api().post("/api/v1/workloads", deploy, key).json().get("id").asString())
                .isEqualTo(deployId);
        String sleeperId = awaitSucceeded(elsewhere.api(), deployId).get("workloadId").asString();
        awaitRunning(elsewhere.api(), sleeperId, 2);
        // accepted by a replica that does not sync the agent, run by the one that does
        assertThat(column("operations", "executor", deployId)).isEqualTo(agentOwner);

        replicas.get(swarmOwner).kill();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(owners()).containsOnlyKeys(agentId, swarmId).doesNotContainValue(swarmOwner));
        ReplicaProcess survivor = replicas.get(owners().get(swarmId));
        services.add(swarmService("ha-sw-after"));
        awaitWorkload(survivor.api(), "ha-swarm", "ha-sw-after");
        Api.Response scale = survivor.api().post("/api/v1/workloads/" + sleeperId + "/scale", Map.of("replicas", 3));
        assertThat(scale.status()).as(scale.toString()).isEqualTo(202);
        awaitSucceeded(survivor.api(), scale.json().get("id").asString());
        awaitRunning(survivor.api(), sleeperId, 3);

        // nothing doubled or lost in the store
        assertThat(storedNames(swarmId).stream().filter(n -> n.startsWith("ha-sw-")))
                .containsExactlyInAnyOrder("ha-sw-before", "ha-sw-after");
        assertThat(storedNames(agentId)).containsExactly("sleeper");
    }

    private static String register(ReplicaProcess replica, String name, String kind, String endpoint,
                                   Map<String, String> credentials) {
        Api.Response r = replica.api().post("/api/v1/engines", Map.of("name", name, "kind", kind,
                "endpoint", endpoint, "labels", Map.of(), "credentials", credentials));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    /** A Swarm service of no replicas: the sync reads services, and no container is needed to see one. */
    private static String swarmService(String name) {
        LocalSwarm.docker("service", "create", "-d", "--no-resolve-image", "--name", name, "--replicas", "0",
                "--label", LocalSwarm.TEST_LABEL + "=ha", LocalSwarm.IMAGE, "sleep", "600");
        return name;
    }

    private static JsonNode awaitSucceeded(Api api, String operationId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                List.of("SUCCEEDED", "FAILED").contains(api.get("/api/v1/operations/" + operationId).json().get("state").asString()));
        JsonNode operation = api.get("/api/v1/operations/" + operationId).json();
        assertThat(operation.get("state").asString()).as(operation.toString()).isEqualTo("SUCCEEDED");
        return operation;
    }

    private static void awaitRunning(Api api, String workloadId, int replicas) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                api.get("/api/v1/workloads/" + workloadId).json().get("status").get("running").asInt() == replicas);
    }

    private void createApp(String engine, String name) {
        assertThat(marathons.get(engine).createApp(APP.formatted(name))).isEqualTo(201);
        apps.computeIfAbsent(engine, e -> new HashSet<>()).add(name);
    }

    private ReplicaProcess replica(String name) {
        ReplicaProcess r = ReplicaProcess.start(name, database, SHORT_LEASES);
        closing.add(r);
        return r;
    }

    /** engine id -> owner replica of every live lease. */
    private Map<String, String> owners() throws Exception {
        Map<String, String> owners = new HashMap<>();
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT engine_id, owner FROM engine_leases WHERE expires_at > now()")) {
            while (rs.next()) {
                owners.put(rs.getString(1), rs.getString(2));
            }
        }
        return owners;
    }

    private String token(String engineId) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT token FROM engine_leases WHERE engine_id = '" + engineId + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String column(String table, String column, String id) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT " + column + " FROM " + table + " WHERE id = '" + id + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "")) {
            c.createStatement().execute(sql);
        }
    }

    private List<String> storedNames(String engineId) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT name FROM workloads WHERE engine_id = '" + engineId + "'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String nameOf(Map<String, String> engineIds, Map<String, String> owners, String replica) {
        return engineIds.entrySet().stream().filter(e -> replica.equals(owners.get(e.getValue())))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError(replica + " owns nothing: " + owners));
    }

    /**
     * Waits for a {@code workload.updated} of the workload on the stream. Seen failing once in CI and never here:
     * a timeout says what the store, the leases and the replicas' logs held, to tell a lost event from a lost change.
     */
    private void awaitStreamed(StreamRecorder stream, String nativeId, String engineId, ReplicaProcess... replicas)
            throws Exception {
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() ->
                    stream.data("workload.updated").stream().anyMatch(d -> d.contains("\"nativeId\":\"" + nativeId + "\"")));
        } catch (ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("no workload.updated of " + nativeId + " within 15 s; leases "
                    + owners() + "; stored on its engine " + storedNames(engineId) + "; stream lines "
                    + stream.lines().size());
            for (ReplicaProcess r : replicas) {
                List<String> lines = r.logText().lines().filter(l -> !l.contains(" INFO ") || l.contains("io.gantry.sync"))
                        .toList();
                why.append("\n--- ").append(r.name()).append(" (sync INFO, WARN, ERROR; last 40)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            throw new AssertionError(why.toString(), e);
        }
    }

    private static void awaitWorkload(Api api, String engine, String name) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                api.get("/api/v1/workloads?limit=500&engine=" + engine).json().get("items").valueStream()
                        .anyMatch(w -> w.get("name").asString().equals(name)));
    }
}
