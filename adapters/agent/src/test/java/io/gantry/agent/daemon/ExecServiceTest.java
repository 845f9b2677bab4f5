package io.gantry.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.gantry.agent.api.v1.ContainerSpec;
import io.gantry.agent.api.v1.ContainersGrpc;
import io.gantry.agent.api.v1.CreateContainerRequest;
import io.gantry.agent.api.v1.CreateTaskRequest;
import io.gantry.agent.api.v1.ExecCloseStdin;
import io.gantry.agent.api.v1.ExecResize;
import io.gantry.agent.api.v1.ExecStart;
import io.gantry.agent.api.v1.ExecTaskRequest;
import io.gantry.agent.api.v1.ExecTaskResponse;
import io.gantry.agent.api.v1.KillTaskRequest;
import io.gantry.agent.api.v1.StartTaskRequest;
import io.gantry.agent.api.v1.TasksGrpc;
import io.gantry.agent.api.v1.WaitTaskRequest;
import io.gantry.agent.exec.ExecSessions;
import io.gantry.agent.runtime.Proc;
import io.gantry.spi.RecordingListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks.Exec over the in-process transport: the service's translation, on real host processes of raw tasks. */
class ExecServiceTest {
    private static final String TOKEN = "test-token";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;
    @TempDir
    Path noCgroups;

    private InProcessAgent agent;
    private AgentCore core;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        serve(AgentOptions.loopback(0, TOKEN, dataDir));
        containers().create(CreateContainerRequest.newBuilder().setId("box").setSpec(ContainerSpec.newBuilder()
                .addCommand("/bin/sh").addArgs("-c").addArgs("sleep 600")
                .addEnv(io.gantry.agent.api.v1.EnvVar.newBuilder().setName("FROM_SPEC").setValue("spec-value"))
                .setReplicas(1).setKind("SERVICE")).build());
        tasks().create(CreateTaskRequest.newBuilder().setContainerId("box").setTaskId("box-0").build());
        tasks().start(StartTaskRequest.newBuilder().setTaskId("box-0").build());
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    private void serve(AgentOptions options) throws Exception {
        agent = new InProcessAgent(options, noCgroups, false);
        core = agent.core;
        channel = agent.channel;
    }

    @Test
    void aPlainCommandAnswersStartedThenItsStreamsApartThenItsExitCode() {
        Exec exec = open(start("box-0", false, "sh", "-c", "echo to-out; echo to-err >&2; exit 7"));
        assertThat(exec.awaitEnd()).isNull();
        assertThat(exec.responses.get(0).hasStarted()).as("started comes first").isTrue();
        assertThat(exec.responses.get(0).getStarted().getPid()).isPositive();
        assertThat(exec.stdout()).isEqualTo("to-out\n");
        assertThat(exec.stderr()).isEqualTo("to-err\n");
        assertThat(exec.exitCode()).isEqualTo(7);
        assertThat(exec.responses.get(exec.responses.size() - 1).hasExit()).as("exit comes last").isTrue();
    }

    @Test
    void theCommandRunsAsTheTaskRunsAndHalfClosingEndsItsInput() {
        Exec exec = open(start("box-0", false, "sh", "-c", "echo env=$FROM_SPEC/$GANTRY_TASK_ID; echo dir=$(pwd); cat"));
        exec.send(ExecTaskRequest.newBuilder().setStdin(ByteString.copyFromUtf8("fed-through-stdin\n")).build());
        exec.awaitStdout("fed-through-stdin");
        exec.call.onCompleted();
        assertThat(exec.awaitEnd()).isNull();
        assertThat(exec.exitCode()).isZero();
        assertThat(exec.stdout()).contains("env=spec-value/box-0\n").contains("dir=" + core.tasks().running("ns", "",
                "box-0").request().workDir());
    }

    @Test
    void aTerminalHasTheAskedSizeTakesResizesAndMergesStderr() {
        Exec exec = open(start("box-0", true, "sh").toBuilder().setStart(start("box-0", true, "sh").getStart()
                .toBuilder().setCols(100).setRows(30)).build());
        exec.type("stty size; echo term=$TERM; echo oops >&2; echo done-$((1+1))\n");
        exec.awaitStdout("done-2");
        assertThat(exec.stdout()).contains("30 100").contains("term=xterm").contains("oops");
        assertThat(exec.stderr()).isEmpty();
        exec.send(ExecTaskRequest.newBuilder().setResize(ExecResize.newBuilder().setCols(123).setRows(45)).build());
        exec.type("stty size; echo done-$((1+2))\n");
        exec.awaitStdout("done-3");
        assertThat(exec.stdout()).contains("45 123");
        exec.send(ExecTaskRequest.newBuilder().setCloseStdin(ExecCloseStdin.getDefaultInstance()).build());
        exec.type("exit 4\n");
        assertThat(exec.awaitEnd()).isNull();
        assertThat(exec.exitCode()).as("close_stdin is ignored on a terminal: exit still came typed").isEqualTo(4);
    }

    @Test
    void refusalsLeaveAsTheirStatus() {
        assertThat(open(start("nope-0", false, "true")).awaitEnd()).extracting(ExecServiceTest::code)
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(open(start("box-0", false, "true").toBuilder().setStart(start("box-0", false, "true").getStart()
                .toBuilder().setContainerId("other")).build()).awaitEnd())
                .as("a task of another container").extracting(ExecServiceTest::code).isEqualTo(Status.Code.NOT_FOUND);
        Throwable missing = open(start("box-0", true, "/no/such/command")).awaitEnd();
        assertThat(code(missing)).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(missing).hasMessageContaining("/no/such/command");
        Throwable noName = open(start("box-0", false, "no-such-command-anywhere")).awaitEnd();
        assertThat(code(noName)).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(noName).hasMessageContaining("no-such-command-anywhere");

        Exec unnamespaced = new Exec(TasksGrpc.newStub(channel).withInterceptors(MetadataUtils
                .newAttachHeadersInterceptor(headers(null))));
        unnamespaced.send(start("box-0", false, "true"));
        assertThat(code(unnamespaced.awaitEnd())).isEqualTo(Status.Code.INVALID_ARGUMENT);

        tasks().kill(KillTaskRequest.newBuilder().setTaskId("box-0").setSignal(9).build());
        tasks().wait(WaitTaskRequest.newBuilder().setTaskId("box-0").build());
        Throwable stopped = open(start("box-0", false, "true")).awaitEnd();
        assertThat(code(stopped)).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(stopped).hasMessageContaining("not running");
        assertThat(core.execs().openSessions()).as("no refusal holds a session").isZero();
    }

    @Test
    void aSessionEndsWithItsTask() {
        Exec exec = open(start("box-0", false, "sh", "-c", "echo ready; exec cat"));
        exec.awaitStdout("ready");
        tasks().kill(KillTaskRequest.newBuilder().setTaskId("box-0").setSignal(9).build());
        assertThat(exec.awaitEnd()).isNull();
        assertThat(exec.exitCode()).as("killed with the task").isEqualTo(128 + 9);
        awaitTrue(() -> core.execs().openSessions() == 0);
    }

    @Test
    void aRawTaskReadoptedByAnAgentWithoutRawTakesNoExec() throws Exception {
        agent.close(false);
        serve(AgentOptions.loopback(0, TOKEN, dataDir).withRaw(false));

        Throwable refused = open(start("box-0", false, "true")).awaitEnd();
        assertThat(code(refused)).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(refused).hasMessageContaining("runtime 'raw' is not available");
    }

    @Test
    void pastTheCapASessionIsRefusedUntilOneCloses() {
        List<Exec> open = new ArrayList<>();
        for (int i = 0; i < ExecSessions.MAX_OPEN; i++) {
            Exec exec = open(start("box-0", false, "cat"));
            exec.awaitStarted();
            open.add(exec);
        }
        assertThat(core.execs().openSessions()).isEqualTo(ExecSessions.MAX_OPEN);
        Throwable refused = open(start("box-0", false, "true")).awaitEnd();
        assertThat(code(refused)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused).hasMessageContaining(ExecSessions.MAX_OPEN + " exec sessions open");

        open.remove(0).call.cancel("done with it", null);
        awaitTrue(() -> core.execs().openSessions() == ExecSessions.MAX_OPEN - 1);
        Exec again = open(start("box-0", false, "true"));
        assertThat(again.awaitEnd()).isNull();
        assertThat(again.exitCode()).isZero();

        open.forEach(e -> e.call.onCompleted());
        open.forEach(Exec::awaitEnd);
        awaitTrue(() -> core.execs().openSessions() == 0);
    }

    @Test
    void cancellingKillsTheCommandAndWhatItStarted() {
        Exec exec = open(start("box-0", false, "sh", "-c",
                "sleep 600 & echo child=$!; setsid sleep 601 & echo escaped=$!; echo ready; wait"));
        exec.awaitStdout("ready");
        List<Long> pids = new ArrayList<>(List.of(exec.responses.get(0).getStarted().getPid()));
        Matcher m = Pattern.compile("(?:child|escaped)=(\\d+)").matcher(exec.stdout());
        while (m.find()) {
            pids.add(Long.parseLong(m.group(1)));
        }
        assertThat(pids).hasSize(3).allSatisfy(pid -> assertThat(Proc.stat(pid)).isPresent());

        exec.call.cancel("closed by the test", null);
        awaitTrue(() -> pids.stream().noneMatch(pid -> Proc.stat(pid).filter(Proc.Stat::running).isPresent()));
        awaitTrue(() -> core.execs().openSessions() == 0);
    }

    private ExecTaskRequest start(String taskId, boolean tty, String... argv) {
        return ExecTaskRequest.newBuilder().setStart(ExecStart.newBuilder().setTaskId(taskId).addAllArgs(List.of(argv))
                .setTty(tty)).build();
    }

    private Exec open(ExecTaskRequest start) {
        Exec exec = new Exec(with(TasksGrpc.newStub(channel)));
        exec.send(start);
        return exec;
    }

    /** One Tasks.Exec call as a test sees it: every answer kept, with the waits. */
    private static final class Exec implements ClientResponseObserver<ExecTaskRequest, ExecTaskResponse> {
        final List<ExecTaskResponse> responses = new CopyOnWriteArrayList<>();
        final java.util.concurrent.CompletableFuture<Throwable> end = new java.util.concurrent.CompletableFuture<>();
        ClientCallStreamObserver<ExecTaskRequest> call;

        Exec(TasksGrpc.TasksStub stub) {
            stub.exec(this);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ExecTaskRequest> requests) {
            call = requests;
        }

        @Override
        public void onNext(ExecTaskResponse response) {
            responses.add(response);
        }

        @Override
        public void onError(Throwable t) {
            end.complete(t);
        }

        @Override
        public void onCompleted() {
            end.complete(null);
        }

        synchronized void send(ExecTaskRequest request) {
            call.onNext(request);
        }

        void type(String text) {
            send(ExecTaskRequest.newBuilder().setStdin(ByteString.copyFromUtf8(text)).build());
        }

        /** @return the call's error, or null when it completed */
        Throwable awaitEnd() {
            try {
                return end.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("the exec did not end; stdout '" + stdout() + "'", e);
            }
        }

        void awaitStarted() {
            awaitTrue(() -> !responses.isEmpty() && responses.get(0).hasStarted());
        }

        void awaitStdout(String text) {
            RecordingListener.await("'" + text + "' on stdout", WAIT, () -> stdout().contains(text));
        }

        String stdout() {
            return stream(false);
        }

        String stderr() {
            return stream(true);
        }

        int exitCode() {
            return responses.stream().filter(ExecTaskResponse::hasExit).findFirst().orElseThrow().getExit().getCode();
        }

        private String stream(boolean stderr) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            responses.stream().filter(ExecTaskResponse::hasOutput).filter(r -> r.getOutput().getStderr() == stderr)
                    .forEach(r -> out.writeBytes(r.getOutput().getData().toByteArray()));
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private ContainersGrpc.ContainersBlockingStub containers() {
        return with(ContainersGrpc.newBlockingStub(channel)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private TasksGrpc.TasksBlockingStub tasks() {
        return with(TasksGrpc.newBlockingStub(channel)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static <S extends AbstractStub<S>> S with(S stub) {
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers("ns")));
    }

    private static Metadata headers(String namespace) {
        Metadata headers = new Metadata();
        headers.put(TokenInterceptor.AUTHORIZATION, "Bearer " + TOKEN);
        if (namespace != null) {
            headers.put(NamespaceInterceptor.HEADER, namespace);
        }
        return headers;
    }

    private static Status.Code code(Throwable e) {
        return e instanceof StatusRuntimeException s ? s.getStatus().getCode() : null;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        RecordingListener.await("the condition met", WAIT, condition);
    }
}
