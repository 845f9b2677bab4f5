package io.gantry.swarm;

import io.gantry.spi.json.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.EngineRevision;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Node;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.Resources;
import io.gantry.spi.Subscription;
import io.gantry.spi.watch.EventWatch;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Swarm adapter against the real dockerd of this machine: services made with the docker CLI, writes
 * checked with {@code docker service inspect}, events, logs and failures as Swarm produces them.
 */
class SwarmEngineIT {
    private static final Duration SETTLE = Duration.ofSeconds(45);
    private static SwarmEngineClient client;
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void connect() {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        client = (SwarmEngineClient) new SwarmEngineAdapter().connect(LocalSwarm.connection());
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @AfterEach
    void removeCreatedServices() {
        LocalSwarm.removeServices(created.toArray(String[]::new));
    }

    @Test
    void servicesMadeWithTheDockerCliAppearWithTheirFieldsAndPhase() {
        String web = cliService("it-web", "--replicas", "2", "--publish", "published=18931,target=8080",
                "--env", "MODE=prod", "--label", "team=shop", "--limit-cpu", "0.5", "--limit-memory", "64M",
                "--constraint", "node.role==manager", "--health-cmd", "test -f /www/index.html", "--health-interval", "2s",
                LocalSwarm.IMAGE, "httpd", "-f", "-p", "8080", "-h", "/www");
        String daemon = cliService("it-daemon", "--mode", "global", LocalSwarm.IMAGE, "sleep", "3600");
        String nowhere = cliService("it-nowhere", "--constraint", "node.labels.zone==nowhere", LocalSwarm.IMAGE, "sleep", "3600");
        String stacked = cliService("shop_api", "--label", "com.docker.stack.namespace=shop", LocalSwarm.IMAGE, "sleep", "3600");

        Workload w = awaitWorkload(web, x -> x.status().phase() == Phase.RUNNING);
        assertThat(w.name()).isEqualTo("it-web");
        assertThat(w.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(w.labels()).containsEntry("team", "shop");
        assertThat(w.spec().image()).isEqualTo(LocalSwarm.IMAGE);
        assertThat(w.spec().args()).containsExactly("httpd", "-f", "-p", "8080", "-h", "/www");
        assertThat(w.spec().env()).containsEntry("MODE", "prod");
        assertThat(w.spec().ports()).containsExactly(new PortMapping(8080, 18931, "tcp"));
        assertThat(w.spec().resources()).isEqualTo(new Resources(500L, 64L * 1024 * 1024));
        assertThat(w.spec().constraints()).containsExactly("node.role==manager");
        assertThat(w.spec().healthCheck()).isEqualTo(new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                List.of("/bin/sh", "-c", "test -f /www/index.html"), 2, null));
        assertThat(w.spec().replicas()).isEqualTo(2);
        assertThat(w.status().running()).isEqualTo(2);
        assertThat(w.instances()).hasSize(2).allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.RUNNING));

        Workload d = awaitWorkload(daemon, x -> x.status().phase() == Phase.RUNNING);
        assertThat(d.kind()).isEqualTo(WorkloadKind.DAEMON);
        assertThat(d.spec().replicas()).isNull();
        assertThat(d.status().desired()).isEqualTo(client.listNodes().size());

        Workload n = awaitWorkload(nowhere, x -> !x.status().message().isEmpty());
        assertThat(n.status().phase()).isEqualTo(Phase.PENDING);
        assertThat(n.status().message()).contains("no suitable node");
        assertThat(n.instances()).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.PENDING));

        Workload s = awaitWorkload(stacked, x -> true);
        assertThat(s.namespace()).isEqualTo("shop");
        assertThat(s.name()).isEqualTo("api");

        assertThat(client.listWorkloads()).extracting(Workload::nativeId).contains(web, daemon, nowhere, stacked);

        try (EngineClient shopOnly = new SwarmEngineAdapter().connect(LocalSwarm.connection("unix://" + LocalSwarm.SOCKET,
                Map.of(), Map.of(SwarmSettings.NAMESPACES_OPTION, "shop")))) {
            assertThat(shopOnly.listWorkloads()).extracting(Workload::nativeId).containsExactly(stacked);
            assertThat(shopOnly.getWorkload(web)).isEmpty();
            assertThatThrownBy(() -> shopOnly.scale(web, 1)).isInstanceOf(WorkloadNotFoundException.class);
            assertThatThrownBy(() -> shopOnly.deploy(new WorkloadDefinition("", "it-outside", WorkloadKind.SERVICE, null,
                    SwarmTestWorkloads.sleeper(1)))).isInstanceOf(InvalidSpecException.class).hasMessageContaining("namespace");
        }
    }

    @Test
    void replicatedJobRunsToCompletion() {
        String job = cliService("it-job", "--mode", "replicated-job", "--replicas", "2", LocalSwarm.IMAGE, "true");
        Workload done = awaitWorkload(job, x -> x.status().phase() == Phase.STOPPED);
        assertThat(done.kind()).isEqualTo(WorkloadKind.JOB);
        assertThat(done.spec().replicas()).isEqualTo(2);
        assertThat(done.instances()).hasSize(2).allSatisfy(i -> {
            assertThat(i.state()).isEqualTo(InstanceState.EXITED);
            assertThat(i.exitCode()).isZero();
        });
    }

    @Test
    void failingContainerIsFailedWithTheTaskErrorAsMessage() {
        String failing = cliService("it-false", LocalSwarm.IMAGE, "false");
        Workload w = awaitWorkload(failing, x -> x.status().phase() == Phase.FAILED);
        assertThat(w.status().message()).startsWith("exit 1 on 1 of 1 instance; task: non-zero exit (1)");
        assertThat(w.instances()).singleElement().satisfies(i -> assertThat(i.reason()).isEqualTo("exit 1"));
        assertThat(client.events(failing, 20)).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(EngineEvent.WARNING);
            assertThat(e.reason()).isEqualTo("TaskFailed");
            assertThat(e.message()).contains("task: non-zero exit (1)").contains("(exit code 1)");
        });
    }

    @Test
    void serviceWhoseImageDoesNotExistIsFailedWithSwarmsError() {
        String ghost = cliService("it-ghost", "gantry-test/doesnotexist:1", "sleep", "3600");
        Workload w = awaitWorkload(ghost, x -> x.status().phase() == Phase.FAILED);
        assertThat(w.status().message()).startsWith("No such image on 1 of 1 instance; No such image: gantry-test/doesnotexist:1");
        assertThat(w.instances()).singleElement().satisfies(i -> {
            assertThat(i.reason()).isEqualTo("No such image");
            assertThat(i.message()).startsWith("No such image: gantry-test/doesnotexist:1");
        });
    }

    /** Swarm's default failure action: an update whose new tasks fail within the monitor period is paused. */
    @Test
    void updateWhoseTasksFailIsPausedWithSwarmsReason() {
        String id = cliService("it-paused", "--update-failure-action", "pause", "--update-monitor", "5s",
                "--update-max-failure-ratio", "0", "--stop-grace-period", "1s", LocalSwarm.IMAGE, "sleep", "3600");
        Workload running = awaitWorkload(id, x -> x.status().phase() == Phase.RUNNING);

        client.update(id, exitingAtOnce(running));
        Workload paused = awaitWorkload(id, x -> x.status().phase() == Phase.PAUSED);
        assertThat(paused.status().message())
                .startsWith("update paused: update paused due to failure or early termination of task ");
        assertThat(inspect(id).path("UpdateStatus").path("State").asString()).isEqualTo("paused");
    }

    @Test
    void updateWhoseTasksFailIsRolledBackAndSaysSo() {
        String id = cliService("it-rollback", "--update-failure-action", "rollback", "--update-monitor", "5s",
                "--update-max-failure-ratio", "0", "--rollback-monitor", "1s", "--stop-grace-period", "1s",
                LocalSwarm.IMAGE, "sleep", "3600");
        Workload running = awaitWorkload(id, x -> x.status().phase() == Phase.RUNNING);

        client.update(id, exitingAtOnce(running));
        // Swarm may say rollback_completed a moment before the old task runs again (FAILED until then)
        Workload rolledBack = awaitWorkload(id, x -> x.status().message().startsWith("update rolled back: ")
                && x.status().running() == 1);
        assertThat(rolledBack.status().phase()).as("the old spec runs again, the asked one does not").isEqualTo(Phase.DEGRADED);
        assertThat(rolledBack.spec().args()).containsExactly("sleep", "3600");
    }

    /** {@code workload}'s spec with a command that exits 1 at once. */
    private static WorkloadSpec exitingAtOnce(Workload workload) {
        WorkloadSpec s = workload.spec();
        return new WorkloadSpec(s.image(), s.command(), List.of("sh", "-c", "exit 1"), s.env(), s.ports(), s.resources(),
                s.replicas(), s.healthCheck(), s.constraints(), null);
    }

    @Test
    void deployUpdateScaleRestartAndDeleteShowInDockerServiceInspect() throws Exception {
        Workload deployed = deploy("it-deploy", WorkloadKind.SERVICE, SwarmTestWorkloads.httpd(18932, Map.of("A", "1")));
        String id = deployed.nativeId();
        JsonNode inspect = inspect(id);
        JsonNode container = inspect.path("Spec").path("TaskTemplate").path("ContainerSpec");
        assertThat(container.path("Image").asString()).isEqualTo(LocalSwarm.IMAGE);
        assertThat(Json.strings(container.path("Args"))).isEqualTo(deployed.spec().args());
        assertThat(String.join(" ", deployed.spec().args())).contains(SwarmTestWorkloads.HTTPD);
        assertThat(Json.strings(container.path("Env"))).containsExactly("A=1");
        JsonNode port = inspect.path("Spec").path("EndpointSpec").path("Ports").get(0);
        assertThat(port.path("PublishMode").asString()).isEqualTo("host");
        assertThat(port.path("PublishedPort").asInt()).isEqualTo(18932);
        assertThat(inspect.path("Spec").path("Labels").path(LocalSwarm.TEST_LABEL).asString()).isEqualTo("it");

        Workload running = awaitWorkload(id, x -> x.status().phase() == Phase.RUNNING);
        Instance instance = running.instances().get(0);
        assertThat(instance.address()).isEqualTo("127.0.0.1:18932");
        assertThat(httpGet("http://" + instance.address() + "/")).isEqualTo("gantry");

        client.update(id, SwarmTestWorkloads.httpd(18932, Map.of("A", "1", "B", "2")));
        assertThat(Json.strings(inspect(id).path("Spec").path("TaskTemplate").path("ContainerSpec").path("Env")))
                .containsExactlyInAnyOrder("A=1", "B=2");

        client.restart(id);
        assertThat(inspect(id).path("Spec").path("TaskTemplate").path("ForceUpdate").asInt()).isEqualTo(1);
        // Swarm's default update monitor keeps the rollout "updating" for 5 s after the new task starts
        awaitWorkload(id, x -> x.status().phase() == Phase.DEPLOYING && x.status().message().startsWith("updating: "));
        awaitWorkload(id, x -> x.status().phase() == Phase.RUNNING && !x.instances().get(0).id().equals(instance.id()));

        client.scale(id, 0);
        assertThat(inspect(id).path("Spec").path("Mode").path("Replicated").path("Replicas").asInt()).isZero();
        awaitWorkload(id, x -> x.status().phase() == Phase.STOPPED && x.instances().isEmpty());

        client.delete(id);
        assertThat(LocalSwarm.run(Duration.ofSeconds(20), "/usr/bin/docker", "service", "inspect", id).exitCode()).isNotZero();
        assertThat(client.getWorkload(id)).isEmpty();
    }

    @Test
    void revisionsAreSpecAndPreviousSpecAndRollingBackToPreviousIsSwarmsOwnRollback() {
        String id = deploy("it-revisions", WorkloadKind.SERVICE, SwarmTestWorkloads.sleeper(1, Map.of("V", "1"))).nativeId();
        // Swarm's updater bumps Version.Index as it goes: a write while an update runs may be out of sequence
        client.update(id, SwarmTestWorkloads.sleeper(1, Map.of("V", "2")));
        awaitUpdateState(id, "completed");
        client.update(id, SwarmTestWorkloads.sleeper(1, Map.of("V", "3")));
        awaitUpdateState(id, "completed");

        List<EngineRevision> revisions = client.revisions(id);
        assertThat(revisions).extracting(EngineRevision::id).containsExactly("current", "previous");
        assertThat(revisions).extracting(EngineRevision::current).containsExactly(true, false);
        assertThat(revisions.get(0).spec()).isEqualTo(SwarmTestWorkloads.sleeper(1, Map.of("V", "3")));
        assertThat(revisions.get(0).createdAt()).isEqualTo(Json.instant(inspect(id), "UpdatedAt"));
        assertThat(revisions.get(1).spec()).isEqualTo(SwarmTestWorkloads.sleeper(1, Map.of("V", "2")));

        client.rollback(id, revisions.get(1).spec(), "previous");
        JsonNode rolledBack = inspect(id);
        assertThat(env(rolledBack.path("Spec"))).containsExactly("V=2");
        assertThat(env(rolledBack.path("PreviousSpec"))).as("Swarm swapped the two").containsExactly("V=3");
        assertThat(rolledBack.path("UpdateStatus").path("Message").asString()).isEqualTo("manually requested rollback");
        awaitUpdateState(id, "rollback_completed");
        Workload running = awaitWorkload(id, x -> x.status().phase() == Phase.RUNNING && x.status().running() == 1);
        assertThat(running.status().message()).isEqualTo("rolled back on request: rollback completed");
        assertThat(runningContainerEnv(id)).contains("V=2").doesNotContain("V=3");
        assertThat(client.revisions(id)).extracting(r -> r.spec().env().get("V")).containsExactly("2", "3");

        // another handle, or a PreviousSpec that is no longer the asked spec: an update, which Swarm does not call a rollback
        client.rollback(id, SwarmTestWorkloads.sleeper(1, Map.of("V", "1")), "7");
        assertThat(env(inspect(id).path("Spec"))).containsExactly("V=1");
        assertThat(Json.text(inspect(id).path("UpdateStatus"), "State", "")).doesNotStartWith("rollback");
        awaitUpdateState(id, "completed");
        client.rollback(id, SwarmTestWorkloads.sleeper(1, Map.of("V", "4")), "previous");
        JsonNode updated = inspect(id);
        assertThat(env(updated.path("Spec"))).containsExactly("V=4");
        assertThat(env(updated.path("PreviousSpec"))).containsExactly("V=1");
        assertThat(Json.text(updated.path("UpdateStatus"), "State", "")).doesNotStartWith("rollback");
        awaitWorkload(id, x -> x.status().phase() == Phase.RUNNING && x.status().running() == 1);
        assertThat(runningContainerEnv(id)).contains("V=4");

        // Swarm's rollback based on a stale read is refused like an update, and rolls nothing back
        awaitUpdateState(id, "completed");
        long stale = inspect(id).path("Version").path("Index").asLong();
        LocalSwarm.docker("service", "update", "-d", "--env-add", "FROM_CLI=1", id);
        WorkloadSpec previousNow = client.revisions(id).get(1).spec();
        assertThatThrownBy(() -> client.rollback(id, previousNow, "previous", stale))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("out of sequence");
        assertThat(env(inspect(id).path("Spec"))).containsExactlyInAnyOrder("V=4", "FROM_CLI=1");

        // a service that is gone has no revisions
        client.delete(id);
        assertThat(client.revisions(id)).isEmpty();
    }

    private static void awaitUpdateState(String id, String state) {
        awaitWithin(SETTLE, "UpdateStatus.State " + state + " of " + id,
                () -> state.equals(Json.text(inspect(id).path("UpdateStatus"), "State", "")));
    }

    private static List<String> env(JsonNode serviceSpec) {
        return Json.strings(serviceSpec.path("TaskTemplate").path("ContainerSpec").path("Env"));
    }

    /** The environment of the container Swarm runs now for the service's one running task. */
    private static List<String> runningContainerEnv(String serviceId) {
        AtomicReference<String> container = new AtomicReference<>("");
        awaitWithin(SETTLE, "one running task of " + serviceId, () -> {
            String tasks = LocalSwarm.docker("service", "ps", "-q", "--filter", "desired-state=running", serviceId);
            if (tasks.lines().count() != 1) {
                return false;
            }
            container.set(LocalSwarm.docker("inspect", "--format", "{{.Status.ContainerStatus.ContainerID}}", tasks.trim()));
            return !container.get().isBlank() && LocalSwarm.docker("inspect", "--format", "{{.Status.State}}", tasks.trim()).equals("running");
        });
        return Json.strings(Json.MAPPER.readTree(LocalSwarm.docker("container", "inspect", "--format", "{{json .Config.Env}}",
                container.get())));
    }

    @Test
    void updateBasedOnAStaleReadIsAConflictAndLosesNothing() {
        Workload deployed = deploy("it-conflict", WorkloadKind.SERVICE, SwarmTestWorkloads.sleeper(1));
        long versionWhenRead = inspect(deployed.nativeId()).path("Version").path("Index").asLong();
        LocalSwarm.docker("service", "update", "-d", "--env-add", "FROM_CLI=1", deployed.nativeId());

        WorkloadSpec mine = new WorkloadSpec(deployed.spec().image(), null, deployed.spec().args(), Map.of("FROM_GANTRY", "1"),
                null, null, 1, null, null, null);
        assertThatThrownBy(() -> client.update(deployed.nativeId(), mine, versionWhenRead))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("out of sequence");
        assertThat(Json.strings(inspect(deployed.nativeId()).path("Spec").path("TaskTemplate").path("ContainerSpec").path("Env")))
                .containsExactly("FROM_CLI=1");
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsCreated() {
        assertThatThrownBy(() -> deploy("it-bad-image", WorkloadKind.SERVICE, WorkloadSpec.of("gantry test/busybox:1", 1)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("spec.image"));
        assertThatThrownBy(() -> deploy("it-bad-daemon", WorkloadKind.DAEMON, SwarmTestWorkloads.sleeper(3)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("spec.replicas"));

        String owner = cliService("it-port-owner", "--publish", "published=18933,target=80", LocalSwarm.IMAGE, "sleep", "3600");
        assertThatThrownBy(() -> deploy("it-port-taken", WorkloadKind.SERVICE,
                SwarmTestWorkloads.httpd(18933, Map.of())))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.getMessage()).contains("port '18933' is already in use");
                    assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly("spec.ports");
                });

        String global = cliService("it-global", "--mode", "global", LocalSwarm.IMAGE, "sleep", "3600");
        assertThatThrownBy(() -> client.scale(global, 3)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("no replica count");

        // the same, asked before anything is sent: what the backend answers as a 4xx
        assertThatThrownBy(() -> client.checkDeploy(new WorkloadDefinition("", "it-bad-image", WorkloadKind.SERVICE, null,
                WorkloadSpec.of("gantry test/busybox:1", 1)))).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly("spec.image"));
        assertThatThrownBy(() -> client.checkDeploy(new WorkloadDefinition("", "it-port-taken", WorkloadKind.SERVICE, null,
                SwarmTestWorkloads.httpd(18933, Map.of())))).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.getMessage()).contains("port 18933/tcp is already published by service 'it-port-owner'");
                    assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field)
                            .containsExactly("spec.ports[0].publishedPort");
                });
        assertThatThrownBy(() -> client.checkScale(global, 3)).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.errors()).extracting(InvalidSpecException.FieldError::field).containsExactly("replicas"));
        assertThatThrownBy(() -> client.checkUpdate(global, SwarmTestWorkloads.sleeper(2)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .extracting(InvalidSpecException.FieldError::field).containsExactly("spec.replicas"));
        client.checkDeploy(new WorkloadDefinition("", "it-port-free", WorkloadKind.SERVICE, null, SwarmTestWorkloads.httpd(18934, Map.of())));
        client.checkScale(owner, 2);
        // a service keeps its own port
        client.checkUpdate(owner, new WorkloadSpec(LocalSwarm.IMAGE, null, List.of("sleep", "3600"), null,
                List.of(new PortMapping(80, 18933, "tcp")), null, 1, null, null, null));

        String names = LocalSwarm.docker("service", "ls", "--format", "{{.Name}}");
        assertThat(names).doesNotContain("it-bad-image", "it-bad-daemon", "it-port-taken", "it-port-free");
    }

    @Test
    void watchSeesServicesMadeWithTheCli() {
        RecordingListener watched = new RecordingListener();
        List<EngineChange> changes = watched.changes();
        try (Subscription watch = client.watch(watched)) {
            awaitConnected(watch);
            // through the event stream: nothing else reads while it is healthy (the single resync, checked below,
            // is the first change). The bounds are generous for a busy machine; delivery time is not a test's figure.
            String id = cliService("it-watched", LocalSwarm.IMAGE, "sleep", "3600");
            awaitWithin(Duration.ofSeconds(15), "WorkloadChanged for the new service", () -> changes.stream()
                    .anyMatch(c -> c instanceof EngineChange.WorkloadChanged wc && wc.workload().nativeId().equals(id)));

            LocalSwarm.docker("service", "rm", id);
            awaitWithin(Duration.ofSeconds(15), "WorkloadRemoved", () -> changes.stream()
                    .anyMatch(c -> c instanceof EngineChange.WorkloadRemoved r && r.nativeId().equals(id)));
            // a task that fails later is learned from its container's events, without a resync
            String failing = cliService("it-watched-false", LocalSwarm.IMAGE, "false");
            awaitWithin(Duration.ofSeconds(20), "the failure through the watch", () -> changes.stream()
                    .anyMatch(c -> c instanceof EngineChange.WorkloadChanged wc && wc.workload().nativeId().equals(failing)
                            && wc.workload().status().phase() == Phase.FAILED));
        }
        // one resync, first: for whatever changed before the stream was open; the rest came as events
        assertThat(changes.get(0)).isInstanceOf(EngineChange.ResyncRequired.class);
        assertThat(watched.resyncs()).hasSize(1);
    }

    @Test
    void watchAsksForAResyncWhenTheDaemonStopsAnsweringAndAgainWhenItIsBack() throws IOException {
        UnixSocketForwarder forwarder = UnixSocketForwarder.plain(LocalSwarm.SOCKET);
        int port = forwarder.port();
        try (SwarmEngineClient viaTcp = (SwarmEngineClient) new SwarmEngineAdapter().connect(
                LocalSwarm.connection("tcp://127.0.0.1:" + port, Map.of()))) {
            RecordingListener watched = new RecordingListener();
            List<EngineChange> changes = watched.changes();
            List<Throwable> failures = watched.failures();
            try (Subscription watch = viaTcp.watch(watched)) {
                awaitConnected(watch);
                forwarder.refuse();
                // at the first failed reconnect, not at the receiver's next periodic resync (30 s): that resync is
                // what finds the engine down
                awaitWithin(Duration.ofSeconds(10), "a resync naming the silent daemon " + changes, () -> watched.resyncs()
                        .stream().anyMatch(r -> r.reason().startsWith("the Docker daemon does not answer")));
                int attempts = forwarder.refused();
                awaitWithin(Duration.ofSeconds(30), "two more reconnect attempts", () -> forwarder.refused() >= attempts + 2);
                assertThat(watched.resyncs()).as("once per outage, not per reconnect attempt").hasSize(2);

                forwarder.resume();
                awaitWithin(Duration.ofSeconds(10), "a resync after the reconnect " + changes, () -> watched.resyncs().size() == 3);
                assertThat(((EventWatch<?>) watch).connected()).isTrue();
            }
            assertThat(failures).isEmpty();
        } finally {
            forwarder.close();
        }
    }

    @Test
    void droppedEventStreamReconnectsAndAsksForAResync() throws IOException {
        try (UnixSocketForwarder forwarder = UnixSocketForwarder.plain(LocalSwarm.SOCKET);
             SwarmEngineClient viaTcp = (SwarmEngineClient) new SwarmEngineAdapter().connect(
                     LocalSwarm.connection("tcp://127.0.0.1:" + forwarder.port(), Map.of()))) {
            RecordingListener watched = new RecordingListener();
            List<EngineChange> changes = watched.changes();
            List<Throwable> failures = watched.failures();
            try (Subscription watch = viaTcp.watch(watched)) {
                awaitConnected(watch);
                forwarder.dropAll();
                awaitWithin(Duration.ofSeconds(5), "ResyncRequired after the cut", () -> watched.resyncs().size() == 2);
                String id = cliService("it-after-cut", LocalSwarm.IMAGE, "sleep", "3600");
                awaitWithin(Duration.ofSeconds(15), "events flowing again " + changes, () -> changes.stream()
                        .anyMatch(c -> c instanceof EngineChange.WorkloadChanged wc && wc.workload().nativeId().equals(id)));
            }
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void logsTailAndFollowNameTheTaskOfEachLine() {
        Workload chatter = deploy("it-logs", WorkloadKind.SERVICE, SwarmTestWorkloads.chatter());
        String taskId = awaitWorkload(chatter.nativeId(), x -> x.status().phase() == Phase.RUNNING).instances().get(0).id();
        awaitWithin(SETTLE, "10 lines of output", () -> client.logs(chatter.nativeId(), 10).size() == 10);

        List<LogLine> tail = client.logs(chatter.nativeId(), 6);
        assertThat(tail).hasSize(6).allSatisfy(line -> {
            assertThat(line.instance()).isEqualTo(taskId);
            assertThat(line.time()).isNotNull();
            assertThat(line.text()).matches(line.stream().equals("stderr") ? "err\\d+" : "out\\d+");
        });
        assertThat(tail).extracting(LogLine::stream).contains("stdout", "stderr");

        List<LogLine> followed = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        List<Boolean> endCalls = new CopyOnWriteArrayList<>();
        Subscription follow = client.followLogs(chatter.nativeId(), 0, new LogSink() {
            @Override
            public void onLine(LogLine line) {
                followed.add(line);
            }

            @Override
            public void onEnd(Throwable failure) {
                ended.set(failure);
                endCalls.add(true);
            }
        });
        awaitWithin(Duration.ofSeconds(5), "followed lines", () -> followed.size() >= 4);
        follow.close();
        awaitWithin(Duration.ofSeconds(5), "the follow to end", () -> !endCalls.isEmpty());
        assertThat(ended.get()).isNull();
        assertThat(followed).allSatisfy(line -> assertThat(line.instance()).isEqualTo(taskId));
        int count = followed.size();
        int lastFollowed = followed.stream().mapToInt(line -> lineNumber(line.text())).max().orElse(-1);
        // no fixed sleep: wait until the service has written lines an open follow would have delivered, then look
        awaitWithin(SETTLE, "newer lines in the service's log", () -> client.logs(chatter.nativeId(), 4).stream()
                .anyMatch(line -> lineNumber(line.text()) > lastFollowed + 2));
        assertThat(followed).as("no lines after close").hasSize(count);
    }

    @Test
    void nodesAreListedWithRoleStatusAndResources() {
        List<Node> nodes = client.listNodes();
        assertThat(nodes).singleElement().satisfies(node -> {
            assertThat(node.role()).isEqualTo("manager");
            assertThat(node.status()).isEqualTo("READY");
            assertThat(node.address()).isEqualTo("127.0.0.1");
            assertThat(node.cpuMillis()).isEqualTo(Runtime.getRuntime().availableProcessors() * 1000L);
            assertThat(node.memoryBytes()).isPositive();
        });
        assertThat(client.ping().degraded()).isFalse();
    }

    private Workload deploy(String name, WorkloadKind kind, WorkloadSpec spec) {
        Workload workload = client.deploy(new WorkloadDefinition("", name, kind, Map.of(LocalSwarm.TEST_LABEL, "it"), spec));
        created.add(workload.nativeId());
        return workload;
    }

    /** {@code docker service create -d --no-resolve-image --name NAME ARGS...}; returns the service id. */
    private String cliService(String name, String... args) {
        List<String> command = new ArrayList<>(List.of("service", "create", "-d", "--no-resolve-image", "--name", name,
                "--label", LocalSwarm.TEST_LABEL + "=cli"));
        command.addAll(List.of(args));
        created.add(name);
        String out = LocalSwarm.docker(command.toArray(String[]::new));
        return out.lines().reduce((first, second) -> second).orElseThrow().trim();
    }

    private static JsonNode inspect(String id) {
        return Json.MAPPER.readTree(LocalSwarm.docker("service", "inspect", id)).get(0);
    }

    private static Workload awaitWorkload(String id, Predicate<Workload> condition) {
        AtomicReference<Workload> last = new AtomicReference<>();
        awaitWithin(SETTLE, "service " + id + " in the expected state (last seen: " + last + ")", () -> {
            Optional<Workload> w = client.getWorkload(id);
            w.ifPresent(last::set);
            return w.isPresent() && condition.test(w.get());
        });
        return last.get();
    }

    /** The counter of a {@link SwarmTestWorkloads#chatter()} line ({@code out12}, {@code err12}). */
    private static int lineNumber(String text) {
        return Integer.parseInt(text.replaceAll("\\D", ""));
    }

    private static void awaitWithin(Duration timeout, String what, Supplier<Boolean> condition) {
        RecordingListener.await(what, timeout, condition::get);
    }

    private static void awaitConnected(Subscription watch) {
        awaitWithin(Duration.ofSeconds(10), "the event stream connected", ((EventWatch<?>) watch)::connected);
    }

    private static String httpGet(String url) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body().trim();
            } catch (IOException e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw last;
    }
}
