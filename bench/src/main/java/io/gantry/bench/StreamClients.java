package io.gantry.bench;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many clients of the live stream ({@code GET /api/v1/stream}) at once, as many browsers would be: each an HTTP/1.1
 * connection of its own, read without a thread of its own (one {@link HttpClient} reads them all). Every client
 * notes when (epoch milliseconds, the clock the change was stamped with) an event's data first carried each key
 * the benchmark {@link #watch watches for}, so that the time a change took to reach each of them can be read.
 */
final class StreamClients implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Client> clients = new ArrayList<>();
    private final List<CompletableFuture<HttpResponse<Void>>> requests = new ArrayList<>();
    private final List<Pattern> watched = new CopyOnWriteArrayList<>();
    private final AtomicInteger ended = new AtomicInteger();

    /** Opens {@code count} streams and waits (at most {@code timeout}) until each has said it is connected. */
    static StreamClients open(GantryServer server, int count, Duration timeout) throws InterruptedException {
        StreamClients streams = new StreamClients();
        CountDownLatch connected = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            streams.requests.add(server.stream(streams.http, streams.client(connected)));
        }
        if (!connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            streams.close();
            throw new IllegalStateException((count - connected.getCount()) + " of " + count
                    + " live streams connected within " + timeout + " (" + streams.ended.get() + " ended)");
        }
        return streams;
    }

    /** A new client, not yet connected to anything: {@link #open} hands it to a stream's request. */
    Flow.Subscriber<String> client(CountDownLatch connected) {
        Client c = new Client(connected);
        clients.add(c);
        return c;
    }

    int size() {
        return clients.size();
    }

    /** Streams that ended (the server dropped them or they failed) since they were opened. */
    int ended() {
        return ended.get();
    }

    /** From now on every client notes the arrival of each value of group 1 of {@code key} in an event's data. */
    void watch(Pattern key) {
        watched.add(key);
    }

    /**
     * Each client's first arrival of {@code key} at or after {@code sinceMillis} minus {@code changedMillis}: the
     * milliseconds the change took to reach it (negative when it came before {@code changedMillis}); clients it has
     * not reached are left out.
     */
    List<Long> delays(String key, long sinceMillis, long changedMillis) {
        List<Long> delays = new ArrayList<>();
        for (Client c : clients) {
            List<Long> arrivals = c.arrivals.get(key);
            if (arrivals != null) {
                arrivals.stream().filter(t -> t >= sinceMillis).min(Long::compare)
                        .ifPresent(t -> delays.add(t - changedMillis));
            }
        }
        return delays;
    }

    /** How many clients {@code key} has reached at or after {@code sinceMillis}. */
    int reached(String key, long sinceMillis) {
        return (int) clients.stream().filter(c -> {
            List<Long> arrivals = c.arrivals.get(key);
            return arrivals != null && arrivals.stream().anyMatch(t -> t >= sinceMillis);
        }).count();
    }

    /** The last few events (name and the start of the data) the first client received, for a failure's message. */
    String recent() {
        return clients.isEmpty() ? "(no clients)" : String.join(" | ", clients.get(0).recent);
    }

    @Override
    public void close() {
        requests.forEach(r -> r.cancel(true));
        clients.forEach(Client::cancel);
    }

    private final class Client implements Flow.Subscriber<String> {
        private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();
        private final CountDownLatch connected;
        private final Deque<String> recent = new ConcurrentLinkedDeque<>();
        private volatile Flow.Subscription subscription;
        private boolean first = true;

        Client(CountDownLatch connected) {
            this.connected = connected;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            long now = System.currentTimeMillis();
            if (first) {
                first = false;
                connected.countDown();
            }
            if (line.startsWith("event:") || line.startsWith("data:")) {
                recent.addLast(line.length() > 160 ? line.substring(0, 160) + "..." : line);
                while (recent.size() > 6) {
                    recent.pollFirst();
                }
            }
            if (!line.startsWith("data:")) {
                return;
            }
            for (Pattern p : watched) {
                Matcher m = p.matcher(line);
                while (m.find()) {
                    arrivals.computeIfAbsent(m.group(1), k -> new CopyOnWriteArrayList<>()).add(now);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            ended.incrementAndGet();
        }

        @Override
        public void onComplete() {
            ended.incrementAndGet();
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
