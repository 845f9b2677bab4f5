package io.gantry.stream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * One open stream (live updates or a log follow) with its own bounded buffer. Whoever has an event
 * {@linkplain #offer offers} it and goes on: the frame waits in the buffer until a writer thread sends
 * it. Only writer threads touch the emitter, so a client that stopped reading holds at most the one
 * writer stuck on it (until the connection's write timeout) and never the publisher or the other
 * subscribers; once its buffer is full it is ended, and its client reconnects and reads afresh.
 */
final class Subscriber implements LiveStream.Follow {
    /** Frames written in one turn before the writer moves on, so that a busy subscriber cannot hog a thread. */
    private static final int FRAMES_PER_TURN = 32;
    private static final Logger log = LoggerFactory.getLogger(Subscriber.class);
    private static final MediaType TEXT = new MediaType("text", "plain", StandardCharsets.UTF_8);

    private final String username;
    private final boolean revealsSecrets;
    private final LiveStream.Audience audience;
    private final String remoteAddress;
    private final SseEmitter emitter;
    private final BlockingQueue<Set<DataWithMediaType>> buffer;
    private final Executor writers;
    private final JsonMapper json;
    private final Consumer<Subscriber> released;
    private final List<Runnable> onEnd = new CopyOnWriteArrayList<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final AtomicBoolean secretsAudited = new AtomicBoolean();

    /** @param released called once when it ends, on the thread that ends it: must not block */
    Subscriber(String username, boolean revealsSecrets, LiveStream.Audience audience, String remoteAddress,
               SseEmitter emitter, int bufferEvents, Executor writers, JsonMapper json, Consumer<Subscriber> released) {
        this.audience = audience;
        this.username = username;
        this.revealsSecrets = revealsSecrets;
        this.remoteAddress = remoteAddress;
        this.emitter = emitter;
        this.buffer = new ArrayBlockingQueue<>(bufferEvents);
        this.writers = writers;
        this.json = json;
        this.released = released;
        emitter.onCompletion(this::end);
        emitter.onTimeout(this::end);
        emitter.onError(e -> end());
    }

    String username() {
        return username;
    }

    LiveStream.Audience audience() {
        return audience;
    }

    boolean revealsSecrets() {
        return revealsSecrets;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    boolean secretsAuditedAlready() {
        return secretsAudited.get();
    }

    /** True the first time only: the read of secret values by this subscription is audited once. */
    boolean firstSecretRead() {
        return secretsAudited.compareAndSet(false, true);
    }

    /** Queues a frame without waiting; a full buffer ends this subscriber. False once it has ended. */
    boolean offer(Set<DataWithMediaType> frame) {
        if (ended.get()) {
            return false;
        }
        if (!buffer.offer(frame)) {
            log.info("A live stream of {} fell {} events behind and was ended; its client reconnects",
                    username, buffer.size());
            end();
            return false;
        }
        schedule();
        return true;
    }

    @Override
    public SseEmitter emitter() {
        return emitter;
    }

    @Override
    public boolean send(String event, Object data) {
        return offer(frame(event, json.writeValueAsString(data)));
    }

    /**
     * One event as one piece of text, written with one converter call and one flush: a thousand
     * subscribers make a thousand writes of each event, and the three pieces SseEmitter's builder
     * makes (name, data, end) tripled the work. JSON written compactly has no line breaks; anything
     * else goes through the builder, which splits lines into data fields.
     */
    static Set<DataWithMediaType> frame(String event, String json) {
        if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
            return SseEmitter.event().name(event).data(json).build();
        }
        return Set.of(new DataWithMediaType("event:" + event + "\ndata:" + json + "\n\n", TEXT));
    }

    @Override
    public void onEnd(Runnable action) {
        onEnd.add(action);
        if (completed.get()) {
            action.run();
        }
    }

    @Override
    public boolean isOpen() {
        return !ended.get();
    }

    /** Ends the stream: forgets what is buffered at once; the emitter is completed by a writer thread. */
    @Override
    public void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        buffer.clear();
        released.accept(this);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                writers.execute(this::drain);
            } catch (RuntimeException rejected) {
                // shutting down: nothing will write this stream any more
                scheduled.set(false);
                ended.set(true);
            }
        }
    }

    private void drain() {
        try {
            for (int i = 0; i < FRAMES_PER_TURN && !ended.get(); i++) {
                Set<DataWithMediaType> frame = buffer.poll();
                if (frame == null) {
                    break;
                }
                emitter.send(frame);
            }
        } catch (IOException | IllegalStateException gone) {
            end();
        } catch (RuntimeException e) {
            log.warn("Writing a live stream of {} failed; it is ended: {}", username, e.toString());
            end();
        } finally {
            scheduled.set(false);
        }
        if (ended.get()) {
            complete();
        } else if (!buffer.isEmpty()) {
            schedule();
        }
    }

    private void complete() {
        if (!completed.compareAndSet(false, true)) {
            return;
        }
        try {
            emitter.complete();
        } catch (RuntimeException alreadyEnded) {
            // the container ended the request when the client went away and refuses a later dispatch
        }
        for (Runnable action : onEnd) {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.warn("Closing what a stream of {} held failed: {}", username, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "Subscriber[" + username + (ended.get() ? ", ended" : "") + (scheduled.get() ? ", scheduled" : "")
                + (completed.get() ? ", completed" : "") + ", " + buffer.size() + " buffered]";
    }

    /** Whether its emitter was completed (or never will be written again); for shutdown. */
    boolean completed() {
        return completed.get();
    }
}
