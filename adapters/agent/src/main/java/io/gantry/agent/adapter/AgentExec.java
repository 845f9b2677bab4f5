package io.gantry.agent.adapter;

import com.google.protobuf.ByteString;
import io.gantry.agent.api.v1.ExecCloseStdin;
import io.gantry.agent.api.v1.ExecResize;
import io.gantry.agent.api.v1.ExecStart;
import io.gantry.agent.api.v1.ExecTaskRequest;
import io.gantry.agent.api.v1.ExecTaskResponse;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An exec over the agent's {@code Tasks.Exec} stream. Only the start has a deadline (the call timeout): a console
 * lives as long as its user keeps it. The listener hears gRPC's callbacks, which come one at a time for a call;
 * the first of exit, failure or the end of the call is its one ending call.
 */
final class AgentExec implements ExecSession {
    private final String engine;
    private final String nativeId;
    private final ExecListener listener;
    private final Duration timeout;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object sending = new Object();
    private ClientCallStreamObserver<ExecTaskRequest> call;

    private AgentExec(String engine, String nativeId, ExecListener listener, Duration timeout) {
        this.engine = engine;
        this.nativeId = nativeId;
        this.listener = listener;
        this.timeout = timeout;
    }

    /**
     * Starts {@code request} in task {@code taskId} of container {@code containerId} and returns once the agent runs it.
     *
     * @throws io.gantry.spi.WorkloadNotFoundException no such task of that container
     * @throws EngineConflictException                 the task does not run, or the agent has too many sessions open
     * @throws InvalidSpecException                    naming {@code command} when it cannot start there
     * @throws EngineUnavailableException              when the agent does not start it within the call timeout
     */
    static ExecSession start(AgentStubs stubs, String engine, String nativeId, String namespace, String containerId,
                             String taskId, ExecRequest request, ExecListener listener) {
        AgentExec exec = new AgentExec(engine, nativeId, listener, stubs.timeout());
        stubs.tasksStreaming(namespace).exec(exec.responses());
        long deadline = System.nanoTime() + exec.timeout.toNanos();
        try {
            if (!exec.send(ExecTaskRequest.newBuilder().setStart(ExecStart.newBuilder().setTaskId(taskId)
                    .setContainerId(containerId).addAllArgs(request.command()).setTty(request.tty())
                    .setCols(request.cols()).setRows(request.rows())).build())) {
                throw new TimeoutException();
            }
            exec.started.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exec.cancel("the exec did not start in time");
            throw new EngineUnavailableException("agent engine '" + engine + "' did not start the exec within "
                    + exec.timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw exec.startFailure(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exec.cancel("interrupted");
            throw new EngineUnavailableException("interrupted while starting an exec on agent engine '" + engine + "'", e);
        }
        return exec;
    }

    @Override
    public void write(byte[] stdin) {
        sendInput(ExecTaskRequest.newBuilder().setStdin(ByteString.copyFrom(stdin)).build());
    }

    @Override
    public void closeStdin() {
        sendInput(ExecTaskRequest.newBuilder().setCloseStdin(ExecCloseStdin.getDefaultInstance()).build());
    }

    @Override
    public void resize(int cols, int rows) {
        if (cols > 0 && rows > 0) {
            sendInput(ExecTaskRequest.newBuilder().setResize(ExecResize.newBuilder().setCols(cols).setRows(rows)).build());
        }
    }

    /** Cancels the call: the agent kills the command; the listener hears the exit if it came first, else a failure. */
    @Override
    public void close() {
        cancel("exec session closed");
    }

    private ClientResponseObserver<ExecTaskRequest, ExecTaskResponse> responses() {
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ExecTaskRequest> requests) {
                call = requests;
                requests.setOnReadyHandler(AgentExec.this::readyAgain);
            }

            @Override
            public void onNext(ExecTaskResponse response) {
                switch (response.getMessageCase()) {
                    case STARTED -> started.complete(null);
                    case OUTPUT -> {
                        if (!ended.get()) {
                            listener.onOutput(response.getOutput().getData().toByteArray(),
                                    response.getOutput().getStderr());
                        }
                    }
                    case EXIT -> {
                        if (ended.compareAndSet(false, true)) {
                            listener.onExit(response.getExit().getCode());
                        }
                    }
                    case MESSAGE_NOT_SET -> {
                        // an answer of a newer agent: nothing to tell
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                if (started.completeExceptionally(t)) {
                    return;
                }
                fail(closed.get()
                        ? new EngineUnavailableException("the exec session was closed before its command reported an"
                        + " exit code")
                        : t instanceof StatusRuntimeException s ? AgentErrors.map(s, engine, nativeId)
                        : new EngineUnavailableException("exec on agent engine '" + engine + "' broke: " + t, t));
            }

            @Override
            public void onCompleted() {
                if (started.completeExceptionally(new IllegalStateException("the agent ended the exec unstarted"))) {
                    return;
                }
                fail(new EngineUnavailableException("agent engine '" + engine + "' ended the exec without an exit code"));
            }
        };
    }

    private void fail(EngineException failure) {
        if (ended.compareAndSet(false, true)) {
            listener.onFailure(failure);
        }
    }

    /** Sends input; a session whose agent takes none for the call timeout is cancelled (and the listener told). */
    private void sendInput(ExecTaskRequest message) {
        if (!send(message)) {
            cancel("the agent did not take the exec's input in time");
            throw new EngineUnavailableException("agent engine '" + engine + "' did not take the exec's input within "
                    + timeout.toSeconds() + " s");
        }
    }

    /**
     * Sends one message, waiting (up to the call timeout) while the transport holds as much as it buffers, so that
     * a command that does not read its stdin slows its writer down instead of filling memory. Messages after the
     * session ended are dropped.
     *
     * @return false when the transport did not take it in time
     */
    private boolean send(ExecTaskRequest message) {
        synchronized (sending) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!call.isReady() && !closed.get() && !ended.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    sending.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return true;
                }
            }
            if (closed.get() || ended.get()) {
                return true;
            }
            try {
                call.onNext(message);
            } catch (IllegalStateException callOver) {
                // cancelled or completed meanwhile: the listener hears how it ended
            }
            return true;
        }
    }

    private void readyAgain() {
        synchronized (sending) {
            sending.notifyAll();
        }
    }

    private void cancel(String why) {
        if (closed.compareAndSet(false, true)) {
            call.cancel(why, null);
            readyAgain();
        }
    }

    /** How a refused start reaches the caller, as the port names each case. */
    private EngineException startFailure(Throwable cause) {
        if (!(cause instanceof StatusRuntimeException e)) {
            return new EngineUnavailableException("agent engine '" + engine + "' ended the exec before it started", cause);
        }
        String detail = EngineMessages.sanitize(e.getStatus().getDescription());
        return switch (e.getStatus().getCode()) {
            case INVALID_ARGUMENT -> InvalidSpecException.of("command", detail);
            case RESOURCE_EXHAUSTED -> new EngineConflictException("agent engine '" + engine + "' refused the exec: "
                    + detail, e);
            case UNIMPLEMENTED -> new UnsupportedCapabilityException(Capability.EXEC, "agent engine '" + engine
                    + "' runs an agent without exec: upgrade it");
            default -> AgentErrors.map(e, engine, nativeId);
        };
    }
}
