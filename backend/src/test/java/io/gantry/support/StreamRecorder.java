package io.gantry.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Records the lines of a text/event-stream response on a background thread until closed. */
public final class StreamRecorder implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final CompletableFuture<HttpResponse<InputStream>> response;
    private volatile boolean ended;

    public StreamRecorder(Api api, String path) {
        this(api, path, IntegrationTest.ADMIN_TOKEN);
    }

    /** Subscribes with another user's bearer token. */
    public StreamRecorder(Api api, String path, String token) {
        response = api.http().sendAsync(api.request(path).setHeader("Authorization", "Bearer " + token)
                        .header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(this::read, "stream-recorder");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.get(10, TimeUnit.SECONDS).body(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (Exception closed) {
            // closed by the test, or the server ended the stream
        }
        ended = true;
    }

    /** Whether the stream has ended (the server completed it, or the test closed it). */
    public boolean ended() {
        return ended;
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public int status() throws Exception {
        return response.get(5, TimeUnit.SECONDS).statusCode();
    }

    /** The data line following each {@code event:<name>} line seen so far. */
    public List<String> data(String event) {
        List<String> all = lines();
        List<String> data = new ArrayList<>();
        for (int i = 0; i < all.size() - 1; i++) {
            if (all.get(i).equals("event:" + event)) {
                data.add(all.get(i + 1));
            }
        }
        return data;
    }

    /** Closes the connection, so that the server drops this subscriber at its next write. */
    @Override
    public void close() throws IOException {
        if (response.isDone() && !response.isCompletedExceptionally()) {
            response.join().body().close();
        } else {
            response.cancel(true);
        }
    }
}
