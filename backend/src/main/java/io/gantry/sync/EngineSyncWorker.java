package io.gantry.sync;

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
import io.gantry.spi.Workload;
import io.gantry.stream.LiveStream;
import io.gantry.workload.RemovedWorkload;
import io.gantry.workload.WorkloadView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Keeps one engine's workloads in the store: ping + full resync at start and every interval, the
 * engine's watch stream in between, exponential backoff while the engine is DOWN (its workloads
 * then stay as {@code stale}). Everything runs on this engine's own single thread, so the work of
 * one engine is ordered and never waits for another engine.
 */
final class EngineSyncWorker {
    private static final Logger log = LoggerFactory.getLogger(EngineSyncWorker.class);

    private final UUID engineId;
    private final SyncPorts ports;
    private final ScheduledExecutorService thread;
    private final Backoff backoff;
    private final List<CompletableFuture<Void>> waitingForSync = new ArrayList<>();
    private volatile Engine engine;
    private volatile boolean stopped;
    private ScheduledFuture<?> nextTick;
    private volatile Subscription watch;
    private int watchGeneration;

    EngineSyncWorker(Engine engine, SyncPorts ports) {
        this.engineId = engine.id();
        this.engine = engine;
        this.ports = ports;
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
                    store(List.of(current.get()));
                } else {
                    remove(nativeId);
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Stores a workload as an engine just reported it (e.g. the answer to a deploy). */
    void apply(Workload workload) {
        submit(() -> store(List.of(workload)));
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
        } catch (RuntimeException e) {
            // the store itself failed (even while recording the engine's failure): retry like a DOWN engine
            log.warn("Engine {}: sync could not be recorded: {}", engine.name(), e.toString());
            waitingForSync.forEach(f -> f.completeExceptionally(e));
        } finally {
            waitingForSync.clear();
            if (!unregistered) {
                scheduleTick(delay == null ? backoff.nextDelay() : delay);
            }
        }
    }

    /** Ping, full resync, watch; returns the delay until the next tick. */
    private Duration syncOnce() {
        try {
            EngineInfo info = ports.clients().call(engineId, "ping", EngineClient::ping);
            fullSync();
            status(info.degraded() ? EngineStatus.DEGRADED : EngineStatus.UP, info.message());
            ensureWatch();
            backoff.reset();
            waitingForSync.forEach(f -> f.complete(null));
            return ports.settings().interval();
        } catch (EngineUnavailableException e) {
            return down(e);
        } catch (EngineException e) {
            // answers, but cannot be used fully (forbidden, rejected): keep what we know, retry later
            status(EngineStatus.DEGRADED, e.getMessage());
            waitingForSync.forEach(f -> f.completeExceptionally(e));
            return backoff.nextDelay();
        } catch (RuntimeException e) {
            if (e instanceof DataAccessException) {
                throw e;
            }
            log.warn("Engine {}: sync failed: {}", engine.name(), e.toString());
            return down(e);
        }
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
        status(EngineStatus.DOWN, e.getMessage() == null ? e.toString() : e.getMessage());
        closeWatch();
        ports.workloads().markStale(engineId);
        waitingForSync.forEach(f -> f.completeExceptionally(e));
        return backoff.nextDelay();
    }

    private void fullSync() {
        long started = System.nanoTime();
        List<Workload> all = ports.clients().call(engineId, "list workloads", EngineClient::listWorkloads);
        Instant now = Instant.now();
        List<String> changed = ports.workloads().upsert(engine, all, now);
        List<RemovedWorkload> removed = ports.workloads().removeMissing(engineId,
                all.stream().map(Workload::nativeId).toList(), now);
        ports.engines().markSynced(engineId, now);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        ports.metrics().recordSync(engine, took);
        log.debug("Engine {}: full resync of {} workloads ({} changed, {} removed) in {} ms", engine.name(),
                all.size(), changed.size(), removed.size(), took.toMillis());
        if (ports.stream().hasSubscribers() && !changed.isEmpty()) {
            Map<String, Workload> byId = all.stream().collect(Collectors.toMap(Workload::nativeId, Function.identity(), (a, b) -> a));
            changed.forEach(id -> publishUpdated(byId.get(id), now));
        }
        removed.forEach(this::publishDeleted);
        ports.metrics().refresh();
    }

    private void store(List<Workload> workloads) {
        Instant now = Instant.now();
        List<String> changed = ports.workloads().upsert(engine, workloads, now);
        workloads.stream().filter(w -> changed.contains(w.nativeId())).forEach(w -> publishUpdated(w, now));
    }

    private void remove(String nativeId) {
        ports.workloads().remove(engineId, nativeId, Instant.now()).ifPresent(this::publishDeleted);
    }

    private void publishUpdated(Workload workload, Instant at) {
        if (workload != null) {
            ports.stream().publish(LiveStream.WORKLOAD_UPDATED, WorkloadView.of(engine.ref(), workload, at));
        }
    }

    private void publishDeleted(RemovedWorkload removed) {
        ports.stream().publish(LiveStream.WORKLOAD_DELETED, Map.of("id", removed.id(), "engine", engine.ref(),
                "nativeId", removed.nativeId(), "name", removed.name() == null ? "" : removed.name()));
    }

    private void status(EngineStatus status, String message) {
        Engine before = engine;
        if (ports.engines().updateStatus(engineId, status, message == null ? "" : message)) {
            if (status == EngineStatus.DOWN) {
                log.warn("Engine {} is DOWN: {}", before.name(), message);
            } else {
                log.info("Engine {} is {}{}", before.name(), status, message == null || message.isEmpty() ? "" : ": " + message);
            }
            ports.stream().publish(LiveStream.ENGINE_STATUS, Map.of("id", engineId, "name", before.name(),
                    "kind", before.kind(), "status", status, "message", message == null ? "" : message));
            ports.metrics().refresh();
        }
    }

    private void ensureWatch() {
        if (watch != null || !ports.clients().capabilities(engineId).contains(Capability.WATCH)) {
            return;
        }
        int generation = ++watchGeneration;
        watch = ports.clients().call(engineId, "watch", c -> c.watch(new WatchListener() {
            @Override
            public void onChange(EngineChange change) {
                if (!stopped) {
                    enqueue(() -> {
                        if (!stopped && generation == watchGeneration) {
                            apply(change);
                        }
                    });
                }
            }

            @Override
            public void onFailure(Throwable cause) {
                if (!stopped) {
                    enqueue(() -> {
                        if (!stopped && generation == watchGeneration) {
                            log.warn("Engine {}: watch stream ended: {}", engine.name(), cause.toString());
                            watch = null;
                            tick();
                        }
                    });
                }
            }
        }));
    }

    /** Hands watch deliveries to the worker thread; after a stop they are dropped. */
    private void enqueue(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException stoppedMeanwhile) {
            // the worker stopped between the check and the hand-over
        }
    }

    private void apply(EngineChange change) {
        try {
            if (change instanceof EngineChange.WorkloadChanged c) {
                store(List.of(c.workload()));
            } else if (change instanceof EngineChange.WorkloadRemoved r) {
                remove(r.nativeId());
            } else if (change instanceof EngineChange.EventObserved e) {
                ports.events().record(engine, e.event());
                if (e.event().time() != null) {
                    ports.metrics().eventLag(engine, Duration.between(e.event().time(), Instant.now()));
                }
            } else if (change instanceof EngineChange.ResyncRequired r) {
                log.info("Engine {}: resync required: {}", engine.name(), r.reason());
                tick();
            }
        } catch (RuntimeException e) {
            log.warn("Engine {}: applying a watched change failed: {}", engine.name(), e.toString());
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
