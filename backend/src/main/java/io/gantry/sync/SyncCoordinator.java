package io.gantry.sync;

import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineRemoved;
import io.gantry.engine.EngineSaved;
import io.gantry.engine.EngineStore;
import io.gantry.event.EventStore;
import io.gantry.metrics.GantryMetrics;
import io.gantry.spi.Workload;
import io.gantry.stream.LiveStream;
import io.gantry.web.NotFoundException;
import io.gantry.workload.WorkloadStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** One {@link EngineSyncWorker} per registered engine, started with the server and kept in step with registrations. */
@Component
@EnableConfigurationProperties(SyncSettings.class)
public class SyncCoordinator implements SmartLifecycle {
    /** After the engine bootstrap (phase 0) registered the configured and embedded engines. */
    static final int PHASE = 10;
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final SyncPorts ports;
    private final Map<UUID, EngineSyncWorker> workers = new ConcurrentHashMap<>();
    private volatile boolean running;

    SyncCoordinator(EngineStore engines, EngineClients clients, WorkloadStore workloads, EventStore events,
                    LiveStream stream, GantryMetrics metrics, SyncSettings settings) {
        this.ports = new SyncPorts(engines, clients, workloads, events, stream, metrics, settings);
    }

    /** A full resync of the engine now; completes when it is stored, or exceptionally when the engine failed. */
    public CompletableFuture<Void> resyncNow(UUID engineId) {
        return worker(engineId).resyncNow();
    }

    /** Re-reads one workload from its engine after an operation changed it. */
    public CompletableFuture<Void> refresh(UUID engineId, String nativeId) {
        return worker(engineId).refresh(nativeId);
    }

    /** Stores a workload as its engine just reported it. */
    public void apply(UUID engineId, Workload workload) {
        worker(engineId).apply(workload);
    }

    private EngineSyncWorker worker(UUID engineId) {
        EngineSyncWorker worker = workers.get(engineId);
        if (worker == null) {
            throw new NotFoundException("engine", engineId);
        }
        return worker;
    }

    @EventListener
    void onSaved(EngineSaved event) {
        if (running) {
            restart(event.engineId());
        }
    }

    @EventListener
    void onRemoved(EngineRemoved event) {
        EngineSyncWorker worker = workers.remove(event.engineId());
        if (worker != null) {
            worker.stop();
        }
    }

    private synchronized void restart(UUID engineId) {
        EngineSyncWorker old = workers.remove(engineId);
        if (old != null) {
            old.stop();
        }
        ports.engines().find(engineId).ifPresent(engine -> {
            EngineSyncWorker worker = new EngineSyncWorker(engine, ports);
            workers.put(engineId, worker);
            worker.start();
        });
    }

    @Override
    public synchronized void start() {
        running = true;
        ports.engines().findAll().forEach(e -> restart(e.id()));
    }

    /** Stops every worker at once and waits for them together, so shutdown does not grow with the engine count. */
    @Override
    public synchronized void stop() {
        running = false;
        workers.values().forEach(EngineSyncWorker::stop);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        workers.values().forEach(w -> w.awaitStopped(deadline));
        workers.clear();
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
