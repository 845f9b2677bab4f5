package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.Instance;
import io.gantry.spi.InstanceState;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import io.gantry.spi.exec.ExecChecks;
import io.gantry.spi.exec.ExecRecorder;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec on real agent daemons (child JVMs) with real processes: every spi {@link ExecChecks} check on a raw task, on a
 * runc task and through a pool, then the session cap, the gauge, and a closed session killing all it started.
 */
class AgentExecIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    @Test
    void everyExecCheckPassesOnARawTask() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            assertThat(client.capabilities()).contains(Capability.EXEC);
            String instance = deploy(client, new WorkloadSpec(null, List.of("/bin/sh", "-c"),
                    List.of("while true; do sleep 1; done"), null, null, null, 1, null, null, null));
            runEveryCheck(client, instance);

            client.deploy(new WorkloadDefinition("exec", "done", WorkloadKind.JOB, Map.of(), new WorkloadSpec(null,
                    List.of("true"), null, null, null, null, 1, null, null, null)));
            await(() -> client.getWorkload("exec/done").filter(w -> w.instances().stream()
                    .allMatch(i -> i.state() != InstanceState.RUNNING && i.state() != InstanceState.STARTING)).isPresent());
            assertThatThrownBy(() -> client.exec("exec/done", "done-0", ExecRequest.plain(List.of("true")),
                    new ExecRecorder())).as("a task that does not run").isInstanceOf(EngineConflictException.class)
                    .hasMessageContaining("not running");
            assertThatThrownBy(() -> client.exec("exec/done", instance, ExecRequest.plain(List.of("true")),
                    new ExecRecorder())).as("another workload's instance")
                    .isInstanceOf(io.gantry.spi.WorkloadNotFoundException.class);
        }
    }

    @Test
    void everyExecCheckPassesOnARuncTask() throws Exception {
        BusyboxImage.requireRuncAndBusybox();
        try (AgentProcess agent = new AgentProcess(root).withoutRaw().start(); EngineClient client = agent.client()) {
            BusyboxImage.importInto(agent, "exec", "busybox:exec", BusyboxImage.tarball(root,
                    List.of("sh", "cat", "stty", "sleep", "echo", "setsid")));
            String instance = deploy(client, new WorkloadSpec("busybox:exec", List.of("/bin/sh", "-c"),
                    List.of("while true; do sleep 1; done"), null, null, null, 1, null, null, null));
            try {
                assertThat(client.getWorkload("exec/box").orElseThrow().spec().runtime()).isEqualTo("runc");
                runEveryCheck(client, instance);

                // runc exec's own process is not the command: closing must still end what runs in the container
                closingKillsWhatTheCommandStarted(client, instance, "6101", "6102");
            } finally {
                // a container outlives a stopped agent, as tasks do: only its deletion ends it
                client.delete("exec/box");
            }
        }
    }

    @Test
    void execReachesEachInstanceOfAPool() throws Exception {
        String token = "pool-" + UUID.randomUUID();
        try (AgentProcess a = new AgentProcess(root.resolve("a"), token, AgentProcess.freePort(), AgentProcess.freePort())
                .with("--node-name", "exec-a").start();
             AgentProcess b = new AgentProcess(root.resolve("b"), token, AgentProcess.freePort(), AgentProcess.freePort())
                     .with("--node-name", "exec-b").start();
             EngineClient pool = new AgentEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "pool",
                     "grpc://127.0.0.1:" + a.port + ",grpc://127.0.0.1:" + b.port, Map.of(), Map.of("token", token),
                     Map.of(), Duration.ofSeconds(10)))) {
            assertThat(pool.capabilities()).contains(Capability.EXEC);
            pool.deploy(new WorkloadDefinition("exec", "box", WorkloadKind.SERVICE, Map.of(), new WorkloadSpec(null,
                    List.of("/bin/sh", "-c"), List.of("while true; do sleep 1; done"), null, null, null, 2, null,
                    null, null)));
            List<String> instances = await(() -> pool.getWorkload("exec/box").filter(w -> w.status().running() == 2))
                    .instances().stream().map(Instance::id).sorted().toList();
            assertThat(instances).containsExactly("exec-a/box-0", "exec-b/box-0");
            for (String instance : instances) {
                ExecRecorder out = new ExecRecorder();
                try (ExecSession ignored = pool.exec("exec/box", instance,
                        ExecRequest.plain(List.of("sh", "-c", "echo on-$GANTRY_TASK_ID; exit 5")), out)) {
                    assertThat(out.awaitExit()).isEqualTo(5);
                    assertThat(out.stdout()).isEqualTo("on-box-0\n");
                }
                new ExecChecks(pool, "exec/box", instance).shellRoundTrips();
            }
            new ExecChecks(pool, "exec/box", instances.get(0)).unknownInstanceIsNotFound();
            assertThatThrownBy(() -> pool.exec("exec/box", "exec-x/box-0", ExecRequest.plain(List.of("true")),
                    new ExecRecorder())).as("a node the pool lacks")
                    .isInstanceOf(io.gantry.spi.WorkloadNotFoundException.class);
        }
    }

    @Test
    void pastTheCapAnExecIsAConflictAndTheGaugeCountsOpenSessions() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            String instance = deploy(client, new WorkloadSpec(null, List.of("/bin/sh", "-c"),
                    List.of("while true; do sleep 1; done"), null, null, null, 1, null, null, null));
            assertThat(openSessions(agent)).isZero();
            List<ExecSession> open = new ArrayList<>();
            List<ExecRecorder> recorders = new ArrayList<>();
            try {
                for (int i = 0; i < 32; i++) {
                    ExecRecorder out = new ExecRecorder();
                    open.add(client.exec("exec/box", instance, ExecRequest.plain(List.of("cat")), out));
                    recorders.add(out);
                }
                assertThat(openSessions(agent)).isEqualTo(32);
                assertThatThrownBy(() -> client.exec("exec/box", instance, ExecRequest.plain(List.of("true")),
                        new ExecRecorder())).isInstanceOf(EngineConflictException.class)
                        .hasMessageContaining("32 exec sessions open");

                open.get(0).closeStdin();
                assertThat(recorders.get(0).awaitExit()).isZero();
                await(() -> openSessions(agent) == 31);
                ExecRecorder again = new ExecRecorder();
                try (ExecSession ignored = client.exec("exec/box", instance, ExecRequest.plain(List.of("true")), again)) {
                    assertThat(again.awaitExit()).isZero();
                }
            } finally {
                open.forEach(ExecSession::close);
            }
            recorders.forEach(ExecRecorder::awaitEnd);
            await(() -> openSessions(agent) == 0);

            closingKillsWhatTheCommandStarted(client, instance, "6201", "6202");
        }
    }

    /** Every check of the port's shared suite: this engine supports them all. */
    private static void runEveryCheck(EngineClient client, String instance) {
        ExecChecks checks = new ExecChecks(client, "exec/box", instance);
        checks.shellRoundTrips();
        checks.resizeReachesTerminal();
        checks.plainCommandKeepsStreamsAndExitCode();
        checks.stdinReachesCommand();
        checks.closeEndsCommand();
        checks.missingCommandIsNamed();
        checks.unknownInstanceIsNotFound();
    }

    /**
     * A command without a terminal (so no hang-up ends anything) that leaves a child behind and one in a session of its
     * own: closing the session ends both. They are found on the host by their arguments, which a runc container's
     * pid namespace does not hide.
     */
    private static void closingKillsWhatTheCommandStarted(EngineClient client, String instance, String child,
                                                          String escaped) throws Exception {
        ExecRecorder out = new ExecRecorder();
        ExecSession session = client.exec("exec/box", instance, ExecRequest.plain(List.of("sh", "-c",
                "sleep " + child + " & setsid sleep " + escaped + " & echo started; wait")), out);
        out.awaitStdout("started");
        await(() -> running("sleep", child) && running("sleep", escaped));
        session.close();
        out.awaitEnd();
        await(() -> !running("sleep", child) && !running("sleep", escaped));
    }

    /** Whether a process on the host runs exactly {@code argv} (read from /proc/<pid>/cmdline). */
    private static boolean running(String... argv) {
        String wanted = String.join("\0", argv) + "\0";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).equals(wanted);
                } catch (IOException gone) {
                    return false;
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Deploys {@code exec/box} with one replica and returns its instance id once it runs. */
    private static String deploy(EngineClient client, WorkloadSpec spec) {
        client.deploy(new WorkloadDefinition("exec", "box", WorkloadKind.SERVICE, Map.of(), spec));
        Workload running = await(() -> client.getWorkload("exec/box").filter(w -> w.status().running() == 1));
        return running.instances().get(0).id();
    }

    private static int openSessions(AgentProcess agent) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.metricsPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return metrics.body().lines().filter(l -> l.startsWith("gantry_agent_exec_sessions_open "))
                .map(l -> Integer.parseInt(l.substring(l.indexOf(' ') + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no exec gauge in " + metrics.body()));
    }

    private static <T> T await(java.util.function.Supplier<java.util.Optional<T>> probe) {
        java.util.concurrent.atomic.AtomicReference<T> value = new java.util.concurrent.atomic.AtomicReference<>();
        RecordingListener.await("the condition met", WAIT, () -> probe.get().map(v -> {
            value.set(v);
            return true;
        }).orElse(false));
        return value.get();
    }

    private static void await(CheckedCondition condition) {
        RecordingListener.await("the condition met", WAIT, () -> {
            try {
                return condition.met();
            } catch (Exception e) {
                return false;
            }
        });
    }

    private interface CheckedCondition {
        boolean met() throws Exception;
    }
}
