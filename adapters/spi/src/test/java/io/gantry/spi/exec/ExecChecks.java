package io.gantry.spi.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineClient;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.WorkloadNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What every adapter's exec must do, checked the same way on each engine against an instance of a running
 * workload whose image has a busybox-like {@code sh}, {@code cat} and {@code stty}. Each adapter's test calls the
 * checks its engine supports (and says why for any it leaves out).
 */
public final class ExecChecks {
    private final EngineClient client;
    private final String nativeId;
    private final String instanceId;

    public ExecChecks(EngineClient client, String nativeId, String instanceId) {
        this.client = client;
        this.nativeId = nativeId;
        this.instanceId = instanceId;
    }

    /** An interactive shell on a terminal: a typed command's output comes back (computed, not echoed), then exit's code. */
    public void shellRoundTrips() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession session = client.exec(nativeId, instanceId, ExecRequest.terminal(List.of("sh"), 80, 24), out)) {
            type(session, "echo round-$((6*7))-trip\n");
            out.awaitStdout("round-42-trip");
            type(session, "exit 3\n");
            assertThat(out.awaitExit()).isEqualTo(3);
        }
    }

    /** The terminal has the size asked at start, and a resize reaches it (what {@code stty size} prints). */
    public void resizeReachesTerminal() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession session = client.exec(nativeId, instanceId, ExecRequest.terminal(List.of("sh"), 100, 30), out)) {
            type(session, "stty size; echo size-$((1+1))-done\n");
            out.awaitStdout("size-2-done");
            assertThat(out.stdout()).contains("30 100");
            session.resize(123, 45);
            type(session, "stty size; echo size-$((2+1))-done\n");
            out.awaitStdout("size-3-done");
            assertThat(out.stdout()).contains("45 123");
            type(session, "exit\n");
            assertThat(out.awaitExit()).isZero();
        }
    }

    /** Without a terminal, stdout and stderr stay apart and the exit code comes back. */
    public void plainCommandKeepsStreamsAndExitCode() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession ignored = client.exec(nativeId, instanceId,
                ExecRequest.plain(List.of("sh", "-c", "echo to-out; echo to-err >&2; exit 7")), out)) {
            assertThat(out.awaitExit()).isEqualTo(7);
            assertThat(out.stdout()).isEqualTo("to-out\n");
            assertThat(out.stderr()).isEqualTo("to-err\n");
        }
    }

    /** Stdin reaches the command and closing it is its EOF. */
    public void stdinReachesCommand() {
        ExecRecorder out = new ExecRecorder();
        try (ExecSession session = client.exec(nativeId, instanceId, ExecRequest.plain(List.of("cat")), out)) {
            type(session, "fed-through-stdin\n");
            session.closeStdin();
            assertThat(out.awaitExit()).isZero();
            assertThat(out.stdout()).isEqualTo("fed-through-stdin\n");
        }
    }

    /** Closing the session ends a command that would run on, and the listener still hears the end. */
    public void closeEndsCommand() {
        ExecRecorder out = new ExecRecorder();
        ExecSession session = client.exec(nativeId, instanceId,
                ExecRequest.terminal(List.of("sh", "-c", "echo sleeping; sleep 600"), 80, 24), out);
        out.awaitStdout("sleeping");
        session.close();
        out.awaitEnd();
        session.close();
    }

    /**
     * A command that does not exist there is refused naming it (thrown at start, or as the session's failure where
     * the engine only says so once the exec runs), or exits 126/127 as shells do.
     */
    public void missingCommandIsNamed() {
        ExecRecorder out = new ExecRecorder();
        try {
            try (ExecSession ignored = client.exec(nativeId, instanceId,
                    ExecRequest.plain(List.of("/no/such/command")), out)) {
                out.awaitEnd();
                if (out.failure() != null) {
                    assertThat(out.failure()).isInstanceOf(InvalidSpecException.class)
                            .hasMessageContaining("/no/such/command");
                } else {
                    assertThat(out.awaitExit()).isIn(126, 127);
                }
            }
        } catch (InvalidSpecException e) {
            assertThat(e.getMessage()).contains("/no/such/command");
        }
    }

    /** An instance the workload does not have is a not-found, before anything runs. */
    public void unknownInstanceIsNotFound() {
        assertThatThrownBy(() -> client.exec(nativeId, "no-such-instance-0", ExecRequest.plain(List.of("true")),
                new ExecRecorder())).isInstanceOf(WorkloadNotFoundException.class);
    }

    private static void type(ExecSession session, String text) {
        session.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
