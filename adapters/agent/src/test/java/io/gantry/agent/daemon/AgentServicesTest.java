package io.gantry.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.RecordingListener;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.CreateContainerRequest;
import io.gantry.agent.api.v1.CreateTaskRequest;
import io.gantry.agent.api.v1.DeleteContainerRequest;
import io.gantry.agent.api.v1.DeleteTaskRequest;
import io.gantry.agent.api.v1.Event;
import io.gantry.agent.api.v1.EventsGrpc;
import io.gantry.agent.api.v1.GetContainerRequest;
import io.gantry.agent.api.v1.GetTaskRequest;
import io.gantry.agent.api.v1.KillTaskRequest;
import io.gantry.agent.api.v1.ListContainersRequest;
import io.gantry.agent.api.v1.LogEntry;
import io.gantry.agent.api.v1.NodeGrpc;
import io.gantry.agent.api.v1.NodeInfoRequest;
import io.gantry.agent.api.v1.StartTaskRequest;
import io.gantry.agent.api.v1.SubscribeRequest;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskLogsRequest;
import io.gantry.agent.api.v1.TaskMetrics;
import io.gantry.agent.api.v1.TaskMetricsRequest;
import io.gantry.agent.api.v1.TaskStatus;
import io.gantry.agent.api.v1.TasksGrpc;
import io.gantry.agent.api.v1.UpdateContainerRequest;
import io.gantry.agent.api.v1.WaitTaskRequest;
import io.gantry.agent.runtime.Proc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.gantry.agent.api.v1.EnvVar;
import io.gantry.agent.runtime.TaskEnvironment;
import io.gantry.agent.runtime.TaskUser;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's gRPC services and interceptors over the in-process transport, running real host processes. */
class AgentServicesTest {
    private static final String TOKEN = "test-token";

    @TempDir
    Path dataDir;
    @TempDir
    Path noCgroups;

    private InProcessAgent agent;
    private AgentCore core;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        agent = new InProcessAgent(AgentOptions.loopback(0, TOKEN, dataDir), noCgroups, true);
        core = agent.core;
        channel = agent.channel;
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    @Test
    void aCallWithoutTheTokenIsUnauthenticated() {
        ContainersGrpc.ContainersBlockingStub anonymous = ContainersGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(null, "default")));
        assertThatThrownBy(() -> anonymous.list(ListContainersRequest.getDefaultInstance()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.UNAUTHENTICATED));
        NodeGrpc.NodeBlockingStub wrongToken = NodeGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers("test-tokem", null)));
        assertThatThrownBy(() -> wrongToken.info(NodeInfoRequest.getDefaultInstance()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(with(NodeGrpc.newBlockingStub(channel), null).info(NodeInfoRequest.getDefaultInstance())
                .getRuntimesList()).containsExactly("raw");
    }

    @Test
    void aNamespaceIsRequiredAndChecked() {
        assertThatThrownBy(() -> containers("team/a").get(GetContainerRequest.newBuilder().setId("x").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("namespace 'team/a' is invalid");
        assertThatThrownBy(() -> containers(null).get(GetContainerRequest.newBuilder().setId("x").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("gantry-namespace header is required");
    }

    @Test
    void objectsAreScopedByNamespace() {
        containers("team-a").create(container("web", shellSpec("sleep 30")));
        assertThat(containers("team-a").get(GetContainerRequest.newBuilder().setId("web").build()).getContainer()
                .getSpec().getRuntime()).isEqualTo("raw");
        assertThatThrownBy(() -> containers("team-b").get(GetContainerRequest.newBuilder().setId("web").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND))
                .hasMessageContaining("container 'web' does not exist in namespace 'team-b'");
        assertThat(containers(null).list(ListContainersRequest.getDefaultInstance()).getContainersCount()).isEqualTo(1);
        assertThat(containers("team-b").list(ListContainersRequest.getDefaultInstance()).getContainersCount()).isZero();
    }

    @Test
    void badInputGetsPreciseCodes() {
        containers("ns").create(container("web", shellSpec("sleep 30")));
        assertThatThrownBy(() -> containers("ns").create(container("web", shellSpec("sleep 30"))))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.ALREADY_EXISTS));
        assertThatThrownBy(() -> containers("ns").create(container("mem", shellSpec("true").toBuilder()
                .setMemoryBytes(-1).build())))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("spec.resources.memoryBytes must not be negative");
        assertThatThrownBy(() -> containers("ns").update(UpdateContainerRequest.newBuilder().setId("web")
                .setSpec(shellSpec("sleep 31")).setExpectedGeneration(7).build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.ABORTED));
        assertThatThrownBy(() -> tasks("ns").start(StartTaskRequest.newBuilder().setTaskId("nope").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND));

        containers("ns").create(container("ghost", ContainerSpec.newBuilder()
                .addCommand("/no/such/command").setReplicas(1).build()));
        tasks("ns").create(CreateTaskRequest.newBuilder().setContainerId("ghost").setTaskId("ghost-0").build());
        assertThatThrownBy(() -> tasks("ns").start(StartTaskRequest.newBuilder().setTaskId("ghost-0").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION))
                .hasMessageContaining("command '/no/such/command' does not exist");
        Task failed = tasks("ns").get(GetTaskRequest.newBuilder().setTaskId("ghost-0").build()).getTask();
        assertThat(failed.getStatus()).isEqualTo(TaskStatus.TASK_STATUS_EXITED);
        assertThat(failed.getMessage()).startsWith("start failed: command '/no/such/command'");
        assertThatThrownBy(() -> containers("ns").delete(DeleteContainerRequest.newBuilder().setId("ghost").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void aTaskRunsLogsAndStopsWithItsWholeProcessGroup() {
        containers("ns").create(container("echo", shellSpec("echo hello from $GANTRY_TASK_ID; sleep 60 & wait")));
        tasks("ns").create(CreateTaskRequest.newBuilder().setContainerId("echo").setTaskId("echo-0").build());
        Task running = tasks("ns").start(StartTaskRequest.newBuilder().setTaskId("echo-0").build()).getTask();
        assertThat(running.getStatus()).isEqualTo(TaskStatus.TASK_STATUS_RUNNING);
        assertThat(Proc.alive(running.getPid(), running.getPidStartTicks())).isTrue();

        awaitTrue(() -> logs("ns", "echo-0").contains("hello from echo-0"));
        awaitTrue(() -> Proc.group(running.getPid()).size() == 2);
        TaskMetrics metrics = tasks("ns").metrics(TaskMetricsRequest.newBuilder().addTaskIds("echo-0").build())
                .getMetrics(0);
        assertThat(metrics.getPids()).as("the shell and its sleep").isEqualTo(2);
        assertThat(metrics.getMemoryBytes()).isPositive();
        assertThat(metrics.getContainerId()).isEqualTo("echo");

        tasks("ns").kill(KillTaskRequest.newBuilder().setTaskId("echo-0").build());
        Task exited = tasks("ns").wait(WaitTaskRequest.newBuilder().setTaskId("echo-0").build()).getTask();
        assertThat(exited.getStatus()).isEqualTo(TaskStatus.TASK_STATUS_EXITED);
        assertThat(exited.getMessage()).isEqualTo("stopped");
        awaitTrue(() -> Proc.group(running.getPid()).isEmpty());
        tasks("ns").delete(DeleteTaskRequest.newBuilder().setTaskId("echo-0").build());
        assertThatThrownBy(() -> tasks("ns").get(GetTaskRequest.newBuilder().setTaskId("echo-0").build()))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void aServiceTaskThatExitsIsRestartedAndEventsTellIt() {
        Iterator<Event> events = with(EventsGrpc.newBlockingStub(channel), "ns")
                .subscribe(SubscribeRequest.getDefaultInstance());
        assertThat(events.next().getTopic()).isEqualTo("/subscribed");
        containers("ns").create(container("flaky", shellSpec("sleep 0.2; exit 3")));
        tasks("ns").create(CreateTaskRequest.newBuilder().setContainerId("flaky").setTaskId("flaky-0").build());
        tasks("ns").start(StartTaskRequest.newBuilder().setTaskId("flaky-0").build());

        List<String> topics = new ArrayList<>();
        while (topics.stream().filter("/tasks/start"::equals).count() < 2) {
            Event e = events.next();
            topics.add(e.getTopic());
            if (e.getTopic().equals("/tasks/exit")) {
                assertThat(e.getExitCode()).isEqualTo(3);
            }
        }
        assertThat(topics).containsSubsequence("/containers/create", "/tasks/create", "/tasks/start", "/tasks/exit",
                "/tasks/start");
        Task restarted = tasks("ns").get(GetTaskRequest.newBuilder().setTaskId("flaky-0").build()).getTask();
        assertThat(restarted.getRestarts()).isGreaterThanOrEqualTo(1);
        tasks("ns").delete(DeleteTaskRequest.newBuilder().setTaskId("flaky-0").build());
    }

    /** Issue 13: what a task can see of the agent that runs it, with an agent running as root as here. */
    @Test
    void aRawTaskRunsAsTheTaskUserWithACleanEnvironmentOutsideTheDataDir() throws Exception {
        containers("ns").create(container("peek", ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c")
                .addArgs("echo uid=$(id -u); echo cwd=$(pwd); env; cat " + dataDir.resolve("containers/ns/peek.json")
                        + " && echo state-read || echo state-denied")
                .addEnv(EnvVar.newBuilder().setName("FROM_SPEC").setValue("yes")).setReplicas(1).setKind("JOB").build()));
        tasks("ns").create(CreateTaskRequest.newBuilder().setContainerId("peek").setTaskId("peek-0").build());
        tasks("ns").start(StartTaskRequest.newBuilder().setTaskId("peek-0").build());
        tasks("ns").wait(WaitTaskRequest.newBuilder().setTaskId("peek-0").build());
        String out = logs("ns", "peek-0");

        int expectedUid = TaskUser.forAgent("nobody").map(TaskUser::uid).orElse(TaskUser.agentUid());
        assertThat(out).as(out).contains("stdout: uid=" + expectedUid);
        if (TaskUser.agentUid() == 0) {
            assertThat(expectedUid).isNotZero();
            assertThat(out).contains("stdout: state-denied").doesNotContain("state-read");
        }
        Path cwd = Path.of(line(out, "stdout: cwd="));
        assertThat(cwd.startsWith(dataDir)).as("the working dir %s is outside the data dir", cwd).isFalse();
        assertThat(cwd).endsWith(Path.of("ns", "peek-0"));
        Map<String, String> env = new HashMap<>();
        out.lines().filter(l -> l.startsWith("stdout: ") && l.contains("=") && !l.contains("uid=") && !l.contains("cwd="))
                .map(l -> l.substring("stdout: ".length()))
                .forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertThat(env).containsEntry("FROM_SPEC", "yes").containsEntry("GANTRY_TASK_ID", "peek-0")
                .containsEntry("HOME", cwd.toString()).containsEntry("PATH", TaskEnvironment.SAFE_PATH)
                .containsEntry("LANG", "C.UTF-8");
        Set<String> inherited = new HashSet<>(System.getenv().keySet());
        // what the shell itself sets, whatever it was given
        inherited.removeAll(Set.of("PATH", "HOME", "LANG", "PWD", "OLDPWD", "SHLVL", "_"));
        assertThat(env.keySet()).as("nothing of the agent's own environment").doesNotContainAnyElementsOf(inherited);

        tasks("ns").delete(DeleteTaskRequest.newBuilder().setTaskId("peek-0").build());
        assertThat(cwd).as("the working dir goes with the task").doesNotExist();
    }

    @Test
    void aRootTaskUserOrATaskDirInsideTheDataDirIsRefused(@TempDir Path other) {
        assertThatThrownBy(() -> new AgentCore(AgentOptions.loopback(0, TOKEN, other)
                .withTasks(null, other.resolve("tasks-here")), noCgroups, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--task-dir must be outside");
        if (TaskUser.agentUid() == 0) {
            assertThatThrownBy(() -> new AgentCore(AgentOptions.loopback(0, TOKEN, other).withTasks("root", null),
                    noCgroups, Optional.empty())).hasMessageContaining("must not be root");
            assertThatThrownBy(() -> new AgentCore(AgentOptions.loopback(0, TOKEN, other)
                    .withTasks("gantry-no-such-user", null), noCgroups, Optional.empty()))
                    .hasMessageContaining("does not exist");
        }
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()))
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in " + out));
    }

    private String logs(String namespace, String taskId) {
        StringBuilder out = new StringBuilder();
        Iterator<LogEntry> it = tasks(namespace).logs(TaskLogsRequest.newBuilder().setTaskId(taskId).setTail(50).build());
        it.forEachRemaining(e -> out.append(e.getStream()).append(": ").append(e.getLine()).append('\n'));
        return out.toString();
    }

    private static ContainerSpec shellSpec(String script) {
        return ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c").addArgs(script).setReplicas(1)
                .setKind("SERVICE").build();
    }

    private static CreateContainerRequest container(String id, ContainerSpec spec) {
        return CreateContainerRequest.newBuilder().setId(id).setSpec(spec).build();
    }

    private ContainersGrpc.ContainersBlockingStub containers(String namespace) {
        return with(ContainersGrpc.newBlockingStub(channel), namespace);
    }

    private TasksGrpc.TasksBlockingStub tasks(String namespace) {
        return with(TasksGrpc.newBlockingStub(channel), namespace);
    }

    private static <S extends AbstractStub<S>> S with(S stub, String namespace) {
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(TOKEN, namespace)))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Metadata headers(String token, String namespace) {
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(TokenInterceptor.AUTHORIZATION, "Bearer " + token);
        }
        if (namespace != null) {
            headers.put(NamespaceInterceptor.HEADER, namespace);
        }
        return headers;
    }

    private static Status.Code code(Throwable e) {
        return ((StatusRuntimeException) e).getStatus().getCode();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        RecordingListener.await("the condition met", Duration.ofSeconds(10), condition);
    }
}
