package io.gantry.stream;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Fan-out of live updates to every {@code GET /api/v1/stream} subscriber. Publishing never blocks
 * the caller (a sync worker): events are written by one publisher thread, and a subscriber whose
 * connection fails is dropped. Events also reach the subscribers of the other replicas through the
 * {@link LiveRelay}, and theirs come in through it.
 */
@Component
public class LiveStream implements SmartLifecycle {
    public static final String WORKLOAD_UPDATED = "workload.updated";
    public static final String WORKLOAD_DELETED = "workload.deleted";
    public static final String ENGINE_STATUS = "engine.status";
    public static final String OPERATION_UPDATED = "operation.updated";

    private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
    static final long HEARTBEAT_SECONDS = 15;
    private static final long SUBSCRIPTION_TIMEOUT_MS = 60 * 60 * 1000L;

    private final List<SseEmitter> subscribers = new CopyOnWriteArrayList<>();
    private final List<RemoteListener> remoteListeners = new CopyOnWriteArrayList<>();
    private final Set<SseEmitter> otherStreams = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private final ExecutorService publisher;
    private final ScheduledExecutorService heartbeat;
    private final LiveRelay relay;

    LiveStream(LiveRelay relay) {
        this.relay = relay;
        relay.onReceive(this::publishLocally);
        CustomizableThreadFactory threads = new CustomizableThreadFactory("live-stream-");
        threads.setDaemon(true);
        publisher = Executors.newSingleThreadExecutor(threads);
        heartbeat = Executors.newSingleThreadScheduledExecutor(threads);
        heartbeat.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    /** Whether anyone, here or on another replica, may want an event. */
    public boolean hasSubscribers() {
        return !subscribers.isEmpty() || relay.hasPeers();
    }

    /** Sends {@code data} as JSON under the event name {@code event} to every subscriber, here and on the other replicas. */
    public void publish(String event, Object data) {
        relay.send(event, data);
        if (subscribers.isEmpty()) {
            return;
        }
        publisher.execute(() -> {
            for (SseEmitter emitter : subscribers) {
                send(emitter, SseEmitter.event().name(event).data(data, MediaType.APPLICATION_JSON));
            }
        });
    }

    /**
     * Calls {@code listener} with the data (JSON text) of every {@code event} another replica publishes,
     * on the thread receiving them: it must not block.
     */
    public void onRemote(String event, Consumer<String> listener) {
        remoteListeners.add(new RemoteListener(event, listener));
    }

    private record RemoteListener(String event, Consumer<String> listener) {
    }

    /** An event of another replica: its data is JSON text already, written as it is. */
    private void publishLocally(LiveRelay.RemoteEvent remote) {
        for (RemoteListener l : remoteListeners) {
            if (l.event().equals(remote.event())) {
                try {
                    l.listener().accept(remote.json());
                } catch (RuntimeException e) {
                    log.warn("A listener of {} failed: {}", remote.event(), e.toString());
                }
            }
        }
        if (subscribers.isEmpty()) {
            return;
        }
        publisher.execute(() -> {
            for (SseEmitter emitter : subscribers) {
                send(emitter, SseEmitter.event().name(remote.event()).data(remote.json(), MediaType.APPLICATION_JSON));
            }
        });
    }

    SseEmitter subscribe() {
        SseEmitter emitter = new SseEmitter(SUBSCRIPTION_TIMEOUT_MS);
        emitter.onCompletion(() -> subscribers.remove(emitter));
        emitter.onTimeout(() -> subscribers.remove(emitter));
        emitter.onError(e -> subscribers.remove(emitter));
        subscribers.add(emitter);
        // an initial comment makes proxies and clients see the stream open at once
        send(emitter, SseEmitter.event().comment("connected"));
        return emitter;
    }

    private void heartbeat() {
        publisher.execute(() -> {
            subscribers.forEach(e -> send(e, SseEmitter.event().comment("heartbeat")));
            // a write is the only way to notice that a follower went away
            otherStreams.forEach(e -> send(e, SseEmitter.event().comment("heartbeat")));
        });
    }

    private void send(SseEmitter emitter, SseEmitter.SseEventBuilder event) {
        try {
            emitter.send(event);
        } catch (IOException | IllegalStateException gone) {
            subscribers.remove(emitter);
            otherStreams.remove(emitter);
            try {
                emitter.completeWithError(gone);
            } catch (IllegalStateException alreadyEnded) {
                // the container ended the request when the client went away (Tomcat refuses any later
                // dispatch); left uncaught it would end this publisher thread and fail awaits in tests
            }
        }
    }

    /**
     * Ends {@code emitter} (e.g. a log follow) when the server stops, like the live stream itself;
     * its owner calls {@link #untrack} once it ends.
     */
    public SseEmitter track(SseEmitter emitter) {
        otherStreams.add(emitter);
        return emitter;
    }

    public void untrack(SseEmitter emitter) {
        otherStreams.remove(emitter);
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * Ends every open stream before the web server's graceful shutdown, which would otherwise wait
     * its whole timeout for these never-ending responses.
     */
    @Override
    public void stop() {
        running = false;
        subscribers.forEach(SseEmitter::complete);
        subscribers.clear();
        otherStreams.forEach(SseEmitter::complete);
        otherStreams.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    @PreDestroy
    void close() {
        heartbeat.shutdownNow();
        publisher.shutdownNow();
    }
}
