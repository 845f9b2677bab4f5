package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.gantry.agent.api.v1.ExecExit;
import io.gantry.agent.api.v1.ExecOutput;
import io.gantry.agent.api.v1.ExecStarted;
import io.gantry.agent.api.v1.ExecTaskRequest;
import io.gantry.agent.api.v1.ExecTaskResponse;
import io.gantry.agent.api.v1.TasksGrpc;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.RecordingListener;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.exec.ExecRecorder;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the adapter turns the agent's Exec stream into the port's session, against a scripted agent on loopback. */
class AgentExecTest {
    /** Generous: a cold JVM's first exec (Netty and gRPC classes loading on a busy machine) took over 3 s in CI. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** The start deadline of the tests about it; {@link #warmUp()} ran an exec before, so one second is plenty. */
    private static final Duration START_DEADLINE = Duration.ofSeconds(1);
    private static final ExecRequest SH = ExecRequest.terminal(List.of("sh"), 80, 24);

    private Server server;
    private EngineClient client;
    /** What the scripted agent received. */
    private final List<ExecTaskRequest> received = new CopyOnWriteArrayList<>();

    /** One exec round trip before any test, so that the deadline tests time the call, not class loading. */
    @BeforeAll
    static void warmUp() {
        AgentExecTest warming = new AgentExecTest();
        warming.agent(answers -> answers.onNext(started()));
        try (ExecSession ignored = warming.client.exec("ns/web", "web-0", SH, new ExecRecorder())) {
            assertThat(warming.received).isNotEmpty();
        } finally {
            warming.stop();
        }
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.shutdownNow();
    }

    @Test
    void startCarriesTheTaskAndTheTerminalThenOutputAndExitReachTheListener() {
        agent(answers -> {
            answers.onNext(started());
            answers.onNext(ExecTaskResponse.newBuilder().setOutput(ExecOutput.newBuilder()
                    .setData(ByteString.copyFromUtf8("to-err")).setStderr(true)).build());
            answers.onNext(ExecTaskResponse.newBuilder().setExit(ExecExit.newBuilder().setCode(137)).build());
            answers.onCompleted();
        });
        ExecRecorder out = new ExecRecorder();
        try (ExecSession ignored = client.exec("ns/web", "web-0", ExecRequest.terminal(List.of("sh", "-l"), 100, 30), out)) {
            assertThat(out.awaitExit()).isEqualTo(137);
        }
        assertThat(out.stderr()).isEqualTo("to-err");
        assertThat(received.get(0).getStart().getTaskId()).isEqualTo("web-0");
        assertThat(received.get(0).getStart().getContainerId()).isEqualTo("web");
        assertThat(received.get(0).getStart().getArgsList()).containsExactly("sh", "-l");
        assertThat(received.get(0).getStart().getTty()).isTrue();
        assertThat(received.get(0).getStart().getCols()).isEqualTo(100);
        assertThat(received.get(0).getStart().getRows()).isEqualTo(30);
    }

    @Test
    void refusedStartsBecomeThePortsExceptions() {
        agent(answers -> answers.onError(Status.INVALID_ARGUMENT
                .withDescription("command '/no/such' does not exist or is not executable").asRuntimeException()));
        assertThatThrownBy(() -> client.exec("ns/web", "web-0", SH, new ExecRecorder()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors())
                        .singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("command")))
                .hasMessageContaining("/no/such");
        stop();

        agent(answers -> answers.onError(Status.RESOURCE_EXHAUSTED
                .withDescription("this agent has 32 exec sessions open, as many as it allows").asRuntimeException()));
        assertThatThrownBy(() -> client.exec("ns/web", "web-0", SH, new ExecRecorder()))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("32 exec sessions open");
        stop();

        agent(answers -> answers.onError(Status.FAILED_PRECONDITION.withDescription("task 'web-0' is not running")
                .asRuntimeException()));
        assertThatThrownBy(() -> client.exec("ns/web", "web-0", SH, new ExecRecorder()))
                .isInstanceOf(EngineConflictException.class).hasMessageContaining("not running");
        stop();

        agent(answers -> answers.onError(Status.NOT_FOUND.withDescription("no task").asRuntimeException()));
        assertThatThrownBy(() -> client.exec("ns/web", "web-9", SH, new ExecRecorder()))
                .isInstanceOf(WorkloadNotFoundException.class);
        assertThatThrownBy(() -> client.exec("not-a-native-id", "web-0", SH, new ExecRecorder()))
                .isInstanceOf(WorkloadNotFoundException.class);
    }

    @Test
    void anAgentWithoutExecIsAnUnsupportedCapability() {
        start(new TasksGrpc.TasksImplBase() {
        });
        assertThatThrownBy(() -> client.exec("ns/web", "web-0", SH, new ExecRecorder()))
                .isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                        e -> assertThat(e.capability()).isEqualTo(Capability.EXEC));
    }

    @Test
    void onlyTheStartHasADeadline() {
        agent(answers -> {
            // never says started
        }, START_DEADLINE);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.exec("ns/web", "web-0", SH, new ExecRecorder()))
                .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("did not start the exec");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(START_DEADLINE, START_DEADLINE.multipliedBy(10));
    }

    @Test
    void anAgentThatDoesNotAnswerIsUnavailable() throws Exception {
        agent(answers -> answers.onNext(started()));
        int port = server.getPort();
        stop();
        client = new AgentEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "gone",
                "grpc://127.0.0.1:" + port, Map.of(), Map.of("token", "t"), Map.of(), Duration.ofSeconds(1)));
        assertThatThrownBy(() -> client.exec("ns/web", "web-0", SH, new ExecRecorder()))
                .isInstanceOf(EngineUnavailableException.class);
    }

    @Test
    void aStreamBrokenAfterTheStartIsTheOneFailureAndClosingTheSessionCancelsIt() throws Exception {
        agent(answers -> answers.onNext(started()), START_DEADLINE);
        ExecRecorder out = new ExecRecorder();
        ExecSession session = client.exec("ns/web", "web-0", SH, out);
        // the session outlives the start deadline (1 s) by far: a console stays open as long as its user wants
        Thread.sleep(1500);
        session.write("x".getBytes());
        session.resize(120, 40);
        RecordingListener.await("stdin and resize at the agent", Duration.ofSeconds(5), () -> received.size() == 3);
        session.close();
        out.awaitEnd();
        assertThat(out.failure()).isInstanceOf(EngineUnavailableException.class).hasMessageContaining("closed");
        session.write("after the end".getBytes());
        session.close();
        Thread.sleep(200);
        assertThat(received).extracting(ExecTaskRequest::getMessageCase)
                .containsExactly(ExecTaskRequest.MessageCase.START, ExecTaskRequest.MessageCase.STDIN,
                        ExecTaskRequest.MessageCase.RESIZE);
    }

    /** A scripted agent: {@code onStart} gets the answer stream once the client's start arrived. */
    private void agent(Consumer<StreamObserver<ExecTaskResponse>> onStart) {
        agent(onStart, CALL_TIMEOUT);
    }

    private void agent(Consumer<StreamObserver<ExecTaskResponse>> onStart, Duration callTimeout) {
        start(new TasksGrpc.TasksImplBase() {
            @Override
            public StreamObserver<ExecTaskRequest> exec(StreamObserver<ExecTaskResponse> answers) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(ExecTaskRequest request) {
                        received.add(request);
                        if (request.hasStart()) {
                            onStart.accept(answers);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                };
            }
        }, callTimeout);
    }

    private void start(BindableService tasks) {
        start(tasks, CALL_TIMEOUT);
    }

    /** The scripted agent and a client whose calls (an exec's start among them) have this timeout. */
    private void start(BindableService tasks, Duration callTimeout) {
        received.clear();
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(tasks).build().start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        client = new AgentEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "scripted",
                "grpc://127.0.0.1:" + server.getPort(), Map.of(), Map.of("token", "t"), Map.of(), callTimeout));
    }

    private static ExecTaskResponse started() {
        return ExecTaskResponse.newBuilder().setStarted(ExecStarted.newBuilder().setPid(42)).build();
    }
}
