package io.gantry.stream;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.http.MediaType;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Fan-out of live updates to every {@code GET /api/v1/stream} subscriber. Publishing never blocks
 * the caller (a sync worker): events are written by one publisher thread, and a subscriber whose
 * connection fails is dropped.
 */
@Component
public class LiveStream {
    public static final String WORKLOAD_UPDATED = "workload.updated";
    public static final String WORKLOAD_DELETED = "workload.deleted";
    public static final String ENGINE_STATUS = "engine.status";
    public static final String OPERATION_UPDATED = "operation.updated";

    static final long HEARTBEAT_SECONDS = 15;
    private static final long SUBSCRIPTION_TIMEOUT_MS = 60 * 60 * 1000L;

    private final List<SseEmitter> subscribers = new CopyOnWriteArrayList<>();
    private final ExecutorService publisher;
    private final ScheduledExecutorService heartbeat;

    LiveStream() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("live-stream-");
        threads.setDaemon(true);
        publisher = Executors.newSingleThreadExecutor(threads);
        heartbeat = Executors.newSingleThreadScheduledExecutor(threads);
        heartbeat.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    public boolean hasSubscribers() {
        return !subscribers.isEmpty();
    }

    /** Sends {@code data} as JSON under the event name {@code event} to every subscriber. */
    public void publish(String event, Object data) {
        if (subscribers.isEmpty()) {
            return;
        }
        publisher.execute(() -> {
            for (SseEmitter emitter : subscribers) {
                send(emitter, SseEmitter.event().name(event).data(data, MediaType.APPLICATION_JSON));
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

    int subscriberCount() {
        return subscribers.size();
    }

    private void heartbeat() {
        publisher.execute(() -> subscribers.forEach(e -> send(e, SseEmitter.event().comment("heartbeat"))));
    }

    private void send(SseEmitter emitter, SseEmitter.SseEventBuilder event) {
        try {
            emitter.send(event);
        } catch (IOException | IllegalStateException gone) {
            subscribers.remove(emitter);
            emitter.completeWithError(gone);
        }
    }

    @PreDestroy
    void close() {
        heartbeat.shutdownNow();
        publisher.shutdownNow();
        subscribers.forEach(SseEmitter::complete);
        subscribers.clear();
    }
}
