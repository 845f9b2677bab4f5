package io.gantry.marathon;

import io.gantry.spi.json.Json;
import static io.gantry.marathon.MarathonEngineClientContractTest.connection;
import static io.gantry.marathon.MarathonEngineClientContractTest.nginx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Subscription;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import tools.jackson.databind.JsonNode;

/** The adapter against the Marathon test server: reads, writes, locks, validation, watch, HA, auth, logs. */
class MarathonEngineClientTest {
    private static final long MIB = 1024L * 1024L;

    private MarathonTestServer server;
    private EngineClient client;

    @BeforeEach
    void start() {
        server = MarathonTestServer.start().deploymentDelay(Duration.ofMillis(300));
        client = connect(server.url(), Map.of("mesosUrl", server.url()));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static EngineClient connect(String endpoint, Map<String, String> options) {
        return new MarathonEngineAdapter().connect(connection(endpoint, options));
    }

    @Test
    void appCreatedInMarathonAppearsWithItsFieldsAndPhase() {
        assertThat(server.createApp("""
                {"id": "/shop/web", "instances": 2, "cpus": 0.25, "mem": 96,
                 "container": {"type": "DOCKER", "docker": {"image": "nginx:1.27"},
                   "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}]},
                 "networks": [{"mode": "container/bridge"}],
                 "env": {"MODE": "prod"}, "labels": {"team": "shop"},
                 "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/health", "portIndex": 0, "intervalSeconds": 5}],
                 "constraints": [["zone", "GROUP_BY", "2"]]}""")).isEqualTo(201);

        Workload deploying = only(client.listWorkloads());
        assertThat(deploying.status().phase()).isEqualTo(Phase.DEPLOYING);
        // the step in Marathon's words, from GET /v2/deployments
        assertThat(deploying.status().message()).isEqualTo("step 1 of 1: StartApplication; 2 task(s) staging");

        Workload w = await("running", () -> client.getWorkload("/shop/web")
                .filter(x -> x.status().phase() == Phase.RUNNING));
        assertThat(w.namespace()).isEqualTo("shop");
        assertThat(w.name()).isEqualTo("web");
        assertThat(w.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(w.labels()).containsExactly(Map.entry("team", "shop"));
        assertThat(w.spec().image()).isEqualTo("nginx:1.27");
        assertThat(w.spec().resources()).isEqualTo(new Resources(250L, 96 * MIB));
        assertThat(w.spec().replicas()).isEqualTo(2);
        assertThat(w.spec().ports()).containsExactly(PortMapping.tcp(80));
        assertThat(w.spec().env()).containsExactly(Map.entry("MODE", "prod"));
        assertThat(w.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.HTTP, "/health", 80, List.of(),
                5, null));
        assertThat(w.spec().constraints()).containsExactly("zone:GROUP_BY:2");
        assertThat(w.status().desired()).isEqualTo(2);
        assertThat(w.status().running()).isEqualTo(2);
        assertThat(w.status().healthy()).isEqualTo(2);
        assertThat(w.status().message()).isEmpty();
        assertThat(w.instances()).hasSize(2).allSatisfy(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.RUNNING);
            assertThat(i.node()).startsWith("node-");
            assertThat(i.address()).matches("node-\\d:3\\d{4}");
            assertThat(i.startedAt()).isNotNull();
        });
        Workload listed = only(client.listWorkloads());
        assertThat(listed.spec()).isEqualTo(w.spec());
        assertThat(listed.status()).isEqualTo(w.status());
        assertThat(listed.instances()).isEqualTo(w.instances());
    }

    @Test
    void appWhoseLaunchesFailIsFailedWithTheBackOffThoughItsDeploymentGoesOn() {
        server.failLaunches("/broken", "Failed to launch container: image not found");
        server.createApp("{\"id\": \"/broken\", \"cmd\": \"./start.sh\", \"instances\": 1}");
        Workload w = await("launch failed", () -> client.getWorkload("/broken")
                .filter(x -> x.status().message().contains("last task failure")));
        // Marathon's deployment goes on retrying with back-off, but nothing runs and launches fail now
        assertThat(w.status().phase()).isEqualTo(Phase.FAILED);
        assertThat(w.status().message()).isEqualTo("step 1 of 1: StartApplication; "
                + "1 instance(s) to launch, delayed 42 s after failed launches; "
                + "last task failure: TASK_FAILED on node-1: Failed to launch container: image not found");
        assertThat(client.events("/broken", 10)).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(EngineEvent.WARNING);
            assertThat(e.reason()).isEqualTo("TaskFailed");
            assertThat(e.message()).contains("image not found");
        });
    }

    @Test
    void appTooBigForAnyAgentIsDeployingWithWhyOffersAreDeclined() {
        server.createApp("{\"id\": \"/huge\", \"cmd\": \"./start.sh\", \"instances\": 2, \"mem\": 65536}");
        Workload w = client.getWorkload("/huge").orElseThrow();
        assertThat(w.status().phase()).isEqualTo(Phase.DEPLOYING);
        assertThat(w.status().message()).isEqualTo("step 1 of 1: StartApplication; "
                + "2 instance(s) waiting for Mesos offers: insufficient memory on 3 of 3 agents");
        assertThat(only(client.listWorkloads()).status()).isEqualTo(w.status());
    }

    @Test
    void appWhoseTasksCrashIsFailed() {
        server.createApp("{\"id\": \"/crashy\", \"cmd\": \"./start.sh\", \"instances\": 2}");
        awaitPhase("/crashy", Phase.RUNNING);
        server.crash("/crashy", "Command exited with status 137 (OOM killed)");
        Workload w = client.getWorkload("/crashy").orElseThrow();
        assertThat(w.status().phase()).isEqualTo(Phase.FAILED);
        assertThat(w.status().running()).isZero();
        assertThat(w.status().message()).contains("last task failure: TASK_FAILED on node-")
                .contains("OOM killed").contains("delayed 42 s");
        assertThat(w.status().since()).isNotNull();
    }

    @Test
    void deployScaleRestartDeleteLandAsTheMarathonCalls() {
        Workload created = client.deploy(nginx("shop", "api"));
        assertThat(created.nativeId()).isEqualTo("/shop/api");
        assertThat(created.status().phase()).isEqualTo(Phase.DEPLOYING);
        awaitPhase("/shop/api", Phase.RUNNING);
        client.scale("/shop/api", 3);
        await("3 running", () -> client.getWorkload("/shop/api").filter(w -> w.status().running() == 3));
        awaitPhase("/shop/api", Phase.RUNNING);
        List<String> before = server.taskIds("/shop/api");
        client.restart("/shop/api");
        Workload restarting = client.getWorkload("/shop/api").orElseThrow();
        assertThat(restarting.status().phase()).isEqualTo(Phase.DEPLOYING);
        assertThat(restarting.status().message())
                .isEqualTo("step 1 of 1: RestartApplication; 0 of 3 updated; 3 task(s) staging");
        await("replaced", () -> Optional.of(server.taskIds("/shop/api"))
                .filter(ids -> ids.size() == 3 && ids.stream().noneMatch(before::contains)));
        awaitPhase("/shop/api", Phase.RUNNING);
        assertThat(client.listWorkloads()).extracting(Workload::nativeId).containsExactly("/shop/api");
        client.delete("/shop/api");
        assertThat(client.getWorkload("/shop/api")).isEmpty();

        List<String> writes = server.requests().stream().filter(r -> !r.startsWith("GET")).toList();
        assertThat(writes).containsExactly("POST /v2/apps", "PUT /v2/apps/shop/api", "POST /v2/apps/shop/api/restart",
                "DELETE /v2/apps/shop/api");
        assertThat(server.requests()).contains("GET /v2/apps?" + MarathonAppReader.APP_EMBEDS, "GET /v2/queue",
                "GET /v2/pods/::status");
    }

    @Test
    void updateReplacesTheModelFieldsAndRollsTheTasks() {
        server.createApp("""
                {"id": "/svc", "cmd": "./serve", "instances": 1, "cpus": 0.1, "mem": 32,
                 "fetch": [{"uri": "https://example.org/serve.tgz", "extract": true}],
                 "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.2}}""");
        awaitPhase("/svc", Phase.RUNNING);
        List<String> before = server.taskIds("/svc");
        WorkloadSpec spec = client.getWorkload("/svc").orElseThrow().spec();
        client.update("/svc", new WorkloadSpec(null, List.of("./serve", "--port", "$PORT0"), null, Map.of("A", "1"),
                List.of(PortMapping.tcp(9000)), new Resources(200L, 64 * MIB), 2, null, List.of(), null));
        Workload w = await("updated", () -> client.getWorkload("/svc")
                .filter(x -> x.status().phase() == Phase.RUNNING && x.status().running() == 2));
        assertThat(w.spec().command()).containsExactly("/bin/sh", "-c", "./serve --port '$PORT0'");
        assertThat(w.spec().resources()).isEqualTo(new Resources(200L, 64 * MIB));
        assertThat(w.spec().ports()).containsExactly(PortMapping.tcp(9000));
        assertThat(w.nativeObject()).contains("serve.tgz").contains("\"maximumOverCapacity\":0.2");
        assertThat(server.taskIds("/svc")).doesNotContainAnyElementsOf(before);
        assertThat(spec.replicas()).isEqualTo(1);
    }

    @Test
    void lockedAppGivesAConflictNamingTheDeploymentUnlessForced() {
        server.deploymentDelay(Duration.ofSeconds(5));
        client.deploy(nginx("", "locked"));
        String deployment = Json.parse(client.getWorkload("/locked").orElseThrow().nativeObject())
                .path("deployments").get(0).path("id").asString();
        assertThatThrownBy(() -> client.scale("/locked", 2))
                .isInstanceOf(EngineConflictException.class)
                .hasMessageContaining("locked by Marathon deployment " + deployment)
                .hasMessageContaining("force=true");

        try (EngineClient forcing = connect(server.url(), Map.of("force", "true"))) {
            forcing.scale("/locked", 2);
        }
        assertThat(server.requests()).contains("PUT /v2/apps/locked", "PUT /v2/apps/locked?force=true");
        assertThat(client.getWorkload("/locked").orElseThrow().spec().replicas()).isEqualTo(2);
    }

    @Test
    void validationErrorsComeBackAsModelFields() {
        WorkloadSpec badPort = new WorkloadSpec("nginx:1.27", null, null, null, List.of(PortMapping.tcp(70000)),
                null, 1, null, List.of("hostname:SOMETIMES"), null);
        assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("", "bad", WorkloadKind.SERVICE, null, badPort)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field)
                            .containsExactly("spec.ports[0].containerPort", "spec.constraints[0]");
                    assertThat(e.errors().get(0).message()).isEqualTo("got 70000, expected between 0 and 65535");
                    assertThat(e.getMessage()).contains("Object is not valid");
                });
        assertThatThrownBy(() -> client.deploy(nginx("", "Bad_Name")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("name"));
        assertThatThrownBy(() -> client.deploy(new WorkloadDefinition("", "job", WorkloadKind.JOB, null,
                WorkloadSpec.of("busybox", 1))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("kind"));
        assertThat(server.requests()).filteredOn(r -> r.startsWith("POST")).hasSize(2);
    }

    @Test
    void duplicateNameIsAConflict() {
        client.deploy(nginx("", "twice"));
        assertThatThrownBy(() -> client.deploy(nginx("", "twice")))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("already exists");
    }

    @Test
    void anEventReachesTheWatcherThroughTheStream() {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        try (Subscription ignored = client.watch(watched)) {
            await("stream open", () -> Optional.of(server.openEventStreams()).filter(n -> n == 1));
            // only the event stream can bring it: nothing polls while the stream is open. The bound is generous
            // for a busy machine; delivery time is not a test's figure.
            server.createApp("{\"id\": \"/events/fast\", \"cmd\": \"sleep 1000\"}");
            await("changed", Duration.ofSeconds(15), () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals("/events/fast")).findFirst());
            await("running through events", () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().status().phase() == Phase.RUNNING).findFirst());
            assertThat(seen).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(EngineChange.EventObserved.class,
                    e -> assertThat(e.event().reason()).isEqualTo("TaskRunning")));
            assertThat(seen).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(EngineChange.EventObserved.class,
                    e -> assertThat(e.event().reason()).isEqualTo("DeploymentSucceeded")));
            assertThat(client.events("/events/fast", 50)).extracting(EngineEvent::reason).contains("TaskRunning",
                    "DeploymentSucceeded");

            client.delete("/events/fast");
            await("removed", () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadRemoved r
                    && r.nativeId().equals("/events/fast")).findFirst());
        }
    }

    @Test
    void aDroppedStreamIsReopenedAndResyncRequested() {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        List<Throwable> failures = watched.failures();
        try (Subscription ignored = client.watch(watched)) {
            await("stream open", () -> Optional.of(server.openEventStreams()).filter(n -> n == 1));
            server.dropEventStreams();
            EngineChange.ResyncRequired resync = await("resync", () -> seen.stream()
                    .filter(EngineChange.ResyncRequired.class::isInstance).map(EngineChange.ResyncRequired.class::cast)
                    .findFirst());
            assertThat(resync.reason()).contains("re-opened");
            await("stream reopened", () -> Optional.of(server.openEventStreams()).filter(n -> n == 1));
            server.createApp("{\"id\": \"/after-gap\", \"cmd\": \"sleep 1000\"}");
            await("event after the gap", () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals("/after-gap")).findFirst());

            server.leader("10.0.0.2:8080");
            server.dropEventStreams();
            await("leader change", () -> seen.stream().filter(c -> c instanceof EngineChange.ResyncRequired r
                    && r.reason().contains("leader changed from 127.0.0.1:" + server.port() + " to 10.0.0.2:8080"))
                    .findFirst());
        }
        assertThat(failures).isEmpty();
    }

    /** The receiver lists right after subscribing: a change made once watch returned must not fall between. */
    @Test
    void watchReturnsWithTheStreamOpenSoTheNextChangeIsDelivered() {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        try (Subscription ignored = client.watch(watched)) {
            server.createApp("{\"id\": \"/right-after\", \"cmd\": \"sleep 1000\"}");
            await("changed", Duration.ofSeconds(15), () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals("/right-after")).findFirst());
        }
        assertThat(seen).noneMatch(EngineChange.ResyncRequired.class::isInstance);
    }

    /** close() interrupts a re-read under way; its failure is close's doing, not a change to resync for. */
    @Test
    void aReReadCutShortByCloseDeliversNothing() throws InterruptedException {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        Subscription watch = client.watch(watched);
        server.slowdown(Duration.ofSeconds(3));
        server.createApp("{\"id\": \"/cut-short\", \"cmd\": \"sleep 1000\"}");
        await("the re-read under way", () -> server.requests().stream().filter(r -> r.startsWith("GET /v2/apps/cut-short"))
                .findFirst());
        watch.close();
        // the interrupted re-read ends on the delivery thread shortly after close returns: look once it has ended
        await("the delivery thread ended", () -> Optional.of(true).filter(t -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.isAlive() && thread.getName().startsWith("marathon-events-delivery-"))));
        assertThat(seen).noneMatch(EngineChange.ResyncRequired.class::isInstance)
                .noneMatch(EngineChange.WorkloadChanged.class::isInstance);
    }

    /** Without it the receiver would learn of the outage only at its next periodic resync. */
    @Test
    void anUnreachableMarathonAsksForOneResyncAtOncePerOutage() {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        List<Throwable> failures = watched.failures();
        try (Subscription ignored = client.watch(watched)) {
            server.leaderless(true);
            EngineChange.ResyncRequired unreachable = await("resync", Duration.ofSeconds(15), () -> seen.stream()
                    .filter(EngineChange.ResyncRequired.class::isInstance).map(EngineChange.ResyncRequired.class::cast)
                    .findFirst());
            assertThat(unreachable.reason()).contains("Marathon unreachable", "503",
                    "Could not determine the current leader");
            long pings = server.requests().stream().filter(r -> r.startsWith("GET /v2/info")).count();
            await("two more failed reconnects", () -> Optional.of(server.requests().stream()
                    .filter(r -> r.startsWith("GET /v2/info")).count()).filter(n -> n >= pings + 2));
            assertThat(seen).filteredOn(EngineChange.ResyncRequired.class::isInstance).hasSize(1);

            server.leaderless(false);
            await("reopened after the outage", () -> seen.stream().filter(c -> c instanceof EngineChange.ResyncRequired r
                    && r.reason().contains("re-opened")).findFirst());
            assertThat(server.openEventStreams()).isEqualTo(1);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aSilentStreamNoticesALeaderChange() {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        ((MarathonEngineClient) client).eventIdleCheck(Duration.ofMillis(200));
        try (Subscription ignored = client.watch(watched)) {
            await("stream open", () -> Optional.of(server.openEventStreams()).filter(n -> n == 1));
            // the old stream stays open, as with a half-open connection to a deposed leader
            server.leader("10.0.0.3:8080");
            await("leader change", () -> seen.stream().filter(c -> c instanceof EngineChange.ResyncRequired r
                    && r.reason().contains("to 10.0.0.3:8080")).findFirst());
            await("second stream", () -> Optional.of(server.openEventStreams()).filter(n -> n == 2));
            server.createApp("{\"id\": \"/after-leader\", \"cmd\": \"sleep 1000\"}");
            await("event on the new stream", () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals("/after-leader")).findFirst());
        }
    }

    @Test
    void anIdleStreamOutlivesTheCallTimeout() throws InterruptedException {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        EngineConnection shortCalls = new EngineConnection(UUID.randomUUID(), "short", server.url(), null, null, null,
                Duration.ofMillis(700));
        try (EngineClient quick = new MarathonEngineAdapter().connect(shortCalls);
             Subscription ignored = quick.watch(watched)) {
            await("stream open", () -> Optional.of(server.openEventStreams()).filter(n -> n == 1));
            Thread.sleep(1500);
            server.createApp("{\"id\": \"/late\", \"cmd\": \"sleep 1000\"}");
            await("late event", () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals("/late")).findFirst());
            assertThat(seen).noneMatch(EngineChange.ResyncRequired.class::isInstance);
            assertThat(server.openEventStreams()).isEqualTo(1);
        }
    }

    @Test
    void aStoppedMarathonIsRetriedAndResyncedWhenBack() throws Exception {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> seen = watched.changes();
        List<Throwable> failures = watched.failures();
        MarathonTestServer second = MarathonTestServer.start();
        try (EngineClient ha = connect(server.url() + "," + second.url(), Map.of());
             Subscription ignored = ha.watch(watched)) {
            await("stream open", () -> Optional.of(server.openEventStreams()).filter(n -> n == 1));
            server.close();
            // the standby answers next: the watch moves over and asks for a resync
            await("moved to the standby", () -> Optional.of(second.openEventStreams()).filter(n -> n == 1));
            await("resync", () -> seen.stream().filter(EngineChange.ResyncRequired.class::isInstance).findFirst());
            second.createApp("{\"id\": \"/on-second\", \"cmd\": \"sleep 1000\"}");
            await("event from the standby", () -> seen.stream().filter(c -> c instanceof EngineChange.WorkloadChanged wc
                    && wc.workload().nativeId().equals("/on-second")).findFirst());
            assertThat(ha.listWorkloads()).extracting(Workload::nativeId).containsExactly("/on-second");
        } finally {
            second.close();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void failsOverToTheNextMarathonUrl() throws Exception {
        String dead = "http://127.0.0.1:" + freePort();
        server.createApp("{\"id\": \"/ha\", \"cmd\": \"sleep 1000\"}");
        awaitPhase("/ha", Phase.RUNNING);
        try (EngineClient ha = connect(dead + "," + server.url(), Map.of())) {
            assertThat(ha.ping().version()).isEqualTo("1.11.24");
            assertThat(ha.listWorkloads()).extracting(Workload::nativeId).containsExactly("/ha");
            ha.scale("/ha", 0);
            awaitPhase(ha, "/ha", Phase.STOPPED);
        }
    }

    @Test
    void aMarathonWithoutLeaderIsSkippedForTheNext() {
        MarathonTestServer second = MarathonTestServer.start();
        try (EngineClient ha = connect(server.url() + "," + second.url(), Map.of())) {
            second.createApp("{\"id\": \"/elected\", \"cmd\": \"sleep 1000\"}");
            server.leaderless(true);
            assertThat(ha.listWorkloads()).extracting(Workload::nativeId).containsExactly("/elected");
            second.leaderless(true);
            assertThatThrownBy(ha::ping).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("503").hasMessageContaining("Could not determine the current leader");
        } finally {
            second.close();
        }
    }

    @Test
    void anHtmlErrorPageBecomesTheStatusOnlyAndAJsonMessageIsCut() {
        server.answerEverythingWith(500, "<html><body>" + "TOP-SECRET-MARKER ".repeat(600) + "</body></html>");
        assertThatThrownBy(client::listWorkloads).isInstanceOf(EngineUnavailableException.class)
                .hasMessage("Marathon answered HTTP 500 for deployments");
        server.answerEverythingWith(502, "{\"message\": \"upstream\\n" + "TOP-SECRET-MARKER".repeat(60) + "\"}");
        assertThatThrownBy(client::listWorkloads).isInstanceOfSatisfying(EngineUnavailableException.class, e ->
                assertThat(e.getMessage()).startsWith("Marathon answered HTTP 502: upstream TOP-SECRET-MARKER")
                        .hasSizeLessThan(200).doesNotContain("\n"));
        server.answerEverythingWith(200, "not json: TOP-SECRET-MARKER");
        assertThatThrownBy(client::ping).isInstanceOf(EngineUnavailableException.class)
                .message().doesNotContain("TOP-SECRET-MARKER");
        server.answerEverythingWith(0, null);
    }

    /** The JDK client would repeat the Authorization header to wherever a redirect points. */
    @Test
    void aRedirectCarriesTheCredentialsOnlyToARegisteredEndpoint() throws Exception {
        com.sun.net.httpserver.HttpServer redirector = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        redirector.createContext("/", ex -> {
            ex.getResponseHeaders().add("Location", server.url() + ex.getRequestURI());
            ex.sendResponseHeaders(307, -1);
            ex.close();
        });
        redirector.start();
        server.requireAuthorization("token=only-for-registered");
        String standby = "http://127.0.0.1:" + redirector.getAddress().getPort();
        try (EngineClient elsewhere = withCredentials(standby, Map.of("token", "only-for-registered"));
             EngineClient listed = withCredentials(standby + "," + server.url(), Map.of("token", "only-for-registered"))) {
            assertThatThrownBy(elsewhere::ping).isInstanceOf(EngineForbiddenException.class).hasMessageContaining("401");
            assertThat(listed.ping().degraded()).isFalse();
            assertThat(server.requests()).contains("GET /v2/info");
        } finally {
            redirector.stop(0);
        }
    }

    private static EngineClient withCredentials(String endpoint, Map<String, String> credentials) {
        return new MarathonEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "redirected", endpoint, null,
                credentials, null, Duration.ofSeconds(3)));
    }

    @Test
    void destinationsAreEveryMarathonAndTheMesosMaster() {
        EngineConnection c = new EngineConnection(UUID.randomUUID(), "d", "http://m1:8080,https://m2:8443", null, null,
                Map.of("mesosUrl", "http://mesos:5050"), null);
        assertThat(new MarathonEngineAdapter().destinations(c)).extracting(java.net.URI::toString)
                .containsExactly("http://m1:8080", "https://m2:8443", "http://mesos:5050");
    }

    @Test
    void idsMarathonCannotHoldNameNoWorkload() {
        assertThat(client.getWorkload("Not A Marathon Id")).isEmpty();
        assertThatThrownBy(() -> client.delete("/UPPER/case")).isInstanceOf(WorkloadNotFoundException.class);
        assertThat(server.requests()).noneMatch(r -> r.contains("UPPER"));
    }

    @Test
    void unreachableMarathonIsUnavailableWithinTheCallTimeout() throws Exception {
        EngineConnection conn = new EngineConnection(UUID.randomUUID(), "gone",
                "http://127.0.0.1:" + freePort() + ",http://127.0.0.1:" + freePort(), null, null, null,
                Duration.ofSeconds(1));
        try (EngineClient gone = new MarathonEngineAdapter().connect(conn)) {
            // both refuse at once; the bound only turns a hang into a failure
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                assertThatThrownBy(gone::ping).isInstanceOf(EngineUnavailableException.class)
                        .hasMessageContaining("gone").hasMessageContaining("/v2/info");
                assertThatThrownBy(gone::listWorkloads).isInstanceOf(EngineUnavailableException.class);
            });
        }
    }

    @Test
    void theCallTimeoutBoundsAWholeMethodNotEachRequest() throws Exception {
        server.slowdown(Duration.ofMillis(400));
        EngineConnection conn = new EngineConnection(UUID.randomUUID(), "slow", server.url(), null, null, null,
                Duration.ofMillis(1000));
        try (EngineClient slow = new MarathonEngineAdapter().connect(conn)) {
            assertThat(slow.ping().version()).isEqualTo("1.11.24");
            // apps, queue and pods: three answers of 400 ms do not fit in 1 s, while each alone would (a timeout per
            // request would let the call succeed). The failure itself is the proof; no elapsed time is asserted.
            assertThatThrownBy(slow::listWorkloads).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("call timeout");
        }
    }

    @Test
    void basicAuthAndDcosTokenAreSentAndRefusalIsForbidden() {
        server.requireAuthorization("Basic " + java.util.Base64.getEncoder().encodeToString("ops:s3cret".getBytes()));
        EngineConnection basic = new EngineConnection(UUID.randomUUID(), "auth", server.url(), null,
                Map.of("username", "ops", "password", "s3cret"), null, Duration.ofSeconds(3));
        try (EngineClient ok = new MarathonEngineAdapter().connect(basic)) {
            assertThat(ok.ping().degraded()).isFalse();
        }
        assertThatThrownBy(client::ping).isInstanceOf(EngineForbiddenException.class).hasMessageContaining("401");

        server.requireAuthorization("token=eyJhbGciOi");
        EngineConnection token = new EngineConnection(UUID.randomUUID(), "dcos", server.url(), null,
                Map.of("token", "eyJhbGciOi"), null, Duration.ofSeconds(3));
        try (EngineClient ok = new MarathonEngineAdapter().connect(token)) {
            assertThat(ok.listWorkloads()).isEmpty();
        }
        assertThat(new MarathonEngineAdapter().connect(basic).toString()).doesNotContain("s3cret");

        RecordingListener watched = new RecordingListener();
        List<Throwable> failures = watched.failures();
        try (Subscription ignored = client.watch(watched)) {
            await("watch gave up", () -> failures.stream().findFirst());
        }
        assertThat(failures).singleElement().isInstanceOf(EngineForbiddenException.class);
    }

    @Test
    void registrationIsValidatedWithoutNetwork() {
        MarathonEngineAdapter adapter = new MarathonEngineAdapter();
        assertThat(adapter.kind()).isEqualTo("marathon");
        assertThatThrownBy(() -> adapter.validate(connection("ftp://m:8080", Map.of())))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("endpoint"));
        assertThatThrownBy(() -> adapter.validate(connection("http://m1:8080,http://m2:8080",
                Map.of("mesosUrl", "not a url"))))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("options.mesosUrl"));
        assertThatThrownBy(() -> adapter.validate(new EngineConnection(null, "x", "http://m:8080", null,
                Map.of("username", "ops"), null, null)))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("credentials.password"));
        assertThatThrownBy(() -> adapter.validate(new EngineConnection(null, "x", "https://m:8443", null,
                Map.of("caCert", "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"), null, null)))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("credentials.caCert"));
        assertThat(java.util.ServiceLoader.load(io.gantry.spi.EngineAdapter.class).stream()
                .map(p -> p.type().getName())).contains(MarathonEngineAdapter.class.getName());
    }

    @Test
    void logsComeFromTheMesosSandbox() {
        client.deploy(nginx("", "logged"));
        awaitPhase("/logged", Phase.RUNNING);
        String task = server.taskIds("/logged").get(0);
        List<LogLine> lines = client.logs("/logged", 1);
        assertThat(lines).containsExactly(new LogLine(null, task, "stdout", "task " + task + " is up"),
                new LogLine(null, task, "stderr", "mesos: fetched nothing for " + task));

        List<LogLine> followed = new CopyOnWriteArrayList<>();
        List<String> ended = new CopyOnWriteArrayList<>();
        try (Subscription ignored = client.followLogs("/logged", 1, new LogSink() {
            @Override
            public void onLine(LogLine line) {
                followed.add(line);
            }

            @Override
            public void onEnd(Throwable failure) {
                ended.add(String.valueOf(failure));
            }
        })) {
            await("tail", () -> Optional.of(followed.size()).filter(n -> n == 2));
            server.appendStdout(task, "GET /index.html 200");
            await("new line", () -> followed.stream().filter(l -> l.text().equals("GET /index.html 200")).findFirst());
        }
        await("ended", () -> ended.stream().findFirst());
        assertThat(ended).containsExactly("null");
        assertThat(client.capabilities()).contains(Capability.LOGS, Capability.LOGS_FOLLOW, Capability.NODES);
    }

    @Test
    void withoutMesosThereAreNoLogsNorNodes() {
        try (EngineClient plain = connect(server.url(), Map.of())) {
            assertThat(plain.capabilities()).doesNotContain(Capability.LOGS, Capability.LOGS_FOLLOW, Capability.NODES)
                    .contains(Capability.WATCH, Capability.SCALE);
            assertThatThrownBy(() -> plain.logs("/any", 10)).isInstanceOfSatisfying(
                    UnsupportedCapabilityException.class, e -> {
                        assertThat(e.capability()).isEqualTo(Capability.LOGS);
                        assertThat(e.getMessage()).contains("mesosUrl");
                    });
            assertThat(plain.listNodes()).isEmpty();
        }
    }

    @Test
    void mesosAgentsAreNodesAndAUniqueAppOnEachIsADaemon() {
        List<Node> nodes = client.listNodes();
        assertThat(nodes).hasSize(3);
        assertThat(nodes.get(0)).isEqualTo(new Node("node-1", "127.0.0.1", "READY", "agent", 4000L, 15360 * MIB,
                Map.of("zone", "a")));
        Workload daemon = client.deploy(new WorkloadDefinition("infra", "collector", WorkloadKind.DAEMON, null,
                WorkloadSpec.of("fluent/fluent-bit:3", null)));
        assertThat(daemon.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(daemon.spec().replicas()).isNull();
        Workload running = await("daemon running", () -> client.getWorkload("/infra/collector")
                .filter(w -> w.status().phase() == Phase.RUNNING));
        assertThat(running.status().desired()).isEqualTo(3);
        assertThat(running.instances()).extracting(i -> i.node()).containsExactlyInAnyOrder("node-1", "node-2",
                "node-3");
    }

    @Test
    void podsAreServiceWorkloadsThatScaleRestartAndDelete() {
        server.createPod("""
                {"id": "/pods/cache", "labels": {"tier": "cache"}, "scaling": {"kind": "fixed", "instances": 1},
                 "containers": [{"name": "redis", "image": {"kind": "DOCKER", "id": "redis:7"},
                   "resources": {"cpus": 0.5, "mem": 256},
                   "endpoints": [{"name": "redis", "containerPort": 6379, "hostPort": 0, "protocol": ["tcp"]}]}]}""");
        Workload pod = await("pod stable", () -> client.listWorkloads().stream()
                .filter(w -> w.nativeId().equals("/pods/cache") && w.status().phase() == Phase.RUNNING).findFirst());
        assertThat(pod.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(pod.namespace()).isEqualTo("pods");
        assertThat(pod.spec().image()).isEqualTo("redis:7");
        assertThat(pod.spec().resources()).isEqualTo(new Resources(500L, 256 * MIB));
        assertThat(pod.spec().ports()).containsExactly(PortMapping.tcp(6379));
        assertThat(pod.instances()).singleElement().satisfies(i -> assertThat(i.address()).isEqualTo("node-1:32000"));

        client.scale("/pods/cache", 2);
        await("pod scaled", () -> client.getWorkload("/pods/cache")
                .filter(w -> w.status().running() == 2 && w.status().phase() == Phase.RUNNING));
        client.restart("/pods/cache");
        assertThat(server.requests()).contains("PUT /v2/pods/pods/cache");
        assertThatThrownBy(() -> client.update("/pods/cache", pod.spec()))
                .isInstanceOf(UnsupportedCapabilityException.class);
        await("pod unlocked", () -> client.getWorkload("/pods/cache").filter(w -> w.status().phase() == Phase.RUNNING));
        client.delete("/pods/cache");
        assertThat(client.getWorkload("/pods/cache")).isEmpty();
    }

    @Test
    void revisionsAreTheAppVersionsNewestFirstAndRollbackPutsTheVersion() {
        client.deploy(nginx("shop", "hist"));
        awaitPhase("/shop/hist", Phase.RUNNING);
        WorkloadSpec first = client.getWorkload("/shop/hist").orElseThrow().spec();
        client.update("/shop/hist", withEnv(first, Map.of("RELEASE", "2")));
        awaitPhase("/shop/hist", Phase.RUNNING);
        client.update("/shop/hist", withEnv(first, Map.of("RELEASE", "3")));
        awaitPhase("/shop/hist", Phase.RUNNING);

        List<EngineRevision> revisions = client.revisions("/shop/hist");
        assertThat(revisions).extracting(r -> r.spec().env()).containsExactly(Map.of("RELEASE", "3"),
                Map.of("RELEASE", "2"), Map.of("MODE", "test"));
        assertThat(revisions).extracting(EngineRevision::current).containsExactly(true, false, false);
        assertThat(revisions).extracting(EngineRevision::message).containsOnly("");
        assertThat(revisions).extracting(EngineRevision::createdAt).isSortedAccordingTo(java.util.Comparator.reverseOrder())
                .doesNotHaveDuplicates();
        assertThat(revisions.get(2).spec()).isEqualTo(first);
        assertThat(revisions.get(0).id()).isEqualTo(Json.parse(client.getWorkload("/shop/hist").orElseThrow()
                .nativeObject()).path("version").asString());

        String oldest = revisions.get(2).id();
        client.rollback("/shop/hist", revisions.get(2).spec(), oldest);
        List<MarathonTestServer.Received> puts = server.received().stream()
                .filter(r -> r.request().equals("PUT /v2/apps/shop/hist")).toList();
        assertThat(puts).hasSize(3);
        assertThat(Json.parse(puts.get(2).body())).isEqualTo(Json.parse("{\"version\": \"" + oldest + "\"}"));
        Workload rolledBack = client.getWorkload("/shop/hist").orElseThrow();
        assertThat(rolledBack.status().phase()).isEqualTo(Phase.DEPLOYING);
        awaitPhase("/shop/hist", Phase.RUNNING);
        assertThat(client.getWorkload("/shop/hist").orElseThrow().spec()).isEqualTo(first);

        List<EngineRevision> after = client.revisions("/shop/hist");
        assertThat(after).hasSize(4);
        assertThat(after.get(0).spec()).isEqualTo(first);
        assertThat(after.get(0).current()).isTrue();
        assertThat(after.get(0).id()).isNotEqualTo(oldest);
        assertThat(after.subList(1, 4)).extracting(EngineRevision::id)
                .containsExactlyElementsOf(revisions.stream().map(EngineRevision::id).toList());
    }

    @Test
    void rollbackToAVersionMarathonNoLongerHasOrToNoneIsAnUpdate() {
        client.deploy(nginx("", "gone"));
        awaitPhase("/gone", Phase.RUNNING);
        WorkloadSpec spec = client.getWorkload("/gone").orElseThrow().spec();
        client.rollback("/gone", withEnv(spec, Map.of("RELEASE", "old")), "2001-01-01T00:00:00.000Z");
        List<MarathonTestServer.Received> puts = server.received().stream()
                .filter(r -> r.request().equals("PUT /v2/apps/gone")).toList();
        assertThat(puts).hasSize(2);
        assertThat(Json.parse(puts.get(0).body())).isEqualTo(Json.parse("{\"version\": \"2001-01-01T00:00:00.000Z\"}"));
        assertThat(Json.parse(puts.get(1).body()).path("env").path("RELEASE").asString()).isEqualTo("old");
        awaitPhase("/gone", Phase.RUNNING);
        assertThat(client.getWorkload("/gone").orElseThrow().spec().env()).isEqualTo(Map.of("RELEASE", "old"));

        // no engine revision (Gantry's own history only), or one that is no Marathon version: straight an update
        client.rollback("/gone", withEnv(spec, Map.of("RELEASE", "older")), null);
        awaitPhase("/gone", Phase.RUNNING);
        client.rollback("/gone", spec, "previous");
        List<String> bodies = server.received().stream().filter(r -> r.request().equals("PUT /v2/apps/gone"))
                .map(MarathonTestServer.Received::body).toList();
        assertThat(bodies).hasSize(4);
        assertThat(bodies.subList(2, 4)).allSatisfy(b -> assertThat(Json.parse(b).has("version")).isFalse())
                .allSatisfy(b -> assertThat(Json.parse(b).has("env")).isTrue());
        assertThat(client.getWorkload("/gone").orElseThrow().spec().env()).isEqualTo(Map.of("MODE", "test"));
        assertThatThrownBy(() -> client.rollback("/nothing", spec, "2001-01-01T00:00:00.000Z"))
                .isInstanceOf(WorkloadNotFoundException.class);
    }

    @Test
    void scalingAndRestartVersionsSaySoAndAGoneAppHasNone() {
        client.deploy(nginx("", "moves"));
        awaitPhase("/moves", Phase.RUNNING);
        client.scale("/moves", 2);
        awaitPhase("/moves", Phase.RUNNING);
        client.restart("/moves");
        awaitPhase("/moves", Phase.RUNNING);
        List<EngineRevision> revisions = client.revisions("/moves");
        assertThat(revisions).extracting(EngineRevision::message).containsExactly("restart", "scaling", "");
        assertThat(revisions).extracting(r -> r.spec().replicas()).containsExactly(2, 2, 1);
        client.delete("/moves");
        assertThat(client.revisions("/moves")).isEmpty();
        assertThat(client.revisions("/Not A Marathon Id")).isEmpty();
    }

    @Test
    void podVersionsAreRevisionsToo() {
        server.createPod("""
                {"id": "/pods/web", "scaling": {"kind": "fixed", "instances": 1},
                 "containers": [{"name": "web", "image": {"kind": "DOCKER", "id": "nginx:1.27"},
                   "resources": {"cpus": 0.5, "mem": 64}}]}""");
        await("pod stable", () -> client.getWorkload("/pods/web").filter(w -> w.status().phase() == Phase.RUNNING));
        client.scale("/pods/web", 3);
        await("pod scaled", () -> client.getWorkload("/pods/web").filter(w -> w.status().phase() == Phase.RUNNING
                && w.status().running() == 3));
        List<EngineRevision> revisions = client.revisions("/pods/web");
        assertThat(revisions).extracting(r -> r.spec().replicas()).containsExactly(3, 1);
        assertThat(revisions).extracting(EngineRevision::current).containsExactly(true, false);
        assertThat(revisions).allSatisfy(r -> assertThat(r.spec().image()).isEqualTo("nginx:1.27"));
        assertThat(server.requests()).contains("GET /v2/pods/pods/web::versions",
                "GET /v2/pods/pods/web::versions/" + revisions.get(1).id());

        // a pod goes back to its own old definition, since the model cannot rewrite its containers
        client.rollback("/pods/web", revisions.get(1).spec(), revisions.get(1).id());
        List<MarathonTestServer.Received> puts = server.received().stream()
                .filter(r -> r.request().equals("PUT /v2/pods/pods/web")).toList();
        JsonNode restored = Json.parse(puts.get(puts.size() - 1).body());
        assertThat(restored.path("scaling").path("instances").asInt()).isEqualTo(1);
        assertThat(restored.has("version")).isFalse();
        assertThat(restored.path("containers").get(0).path("name").asString()).isEqualTo("web");
        await("pod rolled back", () -> client.getWorkload("/pods/web").filter(w -> w.status().phase() == Phase.RUNNING
                && w.status().running() == 1));
        assertThat(client.revisions("/pods/web")).extracting(r -> r.spec().replicas()).containsExactly(1, 3, 1);
        assertThatThrownBy(() -> client.rollback("/pods/web", revisions.get(1).spec(), "2001-01-01T00:00:00.000Z"))
                .isInstanceOf(UnsupportedCapabilityException.class);
    }

    private static WorkloadSpec withEnv(WorkloadSpec spec, Map<String, String> env) {
        return new WorkloadSpec(spec.image(), spec.command(), spec.args(), env, spec.ports(), spec.resources(),
                spec.replicas(), spec.healthCheck(), spec.constraints(), spec.runtime());
    }

    private static Workload only(List<Workload> workloads) {
        assertThat(workloads).hasSize(1);
        return workloads.get(0);
    }

    private void awaitPhase(String id, Phase phase) {
        awaitPhase(client, id, phase);
    }

    private static void awaitPhase(EngineClient c, String id, Phase phase) {
        await(id + " " + phase, () -> c.getWorkload(id).filter(w -> w.status().phase() == phase));
    }

    private static <T> T await(String what, Supplier<Optional<T>> condition) {
        return await(what, Duration.ofSeconds(10), condition);
    }

    private static <T> T await(String what, Duration timeout, Supplier<Optional<T>> condition) {
        return RecordingListener.poll(what, timeout, condition);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
