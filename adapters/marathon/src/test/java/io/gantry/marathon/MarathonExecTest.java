package io.gantry.marathon;

import static io.gantry.marathon.MarathonEngineClientContractTest.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.exec.ExecChecks;
import io.gantry.spi.exec.ExecRecorder;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;

/**
 * Exec through the adapter against the Marathon test server's Mesos master and agent, whose nested containers are
 * real local processes (on a real pty with a tty): every {@link ExecChecks} check, and what is Marathon's own (the
 * mesosUrl it needs, pods, tasks not running yet, sessions the client's close ends).
 */
class MarathonExecTest {
    private static final String APP = "/shell/box";

    private static MarathonTestServer server;
    private static EngineClient client;
    private static ExecChecks checks;
    private static String taskId;

    @BeforeAll
    static void startAppWithARunningTask() throws InterruptedException {
        server = MarathonTestServer.start(1).deploymentDelay(Duration.ofMillis(100));
        client = new MarathonEngineAdapter().connect(connection(server.url(), Map.of("mesosUrl", server.url())));
        assertThat(server.createApp("{\"id\": \"" + APP + "\", \"cmd\": \"sleep 3600\", \"instances\": 1}"))
                .isEqualTo(201);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.runningTasks() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.runningTasks()).isEqualTo(1);
        taskId = server.taskIds(APP).get(0);
        checks = new ExecChecks(client, APP, taskId);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void execIsAdvertisedWithMesos() {
        assertThat(client.capabilities()).contains(Capability.EXEC);
    }

    @Test
    void shellRoundTrips() {
        checks.shellRoundTrips();
        assertThat(server.mesosAgent().calls()).contains("LAUNCH_NESTED_CONTAINER_SESSION", "ATTACH_CONTAINER_INPUT",
                "WAIT_NESTED_CONTAINER");
    }

    @Test
    void resizeReachesTerminal() {
        checks.resizeReachesTerminal();
    }

    @Test
    void plainCommandKeepsStreamsAndExitCode() {
        checks.plainCommandKeepsStreamsAndExitCode();
    }

    @Test
    void stdinReachesCommand() {
        checks.stdinReachesCommand();
    }

    @Test
    void closeEndsCommand() {
        checks.closeEndsCommand();
        assertThat(server.mesosAgent().calls()).contains("KILL_NESTED_CONTAINER");
        assertThat(server.mesosAgent().running()).as("nested containers still running").isZero();
    }

    @Test
    void missingCommandIsNamed() {
        checks.missingCommandIsNamed();
    }

    @Test
    void unknownInstanceIsNotFound() {
        checks.unknownInstanceIsNotFound();
    }

    @Test
    void aKilledCommandReportsItsSignal() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession ignored = client.exec(APP, taskId,
                ExecRequest.plain(List.of("sh", "-c", "echo up; kill -9 $$")), out)) {
            // wait(2)'s status of a SIGKILL is 9: a shell reports 128 + 9
            assertThat(out.awaitExit()).isEqualTo(137);
            assertThat(out.stdout()).isEqualTo("up\n");
        }
    }

    @Test
    void aCommandTheLaunchHelperCannotExecIsAnInvalidCommand() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession ignored = client.exec(APP, taskId, ExecRequest.plain(List.of("no-such-tool", "-v")), out)) {
            out.awaitEnd();
            assertThat(out.failure()).isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                    .singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("command")))
                    .hasMessageContaining("Failed to execute 'no-such-tool'");
        }
    }

    @Test
    void anIdleSessionSendsHeartbeats() throws InterruptedException {
        EngineClient beating = new MarathonEngineAdapter().connect(connection(server.url(),
                Map.of("mesosUrl", server.url())));
        ((MarathonEngineClient) beating).execs().heartbeatEvery(Duration.ofMillis(50));
        int before = server.mesosAgent().heartbeats();
        ExecRecorder out = new ExecRecorder();
        try (beating; ExecSession session = beating.exec(APP, taskId, ExecRequest.plain(List.of("cat")), out)) {
            long deadline = System.nanoTime() + ExecRecorder.WAIT.toNanos();
            while (server.mesosAgent().heartbeats() < before + 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(server.mesosAgent().heartbeats()).isGreaterThanOrEqualTo(before + 3);
            session.closeStdin();
            assertThat(out.awaitExit()).isZero();
        }
    }

    @Test
    void unknownAppIsNotFound() {
        assertThatThrownBy(() -> client.exec("/no/such/app", taskId, ExecRequest.plain(List.of("true")),
                new ExecRecorder())).isInstanceOf(WorkloadNotFoundException.class);
    }

    @Test
    void aTaskNotRunningYetIsAConflict() {
        try (MarathonTestServer slow = MarathonTestServer.start(1).deploymentDelay(Duration.ofMinutes(5));
             EngineClient slowClient = new MarathonEngineAdapter().connect(connection(slow.url(),
                     Map.of("mesosUrl", slow.url())))) {
            slow.createApp("{\"id\": \"/shell/staging\", \"cmd\": \"sleep 3600\", \"instances\": 1}");
            String staging = slow.taskIds("/shell/staging").get(0);
            assertThatThrownBy(() -> slowClient.exec("/shell/staging", staging, ExecRequest.plain(List.of("true")),
                    new ExecRecorder())).isInstanceOf(EngineConflictException.class)
                    .hasMessageContaining("TASK_STAGING");
        }
    }

    @Test
    void podsAreRefusedNamingWhy() {
        server.createPod("""
                {"id": "/shell/pod", "scaling": {"kind": "fixed", "instances": 1},
                 "containers": [{"name": "box", "image": {"kind": "DOCKER", "id": "busybox:1.36"},
                   "resources": {"cpus": 0.1, "mem": 32}}]}""");
        assertThatThrownBy(() -> client.exec("/shell/pod", "any", ExecRequest.plain(List.of("true")),
                new ExecRecorder())).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                e -> assertThat(e.capability()).isEqualTo(Capability.EXEC)).hasMessageContaining("pod");
    }

    @Test
    void withoutMesosUrlExecIsRefusedNamingTheOption() {
        try (EngineClient marathonOnly = new MarathonEngineAdapter().connect(connection(server.url(), Map.of()))) {
            assertThat(marathonOnly.capabilities()).doesNotContain(Capability.EXEC);
            assertThatThrownBy(() -> marathonOnly.exec(APP, taskId, ExecRequest.plain(List.of("true")),
                    new ExecRecorder())).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                    e -> assertThat(e.capability()).isEqualTo(Capability.EXEC)).hasMessageContaining("mesosUrl");
        }
    }

    @Test
    void closingTheClientEndsOpenSessions() {
        EngineClient own = new MarathonEngineAdapter().connect(connection(server.url(),
                Map.of("mesosUrl", server.url())));
        ExecRecorder out = new ExecRecorder();
        own.exec(APP, taskId, ExecRequest.plain(List.of("sh", "-c", "echo waiting; sleep 600")), out);
        out.awaitStdout("waiting");
        own.close();
        out.awaitEnd();
    }
}
