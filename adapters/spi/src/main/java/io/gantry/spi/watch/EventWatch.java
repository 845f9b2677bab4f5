package io.gantry.spi.watch;

import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch loop of every engine whose events come as one long-lived stream (Swarm, Marathon, the node
 * agent): open the stream, read its events, and when it ends or breaks, back off ({@link Backoff}) and open it
 * again. The engine supplies only an {@link EventSource}: how to open, what an event means.
 *
 * <p>Resyncs: every open after {@link #start} returned (every reconnect, and a first open that came late) is
 * followed by {@link EngineChange.ResyncRequired}, because what changed while no stream was open is only in a
 * full list. When opening fails, the source may name the engine unreachable: that resync is sent at once, once
 * per outage. Refused credentials ({@link EngineForbiddenException} from {@link EventSource#open}) end the watch
 * with {@link WatchListener#onFailure}; anything else is retried for as long as the watch is open.
 *
 * <p>Threads: one reads the stream; one delivers, so the listener sees changes in order and never from two
 * threads; an optional one runs {@link EventSource#check}. A listener (or a re-read) that throws is logged and
 * the watch goes on.
 *
 * <p>Closing is race-free by construction: the stream in use, the reader's phase and {@code closed} change
 * together under one lock, so a close during open, read or back-off always finds either the stream to close
 * or a reader that will see {@code closed} before it blocks again; every listener call runs under a gate that
 * {@link #close} passes after setting {@code closed}, so once close returns the listener is not called again.
 *
 * @param <E> one decoded event of the engine
 */
public final class EventWatch<E> implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(EventWatch.class);

    /**
     * @param threadName    prefix of the watch's thread names ({@code <prefix>-<engine>}, {@code <prefix>-delivery-<engine>})
     * @param engine        the engine's name, for thread names and logs
     * @param streamName    the stream in the words of resync reasons ("Marathon event stream")
     * @param waitForOpen   how long {@link #start} waits for the first open; zero: it returns at once and the
     *                      first open, like every later one, is followed by a resync
     * @param checkInterval how often {@link EventSource#check} runs while the stream is open; {@code null}: never
     */
    public record Settings(String threadName, String engine, String streamName, Duration waitForOpen,
                           Duration checkInterval) {
        public Settings {
            Objects.requireNonNull(threadName, "threadName");
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(streamName, "streamName");
            if (waitForOpen == null || waitForOpen.isNegative()) {
                throw new IllegalArgumentException("waitForOpen must be zero or more");
            }
            if (checkInterval != null && (checkInterval.isNegative() || checkInterval.isZero())) {
                throw new IllegalArgumentException("checkInterval must be positive");
            }
        }
    }

    private final Settings settings;
    private final Backoff backoff;
    private final EventSource<E> source;
    private final WatchListener listener;
    private final Consumer<? super EventWatch<E>> onClose;
    private final Thread reader;
    private final ScheduledThreadPoolExecutor delivery;
    private final ScheduledExecutorService checks;
    private final Deliveries deliveries = new Out();
    private volatile Thread deliveryThread;

    /** Guards {@link #current}, {@link #recycled}, {@link #startReturned} and writes of {@link #closed}. */
    private final Object lock = new Object();
    /** Held during every listener call: {@link #close} passes it once to wait out a call under way. */
    private final Object gate = new Object();
    private volatile boolean closed;
    /** The listener was told {@code onFailure}: nothing follows it. Written under {@link #gate}. */
    private boolean ended;
    private EventStream<E> current;
    /** Why {@link #recycle} dropped the current stream: the gap of the next open. */
    private String recycled;
    private boolean startReturned;
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private final AtomicReference<String> owed = new AtomicReference<>();
    private final Set<String> pendingRereads = ConcurrentHashMap.newKeySet();
    private volatile long lastEventNanos = System.nanoTime();

    /**
     * @param backoff  delays between opens; reset by every open
     * @param onClose  told once by {@link #close} (the client forgets the watch)
     */
    public EventWatch(Settings settings, Backoff backoff, EventSource<E> source, WatchListener listener,
                      Consumer<? super EventWatch<E>> onClose) {
        this.settings = settings;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.source = Objects.requireNonNull(source, "source");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.startReturned = settings.waitForOpen().isZero();
        this.reader = daemon(settings.threadName() + "-" + settings.engine()).newThread(this::read);
        ThreadFactory deliveryThreads = daemon(settings.threadName() + "-delivery-" + settings.engine());
        this.delivery = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = deliveryThreads.newThread(r);
            deliveryThread = thread;
            return thread;
        });
        // a watch that ended (onFailure) drops the follow-ups it had scheduled
        delivery.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        delivery.setRemoveOnCancelPolicy(true);
        this.checks = settings.checkInterval() == null ? null
                : new ScheduledThreadPoolExecutor(1, daemon(settings.threadName() + "-check-" + settings.engine()));
    }

    /** Starts reading; returns once the first open was attempted, or after {@link Settings#waitForOpen}. */
    public EventWatch<E> start() {
        reader.start();
        if (checks != null) {
            long every = settings.checkInterval().toMillis();
            checks.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
        }
        if (settings.waitForOpen().isZero()) {
            return this;
        }
        try {
            firstAttempt.await(settings.waitForOpen().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            startReturned = true;
            if (current == null && !closed) {
                LOG.warn("{} of engine {} not open yet; a resync will follow when it is", settings.streamName(),
                        settings.engine());
            }
        }
        return this;
    }

    /** Whether the stream is open now (it is not while the watch reconnects). */
    public boolean connected() {
        synchronized (lock) {
            return current != null;
        }
    }

    private void read() {
        String gap = null;
        boolean unreachableTold = false;
        while (!closed) {
            EventStream<E> stream;
            try {
                stream = source.open();
            } catch (EngineForbiddenException e) {
                firstAttempt.countDown();
                end(e);
                return;
            } catch (Exception e) {
                firstAttempt.countDown();
                if (closed) {
                    return;
                }
                gap = settings.streamName() + " broke (" + message(e) + ") and was re-opened";
                String unreachable = unreachableTold ? null : source.unreachable(e);
                if (unreachable != null) {
                    unreachableTold = true;
                    deliveries.send(new EngineChange.ResyncRequired(unreachable));
                }
                if (!pause("cannot be opened: " + message(e))) {
                    return;
                }
                continue;
            }
            synchronized (lock) {
                if (closed) {
                    stream.close();
                    return;
                }
                current = stream;
                if (gap == null && startReturned) {
                    gap = settings.streamName() + " opened after the watch began; what changed before it is only"
                            + " in a full list";
                }
            }
            firstAttempt.countDown();
            backoff.reset();
            unreachableTold = false;
            lastEventNanos = System.nanoTime();
            String named = stream.resyncReason();
            String wasOwed = owed.getAndSet(null);
            String reason = named != null ? named : gap != null ? gap : wasOwed;
            if (reason != null) {
                deliveries.send(new EngineChange.ResyncRequired(reason));
            }
            try {
                for (E event; !closed && (event = stream.next()) != null; ) {
                    lastEventNanos = System.nanoTime();
                    decode(event);
                }
                gap = settings.streamName() + " ended and was re-opened";
            } catch (Exception e) {
                gap = settings.streamName() + " broke (" + message(e) + ") and was re-opened";
            } finally {
                synchronized (lock) {
                    current = null;
                    if (recycled != null) {
                        gap = recycled;
                        recycled = null;
                    }
                    // recycle() interrupts only while current is set, under this lock: its interrupt is cleared
                    // here and never reaches the pause below; a close's interrupt is answered by closed
                    Thread.interrupted();
                }
                stream.close();
            }
            if (!pause("lost: " + gap)) {
                return;
            }
        }
    }

    private void decode(E event) {
        try {
            source.decode(event, deliveries);
        } catch (RuntimeException e) {
            // one event the adapter cannot read does not cost the stream
            LOG.warn("{} of engine {}: an event could not be handled", settings.streamName(), settings.engine(), e);
        }
    }

    /** Waits the next back-off delay; false when the watch was closed meanwhile. */
    private boolean pause(String why) {
        Duration delay = backoff.next();
        if (!closed) {
            LOG.warn("{} of engine {} {}; re-opening in {} ms", settings.streamName(), settings.engine(), why,
                    delay.toMillis());
        }
        long deadline = System.nanoTime() + delay.toNanos();
        synchronized (lock) {
            for (long left = delay.toNanos(); !closed && left > 0; left = deadline - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    // only close() interrupts here (see read): the loop condition answers it
                }
            }
            return !closed;
        }
    }

    private void check() {
        EventStream<E> stream;
        synchronized (lock) {
            stream = current;
        }
        if (stream == null || closed) {
            return;
        }
        String why;
        try {
            why = source.check(Duration.ofNanos(System.nanoTime() - lastEventNanos));
        } catch (RuntimeException e) {
            LOG.warn("{} of engine {}: the liveness check failed", settings.streamName(), settings.engine(), e);
            return;
        }
        if (why != null) {
            recycle(stream, why);
            return;
        }
        String wasOwed = owed.getAndSet(null);
        if (wasOwed != null) {
            deliveries.send(new EngineChange.ResyncRequired(wasOwed));
        }
    }

    /** Drops the stream the reader is in, so that it re-opens; {@code why} becomes the resync's reason. */
    private void recycle(EventStream<E> stream, String why) {
        synchronized (lock) {
            if (closed || current != stream) {
                return;
            }
            LOG.warn("{} of engine {}: {}; re-opening it", settings.streamName(), settings.engine(), why);
            recycled = why;
            stream.close();
            // some blocked reads (the JDK HTTP client's) wake only when closed AND interrupted
            reader.interrupt();
        }
    }

    /** Refused credentials: the listener is told once, after what was handed before; nothing follows. */
    private void end(EngineForbiddenException refusal) {
        execute(() -> {
            synchronized (gate) {
                if (closed || ended) {
                    return;
                }
                ended = true;
                try {
                    listener.onFailure(refusal);
                } catch (RuntimeException e) {
                    LOG.warn("watch listener of engine {} failed on the end of the watch", settings.engine(), e);
                }
            }
        });
        if (checks != null) {
            checks.shutdownNow();
        }
        delivery.shutdown();
    }

    private void callListener(EngineChange change) {
        synchronized (gate) {
            if (closed || ended) {
                return;
            }
            try {
                listener.onChange(change);
            } catch (RuntimeException e) {
                LOG.warn("watch listener of engine {} failed on a change", settings.engine(), e);
            }
        }
    }

    private void execute(Runnable task) {
        try {
            delivery.execute(guarded(task));
        } catch (RejectedExecutionException closedMeanwhile) {
            // nothing is delivered after close
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            if (closed) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{} of engine {}: a delivery failed", settings.streamName(), settings.engine(), e);
            }
        };
    }

    @Override
    public void close() {
        EventStream<E> stream;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            stream = current;
            lock.notifyAll();
        }
        if (stream != null) {
            stream.close();
        }
        reader.interrupt();
        if (checks != null) {
            checks.shutdownNow();
        }
        delivery.shutdownNow();
        synchronized (gate) {
            // a listener call under way when close began has returned; every later one sees closed
        }
        onClose.accept(this);
    }

    /** For tests: waits until the watch's reader and delivery threads have ended. */
    boolean awaitThreadsEnded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        reader.join(Math.max(1, timeout.toMillis()));
        return !reader.isAlive()
                && delivery.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                && (checks == null || checks.awaitTermination(Math.max(0, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS));
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** What sources hand their decoded events to. */
    private final class Out implements Deliveries {
        @Override
        public void send(EngineChange change) {
            Objects.requireNonNull(change, "change");
            if (change instanceof EngineChange.WorkloadRemoved removed) {
                pendingRereads.remove(removed.nativeId());
            }
            if (Thread.currentThread() == deliveryThread) {
                // from a re-read under way: at once, or it would pass what was queued after that re-read
                callListener(change);
            } else {
                execute(() -> callListener(change));
            }
        }

        @Override
        public void reread(String nativeId, Runnable reread) {
            if (pendingRereads.add(nativeId)) {
                execute(() -> {
                    pendingRereads.remove(nativeId);
                    reread.run();
                });
            }
        }

        @Override
        public void later(Duration delay, Runnable task) {
            try {
                delivery.schedule(guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closedMeanwhile) {
                // nothing runs after close
            }
        }

        @Override
        public void owe(String reason) {
            owed.compareAndSet(null, reason);
        }

        @Override
        public boolean closed() {
            return closed;
        }
    }
}
