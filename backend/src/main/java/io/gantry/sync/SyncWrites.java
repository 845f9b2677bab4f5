package io.gantry.sync;

import io.gantry.cluster.Fence;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineStatus;
import io.gantry.spi.EngineChange;
import io.gantry.spi.Workload;
import io.gantry.stream.LiveStream;
import io.gantry.workload.RemovedWorkload;
import io.gantry.workload.StoredHashes;
import io.gantry.workload.WorkloadView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one engine's sync writes to the store (under the lease's {@link Fence}) and tells the live stream:
 * workloads, their removals, the engine's events and its status. Called on the engine's worker thread only.
 */
final class SyncWrites {
    private static final Logger log = LoggerFactory.getLogger(SyncWrites.class);

    private final Fence fence;
    private final SyncPorts ports;

    SyncWrites(Fence fence, SyncPorts ports) {
        this.fence = fence;
        this.ports = ports;
    }

    /** Stores the workloads; those whose stored content changed are handed to revisions and published. */
    void store(Engine engine, List<Workload> workloads) {
        store(engine, workloads, true, null);
    }

    /**
     * Stores the workloads; those whose stored content changed are published, and handed to revisions when
     * {@code reportChanges}. Thread-safe: a listing's batches are stored on several threads at once.
     *
     * @param storedHashes the engine's stored hashes read before a full listing, or null to look them up
     * @return how many rows were written
     */
    int store(Engine engine, List<Workload> workloads, boolean reportChanges, StoredHashes storedHashes) {
        Instant now = Instant.now();
        List<String> changed = ports.workloads().upsert(engine, fence, workloads, now, storedHashes);
        if (reportChanges) {
            ports.outsideChanges().stored(engine.id(), changed);
        }
        if (!changed.isEmpty() && ports.stream().hasSubscribers()) {
            Set<String> publish = Set.copyOf(changed);
            workloads.stream().filter(w -> publish.contains(w.nativeId())).forEach(w -> publishUpdated(engine, w, now));
        }
        return changed.size();
    }

    void remove(Engine engine, String nativeId) {
        ports.workloads().remove(engine, fence, nativeId, Instant.now()).ifPresent(r -> publishDeleted(engine, r));
    }

    /** Keeps an event for the timeline and measures how late the watch delivered it. */
    void record(Engine engine, EngineChange.EventObserved e) {
        ports.events().record(engine, e.event());
        if (e.event().time() != null) {
            ports.metrics().eventLag(engine, Duration.between(e.event().time(), Instant.now()));
        }
    }

    void publishUpdated(Engine engine, Workload workload, Instant at) {
        if (workload != null) {
            ports.stream().publish(LiveStream.WORKLOAD_UPDATED, WorkloadView.of(engine.ref(), workload, at));
        }
    }

    void publishDeleted(Engine engine, RemovedWorkload removed) {
        ports.stream().publish(LiveStream.WORKLOAD_DELETED, Map.of("id", removed.id(), "engine", engine.ref(),
                "nativeId", removed.nativeId(), "namespace", removed.namespace() == null ? "" : removed.namespace(),
                "name", removed.name() == null ? "" : removed.name()));
    }

    /** Records the engine's status; a change of it is logged and published. */
    void status(Engine engine, EngineStatus status, String message) {
        if (ports.engines().updateStatus(fence, status, message == null ? "" : message)) {
            if (status == EngineStatus.DOWN) {
                log.warn("Engine {} is DOWN: {}", engine.name(), message);
            } else {
                log.info("Engine {} is {}{}", engine.name(), status, message == null || message.isEmpty() ? "" : ": " + message);
            }
            ports.stream().publish(LiveStream.ENGINE_STATUS, Map.of("id", engine.id(), "name", engine.name(),
                    "kind", engine.kind(), "status", status, "message", message == null ? "" : message));
        }
    }
}
