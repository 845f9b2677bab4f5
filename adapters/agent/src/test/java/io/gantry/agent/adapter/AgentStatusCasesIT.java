package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineClient;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.Instance;
import io.gantry.spi.Phase;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.Resources;
import io.gantry.spi.StatusCases;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 on the real daemon: raw tasks that crash-loop, get killed, fail their health check or complete reach the
 * states of the agent's rule table ({@code testdata/fixtures/agent/status-cases.tsv}), and the table's rows for each
 * state hold for the live workload too. Each state's native object is written to {@code target/status-captures/}:
 * that is where the table's fixtures came from (the OOM kill's by {@link CgroupLimitsIT}, which needs root).
 */
class AgentStatusCasesIT {
    private static final Path CAPTURES = Path.of("target", "status-captures");

    @TempDir
    Path root;

    @Test
    void aCommandThatExitsAtOnceIsFailedWithItsExitCodeAndStderrsLastLine() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            client.deploy(service("boom", 1, "echo starting; echo boom >&2; exit 1", null));
            Workload w = capture(client, "status/boom", "crashloop-exit1.json", crashLooping("exit 1"));
            assertThat(w.status().phase()).isEqualTo(Phase.FAILED);
            assertThat(w.status().message()).contains("exit 1").contains("boom");
            Instance task = w.instances().get(0);
            assertThat(task.reason()).isEqualTo("exit 1");
            assertThat(task.message()).matches("exited 1 \\d+ times in a row, restarting in \\d+ (ms|s): boom");
            client.delete("status/boom");
        }
    }

    @Test
    void everyStateOfTheRuleTableIsReachedOnTheRealDaemon() throws Exception {
        try (AgentProcess agent = new AgentProcess(root).start(); EngineClient client = agent.client()) {
            client.deploy(service("half", 2, "if [ \"$GANTRY_TASK_ID\" = half-1 ]; then echo 'bad config' >&2;"
                    + " exit 3; fi; exec sleep 300", null));
            client.deploy(service("killed", 1, "echo 'going down' >&2; kill -9 $$", null));
            client.deploy(service("sick", 1, "exec sleep 300", new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                    List.of("/bin/sh", "-c", "echo 'not ready: no database' >&2; exit 1"), 1, 5)));
            client.deploy(service("fine", 1, "exec sleep 300", new HealthCheck(HealthCheck.Type.COMMAND, null, null,
                    List.of("/bin/sh", "-c", "true"), 1, 5)));
            client.deploy(job("done", "echo all done", null));
            client.deploy(job("broken", "echo 'input missing' >&2; exit 2", null));

            capture(client, "status/half", "crashloop-one-of-two.json", crashLooping("exit 3"));
            capture(client, "status/killed", "killed-signal9.json", crashLooping("signal 9"));
            capture(client, "status/sick", "unhealthy.json", w -> w.instances().stream()
                    .anyMatch(i -> i.reason().equals("unhealthy")));
            capture(client, "status/fine", "running-healthy.json", w -> w.status().phase() == Phase.RUNNING);
            capture(client, "status/done", "job-completed.json", w -> w.status().phase() == Phase.STOPPED);
            capture(client, "status/broken", "job-failed.json", w -> w.status().phase() == Phase.FAILED);
            client.scale("status/fine", 0);
            capture(client, "status/fine", "scaled-to-zero.json", w -> w.status().phase() == Phase.STOPPED);

        }
    }

    /** A task of the workload waits out its back-off after exiting the same way more than once. */
    private static Predicate<Workload> crashLooping(String reason) {
        return w -> w.instances().stream().anyMatch(i -> i.reason().equals(reason) && i.message().contains("times in a row")
                && i.message().contains("restarting in"));
    }

    /**
     * Waits for the workload to be in the state, writes its native object to {@link #CAPTURES} and checks the
     * table's rows for that fixture against the live status. {@link CgroupLimitsIT} captures the OOM kill with it.
     */
    static Workload capture(EngineClient client, String nativeId, String fixture, Predicate<Workload> state)
            throws IOException {
        Workload w = RecordingListener.poll(fixture, Duration.ofSeconds(30),
                () -> client.getWorkload(nativeId).filter(state));
        Files.createDirectories(CAPTURES);
        Files.writeString(CAPTURES.resolve(fixture), w.nativeObject() + "\n");
        List<StatusCases.Case> rows = StatusCases.load(AgentStatusCasesTest.table()).cases().stream()
                .filter(c -> c.file().getFileName().toString().equals(fixture)).toList();
        rows.forEach(c -> StatusCases.check(c, w.status()));
        return w;
    }

    private static WorkloadDefinition service(String name, int replicas, String script, HealthCheck check) {
        return new WorkloadDefinition("status", name, WorkloadKind.SERVICE, Map.of(), new WorkloadSpec(null,
                List.of("/bin/sh", "-c", script), null, null, null, null, replicas, check, null, "raw"));
    }

    private static WorkloadDefinition job(String name, String script, Resources resources) {
        return new WorkloadDefinition("status", name, WorkloadKind.JOB, Map.of(), new WorkloadSpec(null,
                List.of("/bin/sh", "-c", script), null, null, null, resources, 1, null, null, "raw"));
    }
}
