package io.gantry.agent.daemon;

import com.google.protobuf.ByteString;
import io.gantry.agent.api.v1.ExecExit;
import io.gantry.agent.api.v1.ExecOutput;
import io.gantry.agent.api.v1.ExecStart;
import io.gantry.agent.api.v1.ExecStarted;
import io.gantry.agent.api.v1.ExecTaskRequest;
import io.gantry.agent.api.v1.ExecTaskResponse;
import io.gantry.agent.exec.ExecCommand;
import io.gantry.agent.exec.ExecSessions;
import io.gantry.agent.exec.ExecSink;
import io.gantry.agent.exec.RunningExec;
import io.gantry.agent.task.AgentFailure;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * One {@code Tasks.Exec} call translated to an {@link ExecSessions} session: the client's messages become the
 * session's input, its output and exit become the answers. Answers are sent one at a time under this object's
 * monitor, and only while the transport takes them (output waits rather than piling up in memory). A cancelled call
 * (the client went away or closed the session) kills the command at once, even while a write to its stdin blocks.
 */
final class ExecStream implements StreamObserver<ExecTaskRequest>, ExecSink {
    private static final long READY_POLL_MILLIS = 100;

    private final ServerCallStreamObserver<ExecTaskResponse> call;
    private final ExecSessions sessions;
    private final String namespace;
    private volatile RunningExec exec;
    private boolean finished;

    private ExecStream(ServerCallStreamObserver<ExecTaskResponse> call, ExecSessions sessions, String namespace) {
        this.call = call;
        this.sessions = sessions;
        this.namespace = namespace;
    }

    /** Called in the service method: cancel and readiness handlers can only be set before it returns. */
    static StreamObserver<ExecTaskRequest> open(StreamObserver<ExecTaskResponse> observer, ExecSessions sessions) {
        ServerCallStreamObserver<ExecTaskResponse> call = (ServerCallStreamObserver<ExecTaskResponse>) observer;
        String namespace;
        try {
            namespace = Calls.namespace();
        } catch (RuntimeException e) {
            observer.onError(Calls.status(e));
            return new ExecStream(call, sessions, null);
        }
        ExecStream stream = new ExecStream(call, sessions, namespace);
        call.setOnReadyHandler(stream::readyAgain);
        // the context is cancelled as soon as the client cancels, not after a blocked message handler returns
        Context.current().addListener(cancelled -> stream.kill(), Runnable::run);
        return stream;
    }

    @Override
    public void onNext(ExecTaskRequest request) {
        RunningExec running = exec;
        switch (request.getMessageCase()) {
            case START -> start(request.getStart());
            case STDIN -> {
                if (running != null) {
                    running.write(request.getStdin().toByteArray());
                }
            }
            case CLOSE_STDIN -> {
                if (running != null) {
                    running.closeStdin();
                }
            }
            case RESIZE -> {
                if (running != null) {
                    running.resize(request.getResize().getCols(), request.getResize().getRows());
                }
            }
            case MESSAGE_NOT_SET -> {
                // a message of a newer client: nothing this agent knows to do
            }
        }
    }

    /** The client half-closed: it sends nothing more, which is the end of the command's input. */
    @Override
    public void onCompleted() {
        RunningExec running = exec;
        if (running != null) {
            running.closeStdin();
        }
    }

    @Override
    public void onError(Throwable cancelled) {
        kill();
    }

    @Override
    public synchronized void output(byte[] data, boolean stderr) {
        while (!call.isReady() && !call.isCancelled() && !finished) {
            try {
                wait(READY_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        send(ExecTaskResponse.newBuilder().setOutput(ExecOutput.newBuilder().setData(ByteString.copyFrom(data))
                .setStderr(stderr)).build());
    }

    @Override
    public synchronized void exit(int code) {
        send(ExecTaskResponse.newBuilder().setExit(ExecExit.newBuilder().setCode(code)).build());
        finish(null);
    }

    /** Starts the session under the monitor, so that {@code started} is answered before any output. */
    private synchronized void start(ExecStart start) {
        if (finished || namespace == null) {
            return;
        }
        if (exec != null) {
            finish(AgentFailure.invalid("the exec has started already: send start once"));
            return;
        }
        try {
            exec = sessions.start(namespace, start.getContainerId(), start.getTaskId(),
                    new ExecCommand(start.getArgsList(), start.getTty(), start.getCols(), start.getRows()), this);
        } catch (RuntimeException e) {
            finish(e);
            return;
        }
        send(ExecTaskResponse.newBuilder().setStarted(ExecStarted.newBuilder().setPid(exec.pid())).build());
        if (call.isCancelled()) {
            exec.kill();
        }
    }

    private synchronized void readyAgain() {
        notifyAll();
    }

    private void kill() {
        RunningExec running = exec;
        if (running != null) {
            running.kill();
        }
    }

    private void send(ExecTaskResponse response) {
        if (finished || call.isCancelled()) {
            return;
        }
        try {
            call.onNext(response);
        } catch (RuntimeException cancelledMeanwhile) {
            kill();
        }
    }

    /** Ends the call once: completed, or with {@code failure}'s status. */
    private void finish(RuntimeException failure) {
        if (finished) {
            return;
        }
        finished = true;
        notifyAll();
        if (call.isCancelled()) {
            return;
        }
        try {
            if (failure == null) {
                call.onCompleted();
            } else {
                call.onError(Calls.status(failure));
            }
        } catch (RuntimeException cancelledMeanwhile) {
            // the client is gone: nothing to answer
        }
    }
}
