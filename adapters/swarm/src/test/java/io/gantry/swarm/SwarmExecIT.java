package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.exec.ExecChecks;
import io.gantry.spi.exec.ExecRecorder;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.gantry.spi.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Exec in a real Swarm service's task, through the daemon of this machine's single-node swarm: every shared
 * {@link ExecChecks} check, and what only Docker shows (the kill of a closed session, a task that stopped).
 */
class SwarmExecIT {
    private static SwarmEngineClient client;
    private static String service;
    private static String task;
    private static ExecChecks checks;

    @BeforeAll
    static void deploy() {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        client = (SwarmEngineClient) new SwarmEngineAdapter().connect(LocalSwarm.connection());
        service = SwarmTestWorkloads.deploySleeper(client, "it-exec");
        task = SwarmTestWorkloads.runningInstance(client, service);
        checks = new ExecChecks(client, service, task);
    }

    @AfterAll
    static void remove() {
        if (service != null) {
            LocalSwarm.removeServices(service);
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void execIsAdvertised() {
        assertThat(client.capabilities()).contains(Capability.EXEC);
    }

    @Test
    void shellRoundTrips() {
        checks.shellRoundTrips();
    }

    /**
     * On API 1.41 (Debian's dockerd 20.10) exec create and start take no console size: the size asked at start
     * reaches the terminal through the resize right after start, which this check proves by the first
     * {@code stty size}. A daemon of API 1.42 or newer takes it as {@code ConsoleSize} instead.
     */
    @Test
    void resizeReachesTerminal() {
        System.out.println("SwarmExecIT: dockerd speaks API " + LocalSwarm.docker("version", "--format", "{{.Server.APIVersion}}")
                + " (before 1.42 the size at start comes by a resize)");
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
    }

    @Test
    void missingCommandIsNamed() {
        checks.missingCommandIsNamed();
    }

    /** dockerd runs a missing command as exit 126 of a process that never started: that is the request's fault. */
    @Test
    void aCommandThatCannotStartIsAnInvalidCommand() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession ignored = client.exec(service, task, ExecRequest.terminal(List.of("/no/such/shell"), 80, 24), out)) {
            out.awaitEnd();
            assertThat(out.failure()).isInstanceOf(InvalidSpecException.class).hasMessageContaining("/no/such/shell");
            assertThat(((InvalidSpecException) out.failure()).errors()).extracting(InvalidSpecException.FieldError::field)
                    .containsExactly("command");
            // the daemon's reason reached the terminal
            assertThat(out.stdout()).contains("no such file or directory");
        }
    }

    @Test
    void unknownInstanceIsNotFound() {
        checks.unknownInstanceIsNotFound();
    }

    /** Docker cannot kill an exec: the session's own kill leaves no process behind and reports SIGKILL's code. */
    @Test
    void closingKillsTheCommandAndItsChildrenInTheContainer() {
        ExecRecorder out = new ExecRecorder();
        ExecSession session = client.exec(service, task,
                ExecRequest.plain(List.of("sh", "-c", "sleep 611 & sleep 612 & echo started; wait")), out);
        out.awaitStdout("started");
        assertThat(processes()).contains("sleep 611", "sleep 612");
        session.close();
        assertThat(out.awaitExit()).isEqualTo(137);
        RecordingListener.await("no sleep of the session left in the container", Duration.ofSeconds(10),
                () -> !processes().contains("sleep 611") && !processes().contains("sleep 612"));
    }

    /**
     * What the kill cannot find runs on: a process that dropped the session's variable is only hung up on, and the
     * session ends as a failure that says so, once, after the call timeout.
     */
    @Test
    void aCommandTheKillCannotFindIsHungUpOnAndTheFailureSaysItMayStillRun() {
        ExecRecorder out = new ExecRecorder();
        ExecSession session = client.exec(service, task,
                ExecRequest.terminal(List.of("sh", "-c", "echo hiding; exec env -i sleep 613"), 80, 24), out);
        try {
            out.awaitStdout("hiding");
            RecordingListener.await("sleep 613 running", Duration.ofSeconds(10), () -> processes().contains("sleep 613"));
            session.close();
            out.awaitEnd();
            assertThat(out.failure()).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("could not be killed").hasMessageContaining("may still run");
            assertThat(processes()).contains("sleep 613");
        } finally {
            // busybox has no pkill; the service's own sleep 3600 must live on
            LocalSwarm.docker("exec", container(), "sh", "-c",
                    "for p in $(pidof sleep); do grep -q 613 /proc/$p/cmdline && kill $p; done; true");
        }
    }

    /** A command that reads no input cannot block a writer forever: after the call timeout the session is cut. */
    @Test
    void inputTheCommandDoesNotTakeCutsTheSessionAfterTheCallTimeout() {
        ExecRecorder out = new ExecRecorder();
        ExecSession session = client.exec(service, task, ExecRequest.plain(List.of("sleep", "614")), out);
        try (session) {
            long started = System.nanoTime();
            session.write(new byte[32 * 1024 * 1024]);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(9));
            out.awaitEnd();
            assertThat(out.failure()).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("did not take its input within 10000 ms");
            RecordingListener.await("sleep 614 killed", Duration.ofSeconds(10), () -> !processes().contains("sleep 614"));
        }
    }

    @Test
    void aLargeInputReachesTheCommandWhole() {
        ExecRecorder out = new ExecRecorder();
        byte[] input = "0123456789abcdef".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (ExecSession session = client.exec(service, task, ExecRequest.plain(List.of("wc", "-c")), out)) {
            session.write(input);
            session.closeStdin();
            assertThat(out.awaitExit()).isZero();
            assertThat(out.stdout().trim()).isEqualTo(Integer.toString(input.length));
        }
    }

    @Test
    void aTaskOfAnotherServiceIsNotFound() {
        String other = SwarmTestWorkloads.deploySleeper(client, "it-exec-other");
        try {
            String otherTask = SwarmTestWorkloads.runningInstance(client, other);
            assertThatThrownBy(() -> client.exec(service, otherTask, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                    .isInstanceOf(WorkloadNotFoundException.class);
        } finally {
            LocalSwarm.removeServices(other);
        }
    }

    /** A task Swarm replaced (after a restart) keeps its id in the slot's history, but has nothing to exec in. */
    @Test
    void aTaskThatStoppedIsAConflict() {
        String restarted = SwarmTestWorkloads.deploySleeper(client, "it-exec-stopped");
        try {
            String stoppedTask = SwarmTestWorkloads.runningInstance(client, restarted);
            client.restart(restarted);
            RecordingListener.await("task " + stoppedTask + " no longer running", Duration.ofSeconds(30),
                    () -> !"running".equals(LocalSwarm.docker("inspect", "--format", "{{.Status.State}}", stoppedTask)));
            assertThatThrownBy(() -> client.exec(restarted, stoppedTask, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                    .isInstanceOf(EngineConflictException.class).hasMessageContaining("not running");
        } finally {
            LocalSwarm.removeServices(restarted);
        }
    }

    /** Over plain TCP the hijacked connection is a JDK socket, and closing stdin a TCP half-close. */
    @Test
    void execWorksOverPlainTcp() throws IOException {
        try (UnixSocketForwarder tcp = UnixSocketForwarder.plain(LocalSwarm.SOCKET);
             EngineClient overTcp = new SwarmEngineAdapter().connect(LocalSwarm.connection("tcp://127.0.0.1:" + tcp.port(), Map.of()))) {
            ExecChecks viaTcp = new ExecChecks(overTcp, service, task);
            viaTcp.shellRoundTrips();
            viaTcp.plainCommandKeepsStreamsAndExitCode();
            viaTcp.stdinReachesCommand();
            viaTcp.closeEndsCommand();
        }
    }

    /** The processes of the task's container, as busybox {@code ps} prints them. */
    private static String processes() {
        return LocalSwarm.docker("exec", container(), "ps");
    }

    private static String container() {
        JsonNode inspected = Json.MAPPER.readTree(LocalSwarm.docker("inspect", task)).get(0);
        return inspected.path("Status").path("ContainerStatus").path("ContainerID").asString();
    }
}
