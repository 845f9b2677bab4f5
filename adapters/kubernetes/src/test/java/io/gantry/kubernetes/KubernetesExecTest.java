package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InstanceState;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.exec.ExecChecks;
import io.gantry.spi.exec.ExecRecorder;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exec through {@code pods/exec} against the emulated cluster: the front upgrades the WebSocket and its
 * {@link PodExecEmulator} runs each command on this machine (a real pty for terminals), speaking v5 unless a test
 * makes it an older API server that speaks only v4. Every {@link ExecChecks} check runs on both.
 */
class KubernetesExecTest {
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private static final String NAMESPACE = "exec";
    @RegisterExtension
    static final EmulatedEngine engine = new EmulatedEngine();
    private static EngineClient client;
    private static String shell;
    private static String pod;

    @BeforeAll
    static void deploy() {
        client = engine.client();
        shell = deployed("shell", "busybox:1.36");
        pod = runningPod(shell);
    }

    @AfterEach
    void reset() {
        engine.cluster().front.allowAll();
        engine.cluster().front.speakExec(List.of(ExecChannels.V5, ExecChannels.V4));
    }

    private static ExecChecks checks() {
        return new ExecChecks(client, shell, pod);
    }

    @Test
    void execIsAdvertised() {
        assertThat(client.capabilities()).contains(Capability.EXEC);
    }

    @Test
    void shellRoundTrips() {
        checks().shellRoundTrips();
    }

    @Test
    void resizeReachesTerminal() {
        checks().resizeReachesTerminal();
    }

    @Test
    void plainCommandKeepsStreamsAndExitCode() {
        checks().plainCommandKeepsStreamsAndExitCode();
    }

    @Test
    void stdinReachesCommand() {
        checks().stdinReachesCommand();
    }

    @Test
    void closeEndsCommand() {
        checks().closeEndsCommand();
    }

    @Test
    void missingCommandIsNamed() {
        checks().missingCommandIsNamed();
    }

    @Test
    void unknownInstanceIsNotFound() {
        checks().unknownInstanceIsNotFound();
    }

    @Test
    void v5IsChosenWhenTheApiServerSpeaksIt() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession session = client.exec(shell, pod, ExecRequest.plain(List.of("true")), out)) {
            assertThat(((PodExecSession) session).protocol()).isEqualTo(ExecChannels.V5);
            assertThat(out.awaitExit()).isZero();
        }
    }

    /** An API server older than v5: everything but ending stdin alone works, and that one says why it cannot. */
    @Test
    void anApiServerSpeakingOnlyV4RunsEverythingButCloseStdin() {
        engine.cluster().front.speakExec(List.of(ExecChannels.V4));
        ExecRecorder out = new ExecRecorder();
        try (ExecSession session = client.exec(shell, pod, ExecRequest.plain(List.of("cat")), out)) {
            assertThat(((PodExecSession) session).protocol()).isEqualTo(ExecChannels.V4);
            session.write("still-fed\n".getBytes(StandardCharsets.UTF_8));
            out.awaitStdout("still-fed");
            assertThatThrownBy(session::closeStdin).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                    e -> assertThat(e.capability()).isEqualTo(Capability.EXEC))
                    .hasMessageContaining(ExecChannels.V4).hasMessageContaining("^D");
        }
        out.awaitEnd();
        ExecChecks checks = checks();
        checks.shellRoundTrips();
        checks.resizeReachesTerminal();
        checks.plainCommandKeepsStreamsAndExitCode();
        checks.closeEndsCommand();
        checks.missingCommandIsNamed();
        checks.unknownInstanceIsNotFound();
    }

    @Test
    void anUnknownWorkloadIsNotFound() {
        assertThatThrownBy(() -> client.exec(NAMESPACE + "/Deployment/nothing-here", pod, ExecRequest.plain(List.of("true")),
                new ExecRecorder())).isInstanceOf(WorkloadNotFoundException.class);
        assertThatThrownBy(() -> client.exec("not-a-native-id", pod, ExecRequest.plain(List.of("true")),
                new ExecRecorder())).isInstanceOf(WorkloadNotFoundException.class);
    }

    @Test
    void aPodThatIsNotRunningIsAConflict() {
        String waiting = deployed("waiting", "busybox:1.36");
        String itsPod = runningPod(waiting);
        engine.cluster().fabric8.pods().inNamespace(NAMESPACE).withName(itsPod)
                .edit(p -> new PodBuilder(p).editStatus().withPhase("Pending").endStatus().build());
        assertThatThrownBy(() -> client.exec(waiting, itsPod, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining(itsPod).hasMessageContaining("Pending");
    }

    @Test
    void aContainerInCrashLoopIsAConflict() {
        String crashing = deployed("crashing", "crash:1");
        String itsPod = runningPod(crashing, false);
        assertThatThrownBy(() -> client.exec(crashing, itsPod, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("CrashLoopBackOff");
    }

    /** The pod went between Gantry's read and the upgrade: the API server's 404 on the exec itself. */
    @Test
    void aPodGoneBeforeTheUpgradeIsNotFound() {
        engine.cluster().front.answerNext("GET", "/exec",
                ApiServerFront.status(404, "NotFound", "pods \"" + pod + "\" not found"), 1);
        assertThatThrownBy(() -> client.exec(shell, pod, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                .isInstanceOf(WorkloadNotFoundException.class).hasMessageContaining(pod);
    }

    /** The kubelet's refusal of a container that stopped meanwhile: 400 on the upgrade. */
    @Test
    void aContainerRefusedAtTheUpgradeIsAConflict() {
        engine.cluster().front.answerNext("GET", "/exec", ApiServerFront.status(400, "BadRequest",
                "unable to upgrade connection: container not found (\"main\")"), 1);
        assertThatThrownBy(() -> client.exec(shell, pod, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("container not found");
    }

    /** Credentials that may read pods but not create {@code pods/exec} (RBAC). */
    @Test
    void execWithoutThePermissionIsForbidden() {
        engine.cluster().front.forbid("exec");
        assertThatThrownBy(() -> client.exec(shell, pod, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                .isInstanceOf(EngineForbiddenException.class).hasMessageContaining("exec");
    }

    @Test
    void closingTheClientEndsItsSessions() {
        ExecRecorder out = new ExecRecorder();
        try (EngineClient other = engine.connect(Map.of())) {
            other.exec(shell, pod, ExecRequest.terminal(List.of("sh", "-c", "echo long; sleep 600"), 80, 24), out);
            out.awaitStdout("long");
        }
        out.awaitEnd();
    }

    /** A session whose end the API server never reports still ends, within the call timeout, as a failure. */
    @Test
    void aServerThatGoesAwayEndsTheSessionAsAFailure() {
        ExecRecorder out = new ExecRecorder();
        try (EngineClient other = engine.connect(Map.of())) {
            ExecSession session = other.exec(shell, pod, ExecRequest.terminal(List.of("sh", "-c", "echo up; sleep 600"), 80, 24), out);
            out.awaitStdout("up");
            engine.cluster().front.stop();
            try {
                out.awaitEnd();
                assertThat(out.failure()).isInstanceOf(EngineUnavailableException.class);
            } finally {
                session.close();
                restartFront();
            }
        }
    }

    /** An upgrade the API server never answers is given up after the call timeout, and the caller told. */
    @Test
    void anUpgradeThatHangsEndsWithinTheCallTimeout() {
        engine.cluster().front.stallExecFor(Duration.ofSeconds(30));
        try (EngineClient quick = new KubernetesEngineAdapter().connect(engine.cluster().connection(Map.of(),
                Duration.ofSeconds(1)))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> quick.exec(shell, pod, ExecRequest.plain(List.of("true")), new ExecRecorder()))
                    .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("did not start the exec");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    private static void restartFront() {
        try {
            engine.cluster().front.restart();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String deployed(String name, String image) {
        return client.deploy(new WorkloadDefinition(NAMESPACE, name, WorkloadKind.SERVICE, Map.of("app", name),
                WorkloadSpec.of(image, 1))).nativeId();
    }

    private static String runningPod(String nativeId) {
        return runningPod(nativeId, true);
    }

    /** The workload's first pod once the test controller made it; {@code ready}: once its container runs too. */
    private static String runningPod(String nativeId, boolean ready) {
        String[] found = new String[1];
        RecordingListener.await("a pod of " + nativeId, SETTLE, () -> client.getWorkload(nativeId)
                .flatMap(w -> w.instances().stream()
                        .filter(i -> !ready || i.state() == InstanceState.RUNNING).findFirst())
                .map(i -> found[0] = i.id()).isPresent());
        return found[0];
    }
}
