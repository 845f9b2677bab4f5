package io.gantry.support;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * A client of the console WebSocket ({@code /api/v1/workloads/{id}/instances/{instance}/exec}) as a script would
 * use it: the JDK's WebSocket, keystrokes as binary frames, resizes as text frames; it keeps the output, the
 * server's text frames and the close code, with the waits tests need.
 */
public final class ConsoleClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final List<JsonNode> texts = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket socket;

    private ConsoleClient() {
    }

    /** A refused upgrade: the HTTP status and problem body the server answered instead of 101. */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final String body;

        Refused(int status, String body) {
            super("upgrade refused with " + status + ": " + body);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }

    /**
     * Opens a console.
     *
     * @param pathAndQuery e.g. {@code /api/v1/workloads/ID/instances/I/exec?cols=100&rows=30}
     * @param headers      {@code Authorization}, or {@code Cookie} and {@code Origin}
     * @throws Refused when the server answers the upgrade with a status other than 101
     */
    public static ConsoleClient open(int port, String pathAndQuery, Map<String, String> headers) {
        ConsoleClient client = new ConsoleClient();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        try {
            client.socket = builder.buildAsync(URI.create("ws://localhost:" + port + pathAndQuery), client.new Listener())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                Object body = refused.getResponse().body();
                throw new Refused(refused.getResponse().statusCode(), body == null ? "" : body.toString());
            }
            throw new IllegalStateException("console did not open", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("console did not open", e);
        }
        return client;
    }

    public static ConsoleClient open(int port, String pathAndQuery, String token) {
        return open(port, pathAndQuery, Map.of("Authorization", "Bearer " + token));
    }

    /** Sends keystrokes (one binary frame). */
    public void type(String text) {
        socket.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true).join();
    }

    public void sendText(String json) {
        socket.sendText(json, true).join();
    }

    public void resize(int cols, int rows) {
        sendText("{\"resize\":{\"cols\":" + cols + ",\"rows\":" + rows + "}}");
    }

    public synchronized String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /** The server's text frames so far ({@code {"exit": n}}, {@code {"error": ...}}, {@code {"notice": ...}}). */
    public List<JsonNode> texts() {
        return texts;
    }

    /** Waits until the output holds {@code text}. */
    public synchronized String awaitOutput(String text) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!output().contains(text)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed.isDone() && !output().contains(text)) {
                fail("expected '%s' in the console within %s; got '%s', texts %s, closed %s", text, WAIT, output(), texts,
                        closed.getNow(null));
            }
            try {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        return output();
    }

    /** Waits for the close and returns its status code. */
    public int awaitClose() {
        try {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the console did not close within " + WAIT + "; output '" + output() + "', texts "
                    + texts, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits for the close and returns the exit code the server sent before it. */
    public int awaitExit() {
        awaitClose();
        return texts.stream().filter(t -> t.has("exit")).findFirst()
                .orElseThrow(() -> new AssertionError("no {\"exit\"} frame before the close; texts " + texts))
                .get("exit").asInt();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
            } catch (CompletionException e) {
                // the server closed first
            }
            socket.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletableFuture<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            synchronized (ConsoleClient.this) {
                output.writeBytes(bytes);
                ConsoleClient.this.notifyAll();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletableFuture<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(Api.JSON.readTree(text.toString()));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletableFuture<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            synchronized (ConsoleClient.this) {
                closed.complete(statusCode);
                ConsoleClient.this.notifyAll();
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            synchronized (ConsoleClient.this) {
                closed.completeExceptionally(error);
                ConsoleClient.this.notifyAll();
            }
        }
    }
}
