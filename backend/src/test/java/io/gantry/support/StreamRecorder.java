package io.gantry.support;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Records the lines of a text/event-stream response in the background. */
public final class StreamRecorder implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;

    public StreamRecorder(Api api, String path) {
        response = api.http().sendAsync(api.request(path).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            try (Stream<String> body = r.body()) {
                body.forEach(lines::add);
            } catch (RuntimeException closed) {
                // the test closed the stream
            }
        });
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public int status() throws Exception {
        return response.get(5, TimeUnit.SECONDS).statusCode();
    }

    /** The data line following each {@code event:<name>} line seen so far. */
    public List<String> data(String event) {
        List<String> all = lines();
        List<String> data = new java.util.ArrayList<>();
        for (int i = 0; i < all.size() - 1; i++) {
            if (all.get(i).equals("event:" + event)) {
                data.add(all.get(i + 1));
            }
        }
        return data;
    }

    @Override
    public void close() {
        response.thenAccept(r -> r.body().close());
        response.cancel(true);
    }
}
