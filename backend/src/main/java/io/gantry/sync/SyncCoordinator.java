package io.gantry.sync;

import io.gantry.cluster.ClusterSettings;
import io.gantry.cluster.EngineLeases;
import io.gantry.cluster.Fence;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineRemoved;
import io.gantry.engine.EngineSaved;
import io.gantry.engine.EngineStore;
import io.gantry.engine.SyncProgressStore;
import io.gantry.event.EventStore;
import io.gantry.metrics.GantryMetrics;
import io.gantry.revision.OutsideChanges;
import io.gantry.spi.Workload;
import io.gantry.stream.LiveStream;
import io.gantry.web.NotFoundException;
import io.gantry.workload.WorkloadStatistics;
import io.gantry.workload.WorkloadStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * One {@link EngineSyncWorker} per engine whose lease this replica holds, started with the server and
 * kept in step with registrations and leases. Every retry interval the replica beats, renews its leases
 * when due, takes free or expired leases up to its fair share ({@code ceil(engines / live replicas)}),
 * and gives one lease back when it holds more than that (a replica joined), so that engines spread over
 * the live replicas. Alone, a replica holds every engine: the single-server behaviour.
 */
@Component
@EnableConfigurationProperties(SyncSettings.class)
public class SyncCoordinator implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SyncCoordinator.class);
    /** After the engine bootstrap (phase 0) registered the configured and embedded engines. */
    static final int PHASE = 10;
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final SyncPorts ports;
    private final EngineLeases leases;
    private final ClusterSettings cluster;
    private final Map<UUID, Owned> workers = new ConcurrentHashMap<>();
    private volatile boolean running;
    private ScheduledExecutorService leaseKeeper;
    /** {@link System#nanoTime()} of the last successful renewal. */
    private long renewedAt;

    /** A worker and the lease it writes under. */
    private record Owned(Fence fence, EngineSyncWorker worker) {
    }

    SyncCoordinator(EngineStore engines, EngineClients clients, WorkloadStore workloads, EventStore events,
                    LiveStream stream, GantryMetrics metrics, SyncSettings settings, EngineLeases leases,
                    ClusterSettings cluster, OutsideChanges outsideChanges, SyncProgressStore progress,
                    WorkloadStatistics statistics, SyncWriters writers) {
        this.ports = new SyncPorts(engines, clients, workloads, events, stream, metrics, settings, outsideChanges,
                progress, statistics, writers);
        this.leases = leases;
        this.cluster = cluster;
    }

    /** Whether this replica syncs the engine now. */
    public boolean owns(UUID engineId) {
        return workers.containsKey(engineId);
    }

    /** The lease under which this replica syncs the engine, if it does. */
    public Optional<Fence> fence(UUID engineId) {
        return Optional.ofNullable(workers.get(engineId)).map(Owned::fence);
    }

    /** A full resync of the engine now; completes when it is stored, or exceptionally when the engine failed. */
    public CompletableFuture<Void> resyncNow(UUID engineId) {
        return worker(engineId).resyncNow();
    }

    /** The longest a full resync may take before its listing is abandoned: its overall cap and a few calls. */
    public Duration longestResync() {
        return ports.settings().listCap().plus(ports.clients().callTimeout().multipliedBy(3));
    }

    /** Re-reads one workload from its engine after an operation changed it. */
    public CompletableFuture<Void> refresh(UUID engineId, String nativeId) {
        return worker(engineId).refresh(nativeId);
    }

    /**
     * Stores a workload as its engine just reported it, on the engine's sync thread after what is queued there
     * (a full resync may be running); the future completes once it is stored.
     */
    public CompletableFuture<Void> apply(UUID engineId, Workload workload) {
        return worker(engineId).apply(workload);
    }

    private EngineSyncWorker worker(UUID engineId) {
        Owned owned = workers.get(engineId);
        if (owned == null) {
            throw new NotFoundException("engine", engineId);
        }
        return owned.worker();
    }

    /** A registration changed: its worker restarts under the same lease, or a new engine is taken at once if the share allows. */
    @EventListener
    synchronized void onSaved(EngineSaved event) {
        if (!running) {
            return;
        }
        Owned owned = workers.get(event.engineId());
        if (owned != null) {
            startWorker(owned.fence());
        } else if (workers.size() < fairShare()) {
            leases.acquire(event.engineId()).ifPresent(this::take);
        }
    }

    @EventListener
    synchronized void onRemoved(EngineRemoved event) {
        stopWorker(event.engineId());
    }

    private void take(Fence fence) {
        log.info("Engine {}: lease {} acquired", fence.engineId(), fence.token());
        startWorker(fence);
    }

    private void startWorker(Fence fence) {
        stopWorker(fence.engineId());
        ports.engines().find(fence.engineId()).ifPresent(engine -> {
            Owned[] self = new Owned[1];
            EngineSyncWorker worker = new EngineSyncWorker(engine, fence, ports, () -> lost(self[0]));
            self[0] = new Owned(fence, worker);
            workers.put(fence.engineId(), self[0]);
            worker.start();
        });
    }

    private void stopWorker(UUID engineId) {
        Owned old = workers.remove(engineId);
        if (old != null) {
            old.worker().stop();
        }
    }

    /** A worker's write was refused: forget it unless a newer worker replaced it meanwhile. */
    private void lost(Owned owned) {
        if (workers.remove(owned.fence().engineId(), owned)) {
            log.info("Engine {}: lease {} lost, another replica syncs it now", owned.fence().engineId(), owned.fence().token());
        }
    }

    private int fairShare() {
        leases.heartbeat();
        int replicas = Math.max(1, leases.liveReplicas());
        return (leases.engineCount() + replicas - 1) / replicas;
    }

    /** One round of the lease keeper; see the class comment. */
    private synchronized void keepLeases() {
        if (!running) {
            return;
        }
        try {
            int share = fairShare();
            if (System.nanoTime() - renewedAt >= cluster.renewInterval().toNanos()) {
                renew();
            }
            for (UUID engineId : leases.unowned()) {
                if (workers.size() >= share) {
                    break;
                }
                leases.acquire(engineId).ifPresent(this::take);
            }
            if (workers.size() > share) {
                Owned surplus = workers.values().iterator().next();
                log.info("Engine {}: lease {} handed over ({} engines held, fair share {})", surplus.fence().engineId(),
                        surplus.fence().token(), workers.size(), share);
                stopWorker(surplus.fence().engineId());
                leases.release(surplus.fence());
            }
        } catch (RuntimeException e) {
            log.warn("Engine leases could not be kept: {}", e.toString());
            if (System.nanoTime() - renewedAt > cluster.leaseDuration().toNanos()) {
                // the leases may have expired meanwhile: fencing refuses the writes anyway; stop trying
                Map.copyOf(workers).keySet().forEach(this::stopWorker);
            }
        }
    }

    /** Renews every held lease; a worker whose lease is gone or carries another token stops at once. */
    private void renew() {
        Map<UUID, Long> held = leases.renewAll();
        renewedAt = System.nanoTime();
        for (Owned owned : Map.copyOf(workers).values()) {
            Long token = held.get(owned.fence().engineId());
            if (token == null || token != owned.fence().token()) {
                log.info("Engine {}: lease {} lost", owned.fence().engineId(), owned.fence().token());
                stopWorker(owned.fence().engineId());
            }
        }
    }

    /** Takes this replica's share of the engines before returning, so that a lone server syncs all of them from the start. */
    @Override
    public synchronized void start() {
        running = true;
        renewedAt = System.nanoTime() - cluster.renewInterval().toNanos();
        keepLeases();
        CustomizableThreadFactory threads = new CustomizableThreadFactory("lease-keeper-");
        threads.setDaemon(true);
        leaseKeeper = Executors.newSingleThreadScheduledExecutor(threads);
        long every = cluster.retryInterval().toMillis();
        leaseKeeper.scheduleWithFixedDelay(this::keepLeases, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops every worker at once and waits for them together, so shutdown does not grow with the engine
     * count; then gives the leases up, so that other replicas take the engines without waiting for expiry.
     */
    @Override
    public synchronized void stop() {
        running = false;
        if (leaseKeeper != null) {
            leaseKeeper.shutdownNow();
        }
        workers.values().forEach(o -> o.worker().stop());
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        workers.values().forEach(o -> o.worker().awaitStopped(deadline));
        workers.clear();
        try {
            leases.leave();
        } catch (RuntimeException e) {
            log.warn("Engine leases could not be given up; they expire on their own: {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
