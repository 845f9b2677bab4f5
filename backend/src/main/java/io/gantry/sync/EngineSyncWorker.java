package io.gantry.sync;

import io.gantry.cluster.Fence;
import io.gantry.cluster.LeaseLostException;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineStatus;
import io.gantry.spi.Capability;
import io.gantry.spi.EngineChange;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineInfo;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.Subscription;
import io.gantry.spi.WatchListener;
import io.gantry.spi.watch.Backoff;
import io.gantry.spi.Workload;
import io.gantry.workload.RemovedWorkload;
import io.gantry.workload.WorkloadIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Keeps one engine's workloads in the store: ping + full resync at start, a ping every interval, the
 * engine's watch stream in between, exponential backoff with jitter while the engine is DOWN (its workloads
 * then stay as {@code stale}). The full resync is repeated every interval for an engine that is not watched,
 * and only every {@link SyncSettings#watchedResync} while its watch is open (the stream brings the changes).
 * Everything runs on this engine's own single thread, so the work of one engine is ordered and never waits for
 * another engine.
 *
 * <p>As an informer does, the watch is subscribed <em>before</em> the full list, so that a change made
 * while the list is read is not lost until the next resync: the watch's deliveries queue up in
 * {@link #watched} while the list runs and are applied after it (see {@link #fullSync} for which win).
 *
 * <p>It runs while this replica holds the engine's lease: its workload writes carry the lease's
 * {@link Fence}, and the first one refused (another replica took the engine) stops it.
 */
final class EngineSyncWorker {
    private static final Logger log = LoggerFactory.getLogger(EngineSyncWorker.class);

    private final UUID engineId;
    private final Fence fence;
    private final Runnable onLeaseLost;
    private final SyncPorts ports;
    private final SyncWrites writes;
    private final ScheduledExecutorService thread;
    private final Backoff backoff;
    private final List<CompletableFuture<Void>> waitingForSync = new ArrayList<>();
    private volatile Engine engine;
    private volatile boolean stopped;
    private ScheduledFuture<?> nextTick;
    private volatile Subscription watch;
    private int watchGeneration;
    /** A tick is queued on the worker thread already: ResyncRequired deliveries need no second one. */
    private boolean resyncQueued;
    /** The first full sync under this lease was stored: from then on only what changed is handed to revisions. */
    private boolean synced;
    /**
     * Changes may have been missed (the watch said so, a new watch opened, the engine was DOWN): the next tick lists
     * everything, watched or not.
     */
    private boolean resyncRequired;
    /** {@link System#nanoTime()} of the last completed full sync. */
    private long lastFullSyncNanos;
    /** What the watch delivered, oldest first, until the worker thread takes it. */
    private final Queue<Delivery> watched = new ConcurrentLinkedQueue<>();

    /** One delivery of the watch of {@code generation}: a change, or the watch's end ({@code failure}). */
    private record Delivery(int generation, EngineChange change, Throwable failure) {
    }

    /** @param onLeaseLost called on the worker thread once a write was refused; the worker has stopped */
    EngineSyncWorker(Engine engine, Fence fence, SyncPorts ports, Runnable onLeaseLost) {
        this.engineId = engine.id();
        this.fence = fence;
        this.onLeaseLost = onLeaseLost;
        this.engine = engine;
        this.ports = ports;
        this.writes = new SyncWrites(fence, ports);
        this.backoff = new Backoff(ports.settings().initialBackoff(), ports.settings().maxBackoff());
        CustomizableThreadFactory threads = new CustomizableThreadFactory("sync-" + engine.name() + "-");
        threads.setDaemon(true);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, threads);
        executor.setRemoveOnCancelPolicy(true);
        this.thread = executor;
    }

    void start() {
        thread.execute(this::tick);
    }

    /** A full resync as soon as possible; the future completes when it is done. */
    CompletableFuture<Void> resyncNow() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            waitingForSync.add(done);
            tick();
        });
        return done;
    }

    /** Reads one workload from the engine and stores it (or its removal): after an operation changed it. */
    CompletableFuture<Void> refresh(String nativeId) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            try {
                Optional<Workload> current = ports.clients().call(engineId, "get workload", c -> c.getWorkload(nativeId));
                if (current.isPresent()) {
                    writes.store(engine, List.of(current.get()));
                } else {
                    writes.remove(engine, nativeId);
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Stores a workload as an engine just reported it (the answer to a deploy), unless the store has it
     * already: then the watch delivered it meanwhile, in a state at least as new as the answer (pods may
     * have started between the create and this call), which the answer must not roll back.
     */
    CompletableFuture<Void> apply(Workload workload) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            try {
                if (ports.workloads().find(WorkloadIds.of(engineId, workload.nativeId())).isEmpty()) {
                    writes.store(engine, List.of(workload));
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                throw e;
            }
        });
        return done;
    }

    /**
     * Stops at once: an interrupted resync is harmless (the next start resyncs). The watch is closed
     * here, off the worker thread, which may be stuck in a call; whoever waits for a resync times out.
     */
    void stop() {
        stopped = true;
        thread.shutdownNow();
        Subscription current = watch;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                log.debug("Engine {}: closing the watch failed: {}", engine.name(), e.toString());
            }
        }
    }

    /** Waits until the worker thread has ended, at most until {@code deadlineNanos} ({@link System#nanoTime()}). */
    void awaitStopped(long deadlineNanos) {
        try {
            thread.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Runnable task) {
        if (stopped) {
            throw new IllegalStateException("sync of engine " + engine.name() + " is stopped");
        }
        thread.execute(() -> {
            if (!stopped) {
                task.run();
            }
        });
    }

    private void tick() {
        resyncQueued = false;
        if (stopped) {
            return;
        }
        if (nextTick != null) {
            nextTick.cancel(false);
        }
        Duration delay = null;
        boolean unregistered = false;
        try {
            Optional<Engine> current = ports.engines().find(engineId);
            unregistered = current.isEmpty();
            if (unregistered) {
                return;
            }
            engine = current.get();
            delay = syncOnce();
        } catch (LeaseLostException e) {
            leaseLost(e);
        } catch (RuntimeException e) {
            // the store itself failed (even while recording the engine's failure): retry like a DOWN engine
            log.warn("Engine {}: sync could not be recorded: {}", engine.name(), e.toString());
            waitingForSync.forEach(f -> f.completeExceptionally(e));
        } finally {
            waitingForSync.clear();
            if (!unregistered) {
                scheduleTick(delay == null ? backoff.next() : delay);
            }
        }
    }

    /** Ping, watch, full resync; returns the delay until the next tick. */
    private Duration syncOnce() {
        try {
            EngineInfo info = ports.clients().call(engineId, "ping", EngineClient::ping);
            ensureWatch();
            if (fullSyncDue()) {
                fullSync(info);
            }
            writes.status(engine, info.degraded() ? EngineStatus.DEGRADED : EngineStatus.UP, info.message());
            backoff.reset();
            waitingForSync.forEach(f -> f.complete(null));
            return ports.settings().interval();
        } catch (EngineUnavailableException e) {
            return down(e);
        } catch (EngineException e) {
            // answers, but cannot be used fully (forbidden, rejected): keep what we know, retry later
            writes.status(engine, EngineStatus.DEGRADED, e.getMessage());
            waitingForSync.forEach(f -> f.completeExceptionally(e));
            return backoff.next();
        } catch (RuntimeException e) {
            if (e instanceof DataAccessException || e instanceof LeaseLostException) {
                throw e;
            }
            log.warn("Engine {}: sync failed: {}", engine.name(), e.toString());
            return down(e);
        }
    }

    /** Asked for (an API resync, a watch's gap), never done under this lease, unwatched, or watched for long enough. */
    private boolean fullSyncDue() {
        return !waitingForSync.isEmpty() || resyncRequired || !synced || watch == null
                || System.nanoTime() - lastFullSyncNanos >= ports.settings().watchedResync().toNanos();
    }

    private void scheduleTick(Duration delay) {
        if (stopped) {
            return;
        }
        try {
            nextTick = thread.schedule(this::tick, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stoppedMeanwhile) {
            // stop() raced this tick
        }
    }

    private Duration down(RuntimeException e) {
        closeWatch();
        resyncRequired = true;
        if (stopped) {
            // interrupted by stop(): the engine did not fail, and whoever syncs it next finds out how it is
            return backoff.next();
        }
        // stale first: whoever sees the engine DOWN must find its workloads marked stale already
        ports.workloads().markStale(fence);
        writes.status(engine, EngineStatus.DOWN, e.getMessage() == null ? e.toString() : e.getMessage());
        waitingForSync.forEach(f -> f.completeExceptionally(e));
        return backoff.next();
    }

    /**
     * Lists every workload, storing it batch by batch as the engine hands it over ({@link ListingWriter}; the call
     * deadline follows progress, see {@link io.gantry.engine.EngineClients#stream}), deletes what the complete
     * listing no longer holds, then applies what the watch delivered meanwhile. The store keeps
     * no engine versions (writes of one engine are ordered only by this thread), so which of the two is
     * newer is told by when a change arrived:
     * <ul>
     * <li>a change delivered before the list was asked for is older than the list (or as old): it is
     * dropped, so it cannot roll back what the list brings, nor bring back a workload the list no longer has;
     * <li>a change delivered while the list ran may be older or newer than it. The watch delivers every
     * change in order, so of each workload only its <em>last</em> change is applied: if it happened after the
     * list was read it is newer and must win; if before, nothing changed since (or a later change would
     * follow it), so the list holds that same state and storing it again writes nothing (equal content).
     * Older states of the workload never show on the way.
     * </ul>
     * A ResyncRequired (or a failed watch) delivered while the list ran means changes may have been lost
     * after it was read: one more full resync follows.
     */
    private void fullSync(EngineInfo info) {
        long started = System.nanoTime();
        takeOlderThanList();
        resyncRequired = false;
        EngineStatus answered = info.degraded() ? EngineStatus.DEGRADED : EngineStatus.UP;
        // a listing that takes long is a big engine at work, not a dead one: it is UP (and SYNCING) meanwhile
        ListingWriter listing = new ListingWriter(engine, fence, ports, writes, synced,
                () -> writes.status(engine, answered, info.message()));
        boolean completed = false;
        try {
            ports.clients().stream(engineId, "list workloads", ports.settings().listCap(),
                    (client, sink) -> client.listWorkloads(sink), listing);
            Instant now = Instant.now();
            List<RemovedWorkload> removed = listing.complete(now);
            completed = true;
            lastFullSyncNanos = System.nanoTime();
            if (!synced) {
                // every workload once per lease, once all are stored: those changed while no replica synced the
                // engine, or stored before revisions existed, get theirs
                synced = true;
                ports.outsideChanges().started(engineId);
            }
            ports.engines().markSynced(fence, now);
            ports.statistics().analyzeIfMuchChanged();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            ports.metrics().recordSync(engine, took);
            log.debug("Engine {}: full resync of {} workloads ({} rows written, {} removed) in {} ms", engine.name(),
                    listing.listed(), listing.written(), removed.size(), took.toMillis());
            removed.forEach(r -> writes.publishDeleted(engine, r));
        } finally {
            if (!completed) {
                listing.abandon();
            }
        }
        applyWatched();
    }

    /**
     * Drops the watched changes older than the list about to be read, keeping their events (the timeline
     * wants them; the list has no events). A watch that ended meanwhile is subscribed again first.
     */
    private void takeOlderThanList() {
        boolean ended = false;
        for (Delivery d : takeWatched()) {
            if (d.failure() != null) {
                ended = true;
                log.warn("Engine {}: watch stream ended: {}", engine.name(), d.failure().toString());
            } else if (d.change() instanceof EngineChange.EventObserved e) {
                writes.record(engine, e);
            }
        }
        if (ended) {
            closeWatch();
            ensureWatch();
        }
    }

    /** Applies what the watch delivered so far, by the rule of {@link #fullSync}. */
    private void applyWatched() {
        List<Delivery> batch = takeWatched();
        if (batch.isEmpty()) {
            return;
        }
        String resyncBecause = null;
        Map<String, EngineChange> lastOfEachWorkload = new LinkedHashMap<>();
        for (Delivery d : batch) {
            if (d.failure() != null) {
                log.warn("Engine {}: watch stream ended: {}", engine.name(), d.failure().toString());
                closeWatch();
                resyncBecause = "the watch stream ended";
            } else if (d.change() instanceof EngineChange.WorkloadChanged c) {
                lastOfEachWorkload.put(c.workload().nativeId(), c);
            } else if (d.change() instanceof EngineChange.WorkloadRemoved r) {
                lastOfEachWorkload.put(r.nativeId(), r);
            } else if (d.change() instanceof EngineChange.EventObserved e) {
                writes.record(engine, e);
            } else if (d.change() instanceof EngineChange.ResyncRequired r) {
                resyncBecause = r.reason();
            }
        }
        if (resyncBecause != null) {
            // the full resync about to run supersedes every state change of the batch
            log.info("Engine {}: resync required: {}", engine.name(), resyncBecause);
            resyncRequired = true;
            if (!resyncQueued) {
                resyncQueued = true;
                enqueue(this::tick);
            }
            return;
        }
        List<Workload> changed = new ArrayList<>();
        for (EngineChange c : lastOfEachWorkload.values()) {
            if (c instanceof EngineChange.WorkloadChanged wc) {
                changed.add(wc.workload());
            } else {
                writes.remove(engine, ((EngineChange.WorkloadRemoved) c).nativeId());
            }
        }
        if (!changed.isEmpty()) {
            writes.store(engine, changed);
        }
    }

    /** Takes the current watch's deliveries, oldest first; those of a closed watch are dropped. */
    private List<Delivery> takeWatched() {
        List<Delivery> batch = new ArrayList<>();
        for (Delivery d = watched.poll(); d != null; d = watched.poll()) {
            if (d.generation() == watchGeneration) {
                batch.add(d);
            }
        }
        return batch;
    }

    private void ensureWatch() {
        if (watch != null || !ports.clients().capabilities(engineId).contains(Capability.WATCH)) {
            return;
        }
        int generation = ++watchGeneration;
        // what changed before this watch opened is only in a full listing
        resyncRequired = true;
        watch = ports.clients().call(engineId, "watch", c -> c.watch(new WatchListener() {
            @Override
            public void onChange(EngineChange change) {
                deliver(new Delivery(generation, change, null));
            }

            @Override
            public void onFailure(Throwable cause) {
                deliver(new Delivery(generation, null, cause));
            }
        }));
    }

    /**
     * Queues a watch delivery for the worker thread. Applying it is a task of its own; while a full
     * resync runs, that task waits behind it and finds the queue already taken by the resync.
     */
    private void deliver(Delivery delivery) {
        if (stopped) {
            return;
        }
        watched.add(delivery);
        enqueue(() -> {
            if (!stopped) {
                try {
                    applyWatched();
                } catch (LeaseLostException e) {
                    leaseLost(e);
                } catch (RuntimeException e) {
                    log.warn("Engine {}: applying a watched change failed: {}", engine.name(), e.toString());
                }
            }
        });
    }

    private void leaseLost(LeaseLostException e) {
        log.info("Engine {}: sync stops here: {}", engine.name(), e.getMessage());
        waitingForSync.forEach(f -> f.completeExceptionally(e));
        stop();
        onLeaseLost.run();
    }

    /** Hands work to the worker thread; after a stop it is dropped. */
    private void enqueue(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException stoppedMeanwhile) {
            // the worker stopped between the check and the hand-over
        }
    }

    private void closeWatch() {
        watchGeneration++;
        if (watch != null) {
            try {
                watch.close();
            } catch (RuntimeException e) {
                log.debug("Engine {}: closing the watch failed: {}", engine.name(), e.toString());
            }
            watch = null;
        }
    }
}
