package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.gantry.agent.api.v1.Container;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.EnvVar;
import io.gantry.agent.api.v1.Event;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.spi.EngineEvent;
import io.gantry.spi.HealthCheck;
import io.gantry.spi.InstanceState;
import io.gantry.spi.Phase;
import io.gantry.spi.PortMapping;
import io.gantry.spi.Resources;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadKind;
import io.gantry.spi.WorkloadSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentWorkloadMapperTest {

    @Test
    void aSpecSurvivesTheRoundTripThroughTheAgentsContainerSpec() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "2");
        env.put("A", "1");
        WorkloadSpec spec = new WorkloadSpec("busybox:1.36", List.of("/bin/sh"), List.of("-c", "httpd -f"), env,
                List.of(new PortMapping(80, 8080, "tcp"), PortMapping.tcp(443)), new Resources(500L, 268435456L), 3,
                HealthCheck.http("/", 80, 10), List.of("node.labels.zone==a"), "runc");

        ContainerSpec agent = AgentWorkloadMapper.toContainerSpec(spec, WorkloadKind.SERVICE);
        assertThat(agent.getEnvList()).extracting(EnvVar::getName).containsExactly("B", "A");
        assertThat(agent.getPorts(1).getPublishedPort()).as("0 lets the agent pick").isZero();
        assertThat(agent.getKind()).isEqualTo("SERVICE");
        assertThat(AgentWorkloadMapper.toSpec(agent)).isEqualTo(spec);
    }

    @Test
    void unsetLimitsAndImageStayUnset() {
        WorkloadSpec spec = new WorkloadSpec(null, List.of("sleep"), List.of("1"), null, null, null, 1, null, null, null);
        WorkloadSpec back = AgentWorkloadMapper.toSpec(AgentWorkloadMapper.toContainerSpec(spec, WorkloadKind.JOB));
        assertThat(back.image()).isNull();
        assertThat(back.resources()).isEqualTo(Resources.NONE);
        assertThat(back.runtime()).isNull();
    }

    @Test
    void tasksBecomeInstancesAndThePhaseFollowsThePhaseRule() {
        Container c = container("web", 3, "SERVICE");
        Task running = task("web-0", TaskStatus.TASK_STATUS_RUNNING, 0, "").toBuilder().setAddress("10.0.0.5:31000")
                .build();
        Task crashed = task("web-1", TaskStatus.TASK_STATUS_RESTARTING, 137, "exited with code 137; restarting in 250 ms");
        Task stopped = task("web-2", TaskStatus.TASK_STATUS_EXITED, 143, "stopped");

        Workload w = AgentWorkloadMapper.toWorkload(c, List.of(stopped, running, crashed), "node-1");
        assertThat(w.nativeId()).isEqualTo("shop/web");
        assertThat(w.kind()).isEqualTo(WorkloadKind.SERVICE);
        assertThat(w.instances()).extracting(i -> i.state())
                .containsExactly(InstanceState.RUNNING, InstanceState.STARTING, InstanceState.EXITED);
        assertThat(w.instances().get(0).address()).isEqualTo("10.0.0.5:31000");
        assertThat(w.instances().get(0).node()).isEqualTo("node-1");
        assertThat(w.instances().get(1).exitCode()).isEqualTo(137);
        assertThat(w.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(w.status().running()).isEqualTo(1);
        // issue 16: the instances counted by reason first; an agent without exits_in_row keeps its own words after it
        assertThat(w.instances().get(1).reason()).isEqualTo("signal 9");
        assertThat(w.status().message()).isEqualTo("signal 9 on 1 of 3 instances; exited with code 137; restarting in 250 ms");

        assertThat(AgentWorkloadMapper.toWorkload(container("web", 1, "SERVICE"),
                List.of(task("web-0", TaskStatus.TASK_STATUS_EXITED, 1, "exited with code 1")), "n").status().phase())
                .isEqualTo(Phase.FAILED);
        assertThat(AgentWorkloadMapper.toWorkload(container("web", 0, "SERVICE"), List.of(), "n").status().phase())
                .isEqualTo(Phase.STOPPED);
        assertThat(AgentWorkloadMapper.toWorkload(container("batch", 1, "JOB"),
                List.of(task("batch-0", TaskStatus.TASK_STATUS_EXITED, 0, "exited with code 0")), "n").status().phase())
                .as("a job that completed").isEqualTo(Phase.STOPPED);
        assertThat(AgentWorkloadMapper.toWorkload(container("web", 2, "SERVICE"),
                List.of(task("web-0", TaskStatus.TASK_STATUS_CREATED, 0, "")), "n").status().phase())
                .isEqualTo(Phase.PENDING);
    }

    @Test
    void aCrashLoopSaysItsExitCodeHowManyTimesInARowTheBackOffAndStderrsLastLine() {
        Task looping = task("web-1", TaskStatus.TASK_STATUS_RESTARTING, 1, "exited with code 1; restarting in 8000 ms")
                .toBuilder().setExitsInRow(3).setStderrTail("boom").setExitedAt(Timestamps.fromMillis(5000))
                .setBackoffUntil(Timestamps.fromMillis(13000)).build();
        Task running = task("web-0", TaskStatus.TASK_STATUS_RUNNING, 0, "");
        Workload w = AgentWorkloadMapper.toWorkload(container("web", 2, "SERVICE"), List.of(looping, running), "n");
        assertThat(w.instances().get(1).reason()).isEqualTo("exit 1");
        assertThat(w.instances().get(1).message()).isEqualTo("exited 1 3 times in a row, restarting in 8 s: boom");
        assertThat(w.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(w.status().message())
                .isEqualTo("exit 1 on 1 of 2 instances; exited 1 3 times in a row, restarting in 8 s: boom");

        Workload alone = AgentWorkloadMapper.toWorkload(container("web", 1, "SERVICE"), List.of(looping), "n");
        assertThat(alone.status().phase()).as("none runs").isEqualTo(Phase.FAILED);

        Task oom = looping.toBuilder().setExitCode(137).setOomKilled(true).setExitsInRow(1).setStderrTail("")
                .setBackoffUntil(Timestamps.fromMillis(5250)).build();
        assertThat(AgentWorkloadMapper.toInstance(oom, "n").reason()).isEqualTo("OOMKilled");
        assertThat(AgentWorkloadMapper.toInstance(oom, "n").message())
                .isEqualTo("killed by the kernel: out of memory, restarting in 250 ms");
        Task startFailed = task("web-1", TaskStatus.TASK_STATUS_EXITED, -1, "start failed: command 'nope' not found")
                .toBuilder().setStartFailed(true).build();
        assertThat(AgentWorkloadMapper.toInstance(startFailed, "n").reason()).isEqualTo("start failed");
        assertThat(AgentWorkloadMapper.toInstance(startFailed, "n").message())
                .isEqualTo("start failed: command 'nope' not found");
    }

    @Test
    void aTaskFailingItsHealthCheckIsUnhealthyWithTheChecksWordsWhileAPendingCheckIsNoFailure() {
        Container checked = container("web", 2, "SERVICE").toBuilder().setSpec(container("web", 2, "SERVICE").getSpec()
                .toBuilder().setHealthCheck(io.gantry.agent.api.v1.HealthCheckSpec.newBuilder().setType("http")
                        .setPort(80))).build();
        Task healthy = task("web-0", TaskStatus.TASK_STATUS_RUNNING, 0, "").toBuilder().setHealthy(true).build();
        Task failing = task("web-1", TaskStatus.TASK_STATUS_RUNNING, 0, "").toBuilder()
                .setHealthMessage("health check: HTTP 503").build();
        Workload w = AgentWorkloadMapper.toWorkload(checked, List.of(healthy, failing), "n");
        assertThat(w.instances().get(1).reason()).isEqualTo("unhealthy");
        assertThat(w.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(w.status().message()).isEqualTo("unhealthy on 1 of 2 instances; health check: HTTP 503");
        Task pending = failing.toBuilder().setHealthMessage("health check pending").build();
        assertThat(AgentWorkloadMapper.toInstance(pending, "n").reason()).isEmpty();
    }

    @Test
    void withAHealthCheckOnlyHealthyTasksMakeItRunning() {
        Container checked = container("web", 2, "SERVICE").toBuilder().setSpec(container("web", 2, "SERVICE").getSpec()
                .toBuilder().setHealthCheck(io.gantry.agent.api.v1.HealthCheckSpec.newBuilder().setType("tcp")
                        .setPort(80))).build();
        Task healthy = task("web-0", TaskStatus.TASK_STATUS_RUNNING, 0, "").toBuilder().setHealthy(true).build();
        Task pending = task("web-1", TaskStatus.TASK_STATUS_RUNNING, 0, "").toBuilder()
                .setHealthMessage("health check pending").build();
        Workload w = AgentWorkloadMapper.toWorkload(checked, List.of(healthy, pending), "n");
        assertThat(w.status().healthy()).isEqualTo(1);
        assertThat(w.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(w.instances().get(1).message()).isEqualTo("health check pending");
        assertThat(AgentWorkloadMapper.toWorkload(checked, List.of(healthy, healthy.toBuilder().setId("web-1").build()),
                "n").status().phase()).isEqualTo(Phase.RUNNING);
    }

    @Test
    void secretLookingEnvValuesAreRedactedInTheNativeObject() {
        Container c = container("web", 1, "SERVICE").toBuilder().setSpec(container("web", 1, "SERVICE").getSpec()
                .toBuilder().addEnv(EnvVar.newBuilder().setName("DB_PASSWORD").setValue("hunter2"))
                .addEnv(EnvVar.newBuilder().setName("MODE").setValue("prod"))).build();
        String nativeObject = AgentWorkloadMapper.toWorkload(c, List.of(), "n").nativeObject();
        assertThat(nativeObject).doesNotContain("hunter2").contains("\"REDACTED\"").contains("prod");
    }

    @Test
    void eventsKeepTheirMeaning() {
        EngineEvent exit = AgentWorkloadMapper.toEvent(Event.newBuilder().setTimestamp(Timestamps.fromMillis(1000))
                .setNamespace("shop").setContainerId("web").setTaskId("web-1").setTopic("/tasks/exit").setExitCode(137)
                .setMessage("exited with code 137").build());
        assertThat(exit.workloadNativeId()).isEqualTo("shop/web");
        assertThat(exit.type()).isEqualTo(EngineEvent.WARNING);
        assertThat(exit.reason()).isEqualTo("TaskExited");
        assertThat(exit.message()).isEqualTo("task web-1: exited with code 137");
        assertThat(AgentWorkloadMapper.toEvent(Event.newBuilder().setNamespace("shop").setContainerId("web")
                .setTopic("/tasks/oom").build()).reason()).isEqualTo("OOMKilled");
        assertThat(AgentWorkloadMapper.toEvent(Event.newBuilder().setNamespace("shop").setContainerId("web")
                .setTopic("/tasks/exit").setExitCode(143).setMessage("stopped").build()).type())
                .isEqualTo(EngineEvent.NORMAL);
    }

    private static Container container(String id, int replicas, String kind) {
        return Container.newBuilder().setNamespace("shop").setId(id).setGeneration(1)
                .setCreatedAt(Timestamps.fromMillis(1000)).setUpdatedAt(Timestamps.fromMillis(1000))
                .setSpec(ContainerSpec.newBuilder().addCommand("/bin/sh").setReplicas(replicas).setKind(kind)
                        .setRuntime("raw")).build();
    }

    private static Task task(String id, TaskStatus status, int exitCode, String message) {
        Task.Builder t = Task.newBuilder().setNamespace("shop").setContainerId(id.substring(0, id.indexOf('-')))
                .setId(id).setStatus(status).setExitCode(exitCode).setMessage(message);
        if (status != TaskStatus.TASK_STATUS_CREATED) {
            t.setStartedAt(Timestamps.fromMillis(2000));
        }
        return t.build();
    }
}
