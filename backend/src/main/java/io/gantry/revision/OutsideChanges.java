package io.gantry.revision;

import io.gantry.engine.EngineClients;
import io.gantry.spi.EngineRevision;
import io.gantry.workload.WorkloadIds;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Finds the spec changes made outside Gantry (kubectl, {@code docker service update}, the Marathon UI) among the
 * workloads the sync stored: a workload whose spec hash differs from its newest revision's gets a revision of
 * source {@code engine}. A workload without any revision first gets the engine's own history
 * ({@link io.gantry.spi.EngineClient#revisions}), then its current spec if that differs from the newest.
 *
 * <p>Off the sync's hot path: the sync only hands over the ids it wrote; one thread of this class compares them in
 * batches (one query per {@value #BATCH}) and asks the engines for their history, so that a first sync of 100,000
 * workloads stores them as fast as before and the engines' histories follow. A workload is asked for its history
 * at most once: afterwards it has a revision. Ids handed over twice before their turn are looked at once.
 *
 * <p>An operation of Gantry records its own change while it is still running, and the comparison leaves alone
 * every workload such an operation may be changing ({@link RevisionStore#recordEngineChange}): the change the
 * watch brings back before the operation ends is not recorded twice.
 */
@Component
public class OutsideChanges {
    static final String CHANGED = "changed outside Gantry";
    static final String FIRST_SEEN = "as Gantry first saw it";
    static final String FROM_HISTORY = "from the engine's history";
    private static final int BATCH = 500;
    private static final Logger log = LoggerFactory.getLogger(OutsideChanges.class);

    private final RevisionStore store;
    private final RevisionRecorder recorder;
    private final EngineClients clients;
    private final ExecutorService thread;
    private final Set<UUID> queued = new LinkedHashSet<>();
    private final AtomicBoolean drainQueued = new AtomicBoolean();

    OutsideChanges(RevisionStore store, RevisionRecorder recorder, EngineClients clients) {
        this.store = store;
        this.recorder = recorder;
        this.clients = clients;
        CustomizableThreadFactory threads = new CustomizableThreadFactory("revisions-");
        threads.setDaemon(true);
        this.thread = Executors.newSingleThreadExecutor(threads);
    }

    /** The sync stored these workloads of the engine (new or changed); returns at once. */
    public void stored(UUID engineId, Collection<String> nativeIds) {
        if (nativeIds.isEmpty()) {
            return;
        }
        List<UUID> ids = new ArrayList<>(nativeIds.size());
        nativeIds.forEach(n -> ids.add(WorkloadIds.of(engineId, n)));
        enqueue(ids);
    }

    /**
     * The sync of this engine started (server start, lease taken): every workload is looked at once, so that those
     * stored before revisions existed, or changed while no replica synced the engine, get theirs.
     */
    public void started(UUID engineId) {
        submit(() -> enqueue(store.workloadsOf(engineId)));
    }

    /** An operation on the workload ended without recording its spec (it failed): the engine may have changed it anyway. */
    public void operationEnded(UUID workloadId) {
        enqueue(List.of(workloadId));
    }

    private void enqueue(Collection<UUID> ids) {
        synchronized (queued) {
            queued.addAll(ids);
        }
        if (drainQueued.compareAndSet(false, true)) {
            submit(this::drain);
        }
    }

    private void drain() {
        drainQueued.set(false);
        while (true) {
            List<UUID> batch = new ArrayList<>(BATCH);
            synchronized (queued) {
                Iterator<UUID> it = queued.iterator();
                while (it.hasNext() && batch.size() < BATCH) {
                    batch.add(it.next());
                    it.remove();
                }
            }
            if (batch.isEmpty()) {
                return;
            }
            try {
                recordAll(store.needingRevision(batch));
            } catch (RuntimeException e) {
                log.warn("Revisions of {} workloads could not be compared: {}", batch.size(), e.toString());
            }
        }
    }

    /**
     * Records the candidates' revisions: those whose engine kept a history one by one after it (the order of the
     * history matters), the others in one statement per message.
     */
    private void recordAll(List<RevisionStore.Candidate> candidates) {
        List<UUID> firstSeen = new ArrayList<>();
        List<UUID> changed = new ArrayList<>();
        for (RevisionStore.Candidate c : candidates) {
            if (c.hasRevisions()) {
                changed.add(c.workloadId());
            } else {
                try {
                    if (importedHistory(c)) {
                        recordOne(c.workloadId(), FIRST_SEEN);
                    } else {
                        firstSeen.add(c.workloadId());
                    }
                } catch (RuntimeException e) {
                    // the next change of the workload, or the next start of its engine's sync, tries again
                    log.warn("History of workload {} could not be recorded: {}", c.workloadId(), e.toString());
                }
            }
        }
        recordBatch(firstSeen, FIRST_SEEN);
        recordBatch(changed, CHANGED);
    }

    private void recordBatch(List<UUID> workloadIds, String message) {
        if (workloadIds.isEmpty()) {
            return;
        }
        Map<UUID, Revision> recorded;
        try {
            recorded = store.recordEngineChanges(workloadIds, message);
        } catch (DataIntegrityViolationException removedMeanwhile) {
            // a workload of the batch was deleted after the statement read it (seen in tests as a foreign key
            // violation): one by one, the others still get theirs
            recorded = Map.of();
        }
        for (UUID id : workloadIds) {
            Revision r = recorded.get(id);
            if (r != null) {
                recorder.announce(id, r);
            } else {
                recordOne(id, message);
            }
        }
    }

    private void recordOne(UUID workloadId, String message) {
        try {
            recorder.announced(workloadId, store.recordEngineChange(workloadId, message));
        } catch (RuntimeException e) {
            // the next change of the workload, or the next start of its engine's sync, tries again
            log.warn("Revision of workload {} could not be recorded: {}", workloadId, e.toString());
        }
    }

    /**
     * The engine's own revisions, oldest first; an engine that does not answer leaves the history to start now.
     *
     * @return whether the engine kept any
     */
    private boolean importedHistory(RevisionStore.Candidate c) {
        List<EngineRevision> kept;
        try {
            kept = clients.call(c.engineId(), "read revisions", client -> client.revisions(c.nativeId()));
        } catch (RuntimeException e) {
            log.debug("Engine {}: the history of {} could not be read: {}", c.engineId(), c.nativeId(), e.toString());
            return false;
        }
        for (int i = kept.size() - 1; i >= 0; i--) {
            EngineRevision r = kept.get(i);
            String message = r.message().isBlank() ? FROM_HISTORY : FROM_HISTORY + ": " + r.message();
            recorder.announced(c.workloadId(), store.recordFromEngine(c.workloadId(), r.createdAt(), message, r.spec(), r.id()));
        }
        return !kept.isEmpty();
    }

    private void submit(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("Revisions: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            // the server stops; the next start looks at every workload again
        }
    }

    @PreDestroy
    void close() {
        thread.shutdownNow();
    }
}
