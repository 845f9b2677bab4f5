package io.gantry.kubernetes;

import io.gantry.spi.Capability;
import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import io.gantry.spi.exec.ExecListener;
import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.exec.ExecSession;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * One exec in a pod: a WebSocket on {@code pods/exec} speaking {@link ExecChannels}. OkHttp's reader thread delivers
 * the output and the end to the {@link ExecListener} in order; writes, resizes and closes may come from any thread.
 *
 * <p>An OkHttp listener of its own rather than client-java's {@code WebSockets.Listener}: that one drops the answer
 * of a refused upgrade, whose Status says why (404: the pod is gone, 403: no {@code create} on {@code pods/exec}).
 */
final class PodExecSession extends WebSocketListener implements ExecSession {
    /** Stdin held in OkHttp's queue before {@link #write} waits: OkHttp fails a socket whose queue passes 16 MiB. */
    private static final long MAX_QUEUED = 1L << 20;
    private static final int MAX_FRAME = 32 * 1024;

    private final String nativeId;
    private final ExecTarget target;
    private final String command;
    private final boolean tty;
    private final ExecListener listener;
    private final Duration timeout;
    private final Runnable onEnd;
    private final CompletableFuture<String> opened = new CompletableFuture<>();
    private final Object deliveries = new Object();
    private final CountDownLatch endDelivered = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once the ending call was made (or, for a start that failed, suppressed): nothing reaches the listener after. */
    private volatile boolean ended;
    private volatile WebSocket socket;
    private volatile String protocol;
    private volatile Thread reader;

    private PodExecSession(String nativeId, ExecTarget target, ExecRequest request, ExecListener listener,
                           Duration timeout, Runnable onEnd) {
        this.nativeId = nativeId;
        this.target = target;
        this.command = request.command().get(0);
        this.tty = request.tty();
        this.listener = listener;
        this.timeout = timeout;
        this.onEnd = onEnd;
    }

    /**
     * Starts the exec and returns once the API server upgraded the connection (within {@code timeout}), with the
     * terminal's size sent first; {@code onEnd} runs after the listener's ending call.
     */
    static PodExecSession open(KubernetesApi api, String nativeId, ExecTarget target, ExecRequest request,
                               ExecListener listener, Duration timeout, Runnable onEnd) {
        PodExecSession session = new PodExecSession(nativeId, target, request, listener, timeout, onEnd);
        try {
            session.socket = api.exec(target, request, session);
        } catch (ApiException e) {
            throw KubernetesErrors.toException(e, null);
        } catch (RuntimeException e) {
            throw KubernetesErrors.unexpected(e);
        }
        try {
            session.protocol = session.opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            session.abandon();
            throw new EngineUnavailableException("the API server did not start the exec in pod " + target.pod()
                    + " within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            session.abandon();
            throw (EngineException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.abandon();
            throw new EngineUnavailableException("interrupted while starting an exec", e);
        }
        if (request.tty()) {
            session.resize(request.cols(), request.rows());
        }
        return session;
    }

    /** A start that failed: the caller gets the exception, so the listener gets nothing. */
    private void abandon() {
        ended = true;
        endDelivered.countDown();
        socket.cancel();
        onEnd.run();
    }

    /** The channel protocol the API server chose. */
    String protocol() {
        return protocol;
    }

    @Override
    public void write(byte[] stdin) {
        for (int from = 0; from < stdin.length && !ended; from += MAX_FRAME) {
            awaitRoom();
            byte[] chunk = Arrays.copyOfRange(stdin, from, Math.min(stdin.length, from + MAX_FRAME));
            // false: the socket is closing, and its end reaches the listener; what was typed after has nowhere to go
            socket.send(ByteString.of(ExecChannels.frame(ExecChannels.STDIN, chunk)));
        }
    }

    private void awaitRoom() {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (socket.queueSize() > MAX_QUEUED && !ended) {
            if (System.nanoTime() > deadline) {
                throw new EngineUnavailableException("the API server has not read the exec's stdin for "
                        + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineUnavailableException("interrupted while writing to an exec", e);
            }
        }
    }

    @Override
    public void closeStdin() {
        if (!ExecChannels.V5.equals(protocol)) {
            throw new UnsupportedCapabilityException(Capability.EXEC, "this API server speaks " + protocol
                    + ", which cannot end stdin without ending the session (newer API servers speak " + ExecChannels.V5
                    + ", which can): send ^D on a terminal, or close the session");
        }
        if (!ended) {
            socket.send(ByteString.of(ExecChannels.closeStdin()));
        }
    }

    @Override
    public void resize(int cols, int rows) {
        if (cols < 1 || rows < 1) {
            throw new IllegalArgumentException("a terminal needs at least one column and one row");
        }
        if (tty && !ended) {
            socket.send(ByteString.of(ExecChannels.resize(cols, rows)));
        }
    }

    /**
     * Kubernetes cannot kill an exec: closing the WebSocket closes its streams (a shell on a terminal gets its hang-up).
     * The API server may still send the exit status before it closes too; when it has not within the timeout, the
     * connection is dropped and the listener told that no code came. Waits for that end, except on OkHttp's reader
     * thread (a listener closing from its callback), which must go on to read it.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ended) {
            socket.close(1000, null);
            return;
        }
        socket.close(1000, "closed by Gantry");
        if (Thread.currentThread() == reader) {
            return;
        }
        try {
            if (!endDelivered.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                socket.cancel();
                end(new ExecChannels.Failed(noStatus("it was closed")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.cancel();
            end(new ExecChannels.Failed(noStatus("it was closed")));
        }
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        reader = Thread.currentThread();
        String chosen = response.header("Sec-WebSocket-Protocol");
        if (ExecChannels.V5.equals(chosen) || ExecChannels.V4.equals(chosen)) {
            opened.complete(chosen);
        } else {
            opened.completeExceptionally(new UnsupportedCapabilityException(Capability.EXEC,
                    "the API server speaks neither " + ExecChannels.V5 + " nor " + ExecChannels.V4 + " for exec (it chose '"
                            + chosen + "')"));
        }
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        reader = Thread.currentThread();
        if (opened.isCompletedExceptionally()) {
            // a protocol this class does not speak: the start fails, and the listener hears nothing
            return;
        }
        if (bytes.size() < 2) {
            // the server's first message on a stream is empty, to say it is established
            return;
        }
        byte[] data = bytes.substring(1).toByteArray();
        switch (bytes.getByte(0) & 0xff) {
            case ExecChannels.STDOUT -> output(data, false);
            case ExecChannels.STDERR -> output(data, true);
            case ExecChannels.ERROR -> end(ExecChannels.outcome(new String(data, StandardCharsets.UTF_8), command, target.pod()));
            default -> {
                // no other channel carries anything from the server
            }
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(1000, null);
        end(new ExecChannels.Failed(noStatus(closed.get() ? "it was closed" : "the API server closed it (" + code + ")")));
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        end(new ExecChannels.Failed(noStatus("the API server closed it (" + code + ")")));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        if (!opened.isDone()) {
            opened.completeExceptionally(refusal(t, response));
            return;
        }
        end(new ExecChannels.Failed(closed.get() ? noStatus("it was closed")
                : new EngineUnavailableException("the connection to the API server broke during the exec in pod "
                        + target.pod() + ": " + t.getMessage(), t)));
    }

    private EngineException noStatus(String why) {
        return new EngineUnavailableException("the exec in pod " + target.pod() + " ended without an exit status: " + why);
    }

    /** Why the upgrade was refused: the API server's Status, as for any other call, but about this pod. */
    private EngineException refusal(Throwable t, Response response) {
        if (response == null || response.code() == 101) {
            return new EngineUnavailableException("the API server did not start the exec: " + t.getMessage(), t);
        }
        String body;
        try {
            body = response.peekBody(64 * 1024).string();
        } catch (IOException e) {
            body = null;
        }
        V1Status status = KubernetesErrors.statusOf(body);
        return switch (response.code()) {
            case 404 -> new WorkloadNotFoundException(nativeId + "/" + target.pod());
            // the API server's and kubelet's word for a pod or container that cannot take an exec now
            case 400 -> new EngineConflictException("pod " + target.pod() + " cannot run a command: "
                    + KubernetesErrors.message(400, status));
            default -> KubernetesErrors.toException(new ApiException(response.message(), response.code(),
                    response.headers().toMultimap(), body), null);
        };
    }

    private void output(byte[] data, boolean stderr) {
        synchronized (deliveries) {
            if (!ended) {
                listener.onOutput(data, stderr);
            }
        }
    }

    /** The one ending call; the socket is closed with it (the server's status came last, or it broke). */
    private void end(ExecChannels.Outcome outcome) {
        synchronized (deliveries) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                if (outcome instanceof ExecChannels.Exited exited) {
                    listener.onExit(exited.code());
                } else {
                    listener.onFailure(((ExecChannels.Failed) outcome).failure());
                }
            } finally {
                endDelivered.countDown();
                onEnd.run();
            }
        }
        WebSocket open = socket;
        if (open != null) {
            open.close(1000, null);
        }
    }
}
