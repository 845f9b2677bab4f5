package io.gantry.stream;

import io.gantry.security.UserAccessChanged;
import io.gantry.web.TooManyStreamsException;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fan-out of live updates to every {@code GET /api/v1/stream} subscriber, and the bookkeeping of log
 * follows. Publishing never blocks the caller (a sync worker): one publisher thread serializes each
 * event once per variant (as it is, and as a VIEWER may see it) and offers the frame to each
 * subscriber's own bounded buffer; writer threads send from there (see {@link Subscriber}). Events also
 * reach the subscribers of the other replicas through the {@link LiveRelay}, and theirs come in through it.
 *
 * <p>Open streams are limited per user and in all ({@link StreamSettings}, {@link FollowSettings}); a
 * user whose access shrinks ({@link UserAccessChanged}) loses every stream and follow at once, on every
 * replica. A stream lasts at most {@link #SUBSCRIPTION_TIMEOUT_MS}, the session's idle lifetime.
 */
@Component
@EnableConfigurationProperties({StreamSettings.class, FollowSettings.class})
public class LiveStream implements SmartLifecycle {
    public static final String WORKLOAD_UPDATED = "workload.updated";
    public static final String WORKLOAD_DELETED = "workload.deleted";
    public static final String ENGINE_STATUS = "engine.status";
    public static final String OPERATION_UPDATED = "operation.updated";
    /** A workload got a new revision (issue 17); carries no spec, so it is the same for every role. */
    public static final String WORKLOAD_REVISION = "workload.revision";
    /** Between replicas only, never to subscribers: a user's access shrank, end their streams here too. */
    static final String ACCESS_CHANGED = "gantry.user-access-changed";

    private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
    static final long HEARTBEAT_SECONDS = 15;
    static final long SUBSCRIPTION_TIMEOUT_MS = 60 * 60 * 1000L;
    private static final int PROBE_ROUNDS = 3;
    private static final long PROBE_PAUSE_MS = 100;
    private static final Set<DataWithMediaType> CONNECTED = SseEmitter.event().comment("connected").build();
    private static final Set<DataWithMediaType> HEARTBEAT = SseEmitter.event().comment("heartbeat").build();

    /** A stream one feature writes itself (a log follow), limited and ended like the live stream. */
    public interface Follow {
        SseEmitter emitter();

        /** Queues {@code data} as JSON without waiting; false when the follow has ended (or just did: its buffer was full). */
        boolean send(String event, Object data);

        /** Runs {@code action} once the stream has ended, whatever ended it (on a writer thread). */
        void onEnd(Runnable action);

        boolean isOpen();

        void end();
    }

    /**
     * What of an event a subscriber may see, decided where the secrets are known (workload env):
     * OPERATOR and above see everything, the others the {@link #forViewers} variant.
     */
    public interface Visibility {
        boolean revealsSecrets(Authentication caller);

        /** The event's JSON as a VIEWER may see it: the same String instance when nothing is hidden. */
        String forViewers(String event, String json);

        /** A subscriber who may see secrets was sent some for the first time (once per stream, to audit). */
        void revealed(String username, String remoteAddress, String event, String json);
    }

    /** Which events one subscriber may see at all: those within their grants ({@link Audiences}). */
    @FunctionalInterface
    public interface Audience {
        Audience EVERYTHING = (event, json) -> true;

        /** Called on the publisher thread for every event: must be quick and must not block. */
        boolean sees(String event, String json);
    }

    /** Makes a subscriber's {@link Audience}, decided where grants are known; without one, everyone sees everything. */
    public interface Audiences {
        Audience of(Authentication caller);
    }

    private static final Visibility NOTHING_HIDDEN = new Visibility() {
        @Override
        public boolean revealsSecrets(Authentication caller) {
            return true;
        }

        @Override
        public String forViewers(String event, String json) {
            return json;
        }

        @Override
        public void revealed(String username, String remoteAddress, String event, String json) {
        }
    };

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final List<Subscriber> follows = new CopyOnWriteArrayList<>();
    private final List<RemoteListener> remoteListeners = new CopyOnWriteArrayList<>();
    /** Told of every narrowing of a user's access (see {@link #onAccessChange}). */
    private final List<BiConsumer<String, String>> accessListeners = new CopyOnWriteArrayList<>();
    private final Slots streamSlots;
    private final Slots followSlots;
    private final StreamSettings settings;
    private final ObjectProvider<Visibility> visibility;
    private final ObjectProvider<Audiences> audiences;
    private final JsonMapper json;
    private volatile boolean running;
    private final ExecutorService publisher;
    private final ScheduledExecutorService heartbeat;
    private final ThreadPoolExecutor writers;
    private final LiveRelay relay;

    LiveStream(LiveRelay relay, JsonMapper json, StreamSettings settings, FollowSettings follows,
               ObjectProvider<Visibility> visibility, ObjectProvider<Audiences> audiences) {
        this.audiences = audiences;
        this.relay = relay;
        this.json = json;
        this.settings = settings;
        this.visibility = visibility;
        this.streamSlots = new Slots("live streams", "gantry.streams.per-user", settings.perUser(),
                "gantry.streams.total", settings.total());
        this.followSlots = new Slots("log follows", "gantry.logs.follows-per-user", follows.followsPerUser(),
                "gantry.logs.follows-total", follows.followsTotal());
        relay.onReceive(this::publishLocally);
        CustomizableThreadFactory threads = new CustomizableThreadFactory("live-stream-");
        threads.setDaemon(true);
        publisher = Executors.newSingleThreadExecutor(threads);
        heartbeat = Executors.newSingleThreadScheduledExecutor(threads);
        heartbeat.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        CustomizableThreadFactory writerThreads = new CustomizableThreadFactory("live-stream-writer-");
        writerThreads.setDaemon(true);
        // threads come as work does and go after 30 s idle; the queue is unbounded so that handing work over never blocks
        writers = new ThreadPoolExecutor(settings.writerThreads(), settings.writerThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), writerThreads);
        writers.allowCoreThreadTimeOut(true);
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
        publisher.execute(() -> fanOut(event, json.writeValueAsString(data)));
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
        if (remote.event().equals(ACCESS_CHANGED)) {
            UserAccessChanged changed = json.readValue(remote.json(), UserAccessChanged.class);
            endStreamsOf(changed.username(), changed.reason());
            return;
        }
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
        publisher.execute(() -> fanOut(remote.event(), remote.json()));
    }

    /**
     * On the publisher thread: the event's frames, each made once (as it is; as a VIEWER sees it, when a
     * VIEWER listens), offered to every subscriber without waiting for any.
     */
    private void fanOut(String event, String full) {
        Set<DataWithMediaType> fullFrame = frame(event, full);
        Visibility rules = visibility();
        String viewers = null;
        Set<DataWithMediaType> viewerFrame = null;
        for (Subscriber s : subscribers) {
            if (!s.audience().sees(event, full)) {
                continue;
            }
            if (viewers == null && (!s.revealsSecrets() || !s.secretsAuditedAlready())) {
                try {
                    viewers = rules.forViewers(event, full);
                } catch (RuntimeException e) {
                    // never fall back to the full event: that would show a VIEWER what it hides
                    log.warn("Event {} is not sent to viewers: it could not be masked: {}", event, e.toString());
                    viewers = "";
                }
                viewerFrame = viewers == full ? fullFrame : viewers.isEmpty() ? null : frame(event, viewers);
            }
            if (s.revealsSecrets()) {
                if (viewers != null && viewers != full && s.firstSecretRead()) {
                    writers.execute(() -> rules.revealed(s.username(), s.remoteAddress(), event, full));
                }
                s.offer(fullFrame);
            } else if (viewerFrame != null) {
                s.offer(viewerFrame);
            }
        }
    }

    private static Set<DataWithMediaType> frame(String event, String json) {
        return Subscriber.frame(event, json);
    }

    private Visibility visibility() {
        return visibility.getIfAvailable(() -> NOTHING_HIDDEN);
    }

    /**
     * A new live stream for {@code caller}.
     *
     * @throws io.gantry.web.TooManyStreamsException past {@code gantry.streams.per-user} or {@code .total}
     */
    SseEmitter subscribe(Authentication caller, String remoteAddress) {
        String user = caller.getName();
        take(streamSlots, subscribers, user);
        Audiences scoping = audiences.getIfAvailable();
        Subscriber s = new Subscriber(user, visibility().revealsSecrets(caller),
                scoping == null ? Audience.EVERYTHING : scoping.of(caller), remoteAddress,
                new SseEmitter(SUBSCRIPTION_TIMEOUT_MS), settings.bufferEvents(), writers, json, ended -> {
                    if (subscribers.remove(ended)) {
                        streamSlots.give(user);
                    }
                });
        subscribers.add(s);
        // an initial comment makes proxies and clients see the stream open at once
        s.offer(CONNECTED);
        return s.emitter();
    }

    /**
     * A new log follow for {@code caller}; its owner writes it with {@link Follow#send} and ends it.
     *
     * @throws io.gantry.web.TooManyStreamsException past {@code gantry.logs.follows-per-user} or {@code .follows-total}
     */
    public Follow follow(Authentication caller, long timeoutMillis) {
        String user = caller.getName();
        take(followSlots, follows, user);
        // a follow's workload was checked against the caller's grants when it began
        Subscriber s = new Subscriber(user, false, Audience.EVERYTHING, null, new SseEmitter(timeoutMillis),
                settings.bufferEvents(),
                writers, json, ended -> {
                    if (follows.remove(ended)) {
                        followSlots.give(user);
                    }
                });
        follows.add(s);
        return s;
    }

    /**
     * Takes a slot; at the user's limit, first finds out whether some of their streams are gone already.
     * A browser that leaves a page closes its connection, but the server only learns it from a write
     * that fails (the heartbeat's, up to {@value #HEARTBEAT_SECONDS} s later), and a user clicking
     * through pages would otherwise hit the limit with streams nobody reads any more. The first write to
     * a closed connection still succeeds (the peer answers it with a reset), hence a few rounds.
     */
    private void take(Slots slots, List<Subscriber> open, String user) {
        try {
            slots.take(user);
            return;
        } catch (TooManyStreamsException full) {
            List<Subscriber> theirs = open.stream().filter(s -> s.username().equals(user)).toList();
            for (int round = 0; round < PROBE_ROUNDS && theirs.stream().allMatch(Subscriber::isOpen); round++) {
                theirs.forEach(s -> s.offer(HEARTBEAT));
                try {
                    Thread.sleep(PROBE_PAUSE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw full;
                }
            }
            if (theirs.stream().allMatch(Subscriber::isOpen)) {
                throw full;
            }
        }
        slots.take(user);
    }

    /** Ends every stream and follow of that user, here and (through the relay) on the other replicas. */
    @EventListener
    void onAccessChanged(UserAccessChanged changed) {
        endStreamsOf(changed.username(), changed.reason());
        relay.send(ACCESS_CHANGED, changed);
    }

    /**
     * Calls {@code listener} with every narrowing of a user's access, made on this replica or on another: what else
     * holds a user's session open (a console) ends with the streams. On the thread that learned it: must not block.
     */
    public void onAccessChange(BiConsumer<String, String> listener) {
        accessListeners.add(listener);
    }

    private void endStreamsOf(String username, String reason) {
        accessListeners.forEach(l -> l.accept(username, reason));
        List<Subscriber> theirs = new ArrayList<>();
        subscribers.stream().filter(s -> s.username().equals(username)).forEach(theirs::add);
        follows.stream().filter(s -> s.username().equals(username)).forEach(theirs::add);
        theirs.forEach(Subscriber::end);
        if (!theirs.isEmpty()) {
            log.info("Ended {} live stream(s) and log follow(s) of {}: {}", theirs.size(), username, reason);
        }
    }

    /** Open live streams and log follows on this replica. */
    Map<String, Integer> open() {
        return Map.of("streams", streamSlots.open(), "follows", followSlots.open());
    }

    /** Open live streams of one user on this replica. */
    int openStreamsOf(String user) {
        return (int) subscribers.stream().filter(s -> s.username().equals(user)).count();
    }

    /** The open live streams' states, for a test that wants to say why one did not answer. */
    String describeStreams() {
        // the idle ones read "Subscriber[user, 0 buffered]"
        return subscribers.stream().map(Subscriber::toString).filter(d -> !d.endsWith(", 0 buffered]") || d.contains("ed,"))
                .toList() + " of " + subscribers.size() + "; writers " + writers;
    }

    private void heartbeat() {
        publisher.execute(() -> {
            subscribers.forEach(s -> s.offer(HEARTBEAT));
            // a write is the only way to notice that a follower went away
            follows.forEach(s -> s.offer(HEARTBEAT));
        });
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
        List<Subscriber> all = new ArrayList<>(subscribers);
        all.addAll(follows);
        all.forEach(Subscriber::end);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (all.stream().anyMatch(s -> !s.completed()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
        writers.shutdownNow();
    }
}
