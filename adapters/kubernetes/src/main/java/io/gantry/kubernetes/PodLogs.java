package io.gantry.kubernetes;

import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Subscription;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Response;

/**
 * Pod logs read with {@code timestamps=true}: the kubelet prefixes each line with its RFC 3339
 * time, which is what lets lines of several pods be merged in order. The log endpoint mixes
 * stdout and stderr, so every line is reported as {@code stdout}.
 */
final class PodLogs {
    private PodLogs() {
    }

    static List<LogLine> parse(String pod, String text) {
        List<LogLine> lines = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return lines;
        }
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(line(pod, line));
            }
        }
        return lines;
    }

    static LogLine line(String pod, String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        int space = line.indexOf(' ');
        if (space > 0) {
            try {
                return new LogLine(Instant.parse(line.substring(0, space)), pod, "stdout", line.substring(space + 1));
            } catch (DateTimeParseException notATimestamp) {
                // a line without the prefix (an old kubelet or a proxy): keep it whole
            }
        }
        return new LogLine(null, pod, "stdout", line);
    }

    /** Lines of several pods in time order; lines without a time keep their place after the timed ones. */
    static List<LogLine> merge(List<LogLine> lines) {
        List<LogLine> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparing(LogLine::time, Comparator.nullsLast(Comparator.naturalOrder())));
        return sorted;
    }

    static Follow follow(KubernetesApi api, String namespace, List<V1Pod> pods, String container, int tail, LogSink sink) {
        Follow follow = new Follow(sink, pods.size());
        if (pods.isEmpty()) {
            follow.finish(null);
            return follow;
        }
        for (V1Pod pod : pods) {
            String name = pod.getMetadata().getName();
            Call call;
            try {
                call = api.followPodLog(namespace, name, container, tail);
            } catch (ApiException e) {
                follow.close();
                throw KubernetesErrors.toException(e, null);
            }
            follow.calls.add(call);
            Thread reader = new Thread(() -> follow.read(name, call), "gantry-k8s-logs-" + name);
            reader.setDaemon(true);
            reader.start();
        }
        return follow;
    }

    /** One followed log per pod; ends when every stream ended, or on the first failure, or on close. */
    static final class Follow implements Subscription {
        private final LogSink sink;
        private final AtomicInteger running;
        private final List<Call> calls = new CopyOnWriteArrayList<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        private Follow(LogSink sink, int streams) {
            this.sink = sink;
            this.running = new AtomicInteger(streams);
        }

        private void read(String pod, Call call) {
            try (Response response = call.execute()) {
                if (!response.isSuccessful()) {
                    String body = response.body() == null ? "" : response.body().string();
                    var status = KubernetesErrors.statusOf(body);
                    failure.compareAndSet(null, status != null ? KubernetesErrors.toException(status, null)
                            : new IOException("HTTP " + response.code() + " following the log of " + pod));
                } else if (response.body() != null) {
                    try (BufferedReader reader = new BufferedReader(response.body().charStream())) {
                        String raw;
                        while (!closed.get() && (raw = reader.readLine()) != null) {
                            sink.onLine(line(pod, raw));
                        }
                    }
                }
            } catch (IOException e) {
                if (!closed.get()) {
                    failure.compareAndSet(null, e);
                }
            }
            if (running.decrementAndGet() == 0 || failure.get() != null) {
                finish(failure.get());
            }
        }

        private void finish(Throwable cause) {
            if (ended.compareAndSet(false, true)) {
                sink.onEnd(cause);
                calls.forEach(Call::cancel);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                calls.forEach(Call::cancel);
                finish(null);
            }
        }
    }
}
