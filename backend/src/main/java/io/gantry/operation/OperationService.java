package io.gantry.operation;

import io.gantry.cluster.ReplicaId;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.metrics.GantryMetrics;
import io.gantry.revision.OutsideChanges;
import io.gantry.revision.RevisionRecorder;
import io.gantry.spi.Capability;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.Workload;
import io.gantry.stream.LiveStream;
import io.gantry.sync.SyncCoordinator;
import io.gantry.web.CurrentUser;
import io.gantry.workload.WorkloadIds;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Journals each action, answers at once, and runs the action on a worker thread through the
 * engine's client (with its call timeout); state, progress and message go to the journal and the
 * live stream as they change. Among replicas, the work on one engine runs on the replica syncing that
 * engine (the one whose writes its fencing token admits): asked of another replica, it is journaled
 * PENDING with its {@link EngineWork}, and the syncing replica claims it ({@link OperationStore#claim}:
 * once only). Work spanning engines (a copy) runs where it was accepted.
 */
@Service
class OperationService {
    private static final Logger log = LoggerFactory.getLogger(OperationService.class);
    private static final int WORKERS = 4;

    private final OperationStore store;
    private final EngineClients clients;
    private final SyncCoordinator sync;
    private final LiveStream stream;
    private final GantryMetrics metrics;
    private final JsonMapper json;
    private final ReplicaId replica;
    private final EngineStore engines;
    private final RevisionRecorder revisions;
    private final OutsideChanges outsideChanges;
    private final ExecutorService workers;
    private final AtomicBoolean pendingLookQueued = new AtomicBoolean();

    OperationService(OperationStore store, EngineClients clients, SyncCoordinator sync, LiveStream stream,
                     GantryMetrics metrics, JsonMapper json, ReplicaId replica, EngineStore engines,
                     RevisionRecorder revisions, OutsideChanges outsideChanges) {
        this.store = store;
        this.revisions = revisions;
        this.outsideChanges = outsideChanges;
        this.replica = replica;
        this.engines = engines;
        this.clients = clients;
        this.sync = sync;
        this.stream = stream;
        this.metrics = metrics;
        this.json = json;
        CustomizableThreadFactory threads = new CustomizableThreadFactory("operation-");
        threads.setDaemon(true);
        this.workers = Executors.newFixedThreadPool(WORKERS, threads);
        stream.onRemote(LiveStream.OPERATION_UPDATED, this::runPendingSoon);
    }

    /**
     * Work spanning several engine calls (a copy): it calls the engines itself, through
     * {@link EngineClients} with their call timeouts, and reports its progress as it goes.
     */
    interface Steps {
        /** @return what was done, for the operation's final message */
        String run(Progress progress);
    }

    /** Where a running operation reports how far it got, and the revisions its steps made. */
    interface Progress {
        void report(int percent, String message);

        /**
         * A step changed the spec of a workload the store now holds as the engine read it back: records its
         * revision, with this operation and its user.
         */
        void changed(UUID workloadId, String revisionMessage);
    }

    /**
     * What is kept with a journaled operation for the replica that runs it: the work and the warnings
     * (what a translation could not keep) carried in each of its messages.
     */
    record QueuedWork(EngineWork work, List<String> warnings) {
    }

    /**
     * Journals {@code work} on {@code engine} and starts it, or returns the first operation of a repeated
     * idempotency key. The engine is asked first ({@link EngineWork#check}): a request it refuses is
     * answered at once (InvalidSpecException: a 422 listing the fields) and journals nothing. A repeated
     * key returns the first operation unchecked: by then the workload it made may well hold the port or
     * name the check would find taken.
     */
    Operation submit(String action, Engine engine, UUID workloadId, Capability needs, String idempotencyKey,
                     Map<String, Object> request, EngineWork work) {
        return submit(action, engine, workloadId, needs, idempotencyKey, request, List.of(), work, true, () -> {
        });
    }

    /**
     * As {@link #submit}, with a check of the stored state that a repeated key must skip: once the first operation
     * did its work, the state it checks has changed (a rollback's target is what runs now).
     */
    Operation submit(String action, Engine engine, UUID workloadId, Capability needs, String idempotencyKey,
                     Map<String, Object> request, EngineWork work, Runnable unlessRepeated) {
        return submit(action, engine, workloadId, needs, idempotencyKey, request, List.of(), work, true, unlessRepeated);
    }

    /** As {@link #submit}, for work the caller checked with the engine already (an import checks all its workloads first). */
    Operation submitChecked(String action, Engine engine, Capability needs, String idempotencyKey,
                            Map<String, Object> request, List<String> warnings, EngineWork work) {
        return submit(action, engine, null, needs, idempotencyKey, request, warnings, work, false, () -> {
        });
    }

    private Operation submit(String action, Engine engine, UUID workloadId, Capability needs, String idempotencyKey,
                             Map<String, Object> request, List<String> warnings, EngineWork work, boolean check,
                             Runnable unlessRepeated) {
        Runnable before = () -> {
            unlessRepeated.run();
            requireCapability(engine, needs);
            if (check) {
                clients.call(engine.id(), "check " + action, client -> {
                    work.check(client);
                    return null;
                });
            }
        };
        return start(action, engine, workloadId, idempotencyKey, request, new QueuedWork(work, warnings), before,
                true, work(engine, action, work));
    }

    /**
     * Journals and starts work of several steps; {@code engine} is the engine the operation is filed under.
     * It spans engines, so it runs on the replica that accepted it.
     */
    Operation submitSteps(String action, Engine engine, UUID workloadId, String idempotencyKey,
                          Map<String, Object> request, List<String> warnings, Steps steps) {
        return start(action, engine, workloadId, idempotencyKey, request, new QueuedWork(null, warnings), () -> {
        }, false, progress -> new Outcome(null, steps.run(progress), null));
    }

    /**
     * @param before  runs once the idempotency key is known to be new, before anything is journaled
     * @param onOwner whether the replica syncing the engine runs it (then it stays PENDING until that replica
     *                claims it under its lease); else this replica runs it at once
     */
    private Operation start(String action, Engine engine, UUID workloadId, String idempotencyKey,
                            Map<String, Object> request, QueuedWork queued, Runnable before, boolean onOwner,
                            Function<Progress, Outcome> body) {
        String user = CurrentUser.username();
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey;
        if (key != null) {
            var earlier = store.findByKey(user, key);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        before.run();
        boolean runHere = !onOwner || sync.owns(engine.id());
        var created = store.insert(action, workloadId, engine.id(), user, key, json.writeValueAsString(request),
                queued.work() == null ? null : json.writeValueAsString(queued),
                withWarnings(runHere ? "queued" : "queued for the replica that syncs engine " + engine.name(),
                        queued.warnings()), replica.value());
        if (created.isEmpty()) {
            // a concurrent request with the same key won the insert
            return store.findByKey(user, key).orElseThrow();
        }
        Operation operation = created.get();
        publish(operation);
        if (runHere) {
            workers.execute(() -> execute(operation, engine, nativeIdOf(queued), queued.warnings(), onOwner, body));
        }
        return operation;
    }

    private Function<Progress, Outcome> work(Engine engine, String action, EngineWork work) {
        return progress -> new Outcome(clients.call(engine.id(), action, work::run), "done", work.revisionMessage(action));
    }

    private static String nativeIdOf(QueuedWork queued) {
        return queued.work() == null ? null : queued.work().nativeId();
    }

    /** @throws UnsupportedCapabilityException when the engine, as configured, cannot do {@code needs} */
    void requireCapability(Engine engine, Capability needs) {
        if (!clients.capabilities(engine.id()).contains(needs)) {
            throw new UnsupportedCapabilityException(needs, "engine '" + engine.name() + "' cannot "
                    + needs.name().toLowerCase(Locale.ROOT));
        }
    }

    /** A full resync journaled as an operation of action {@code sync}; like any work, run by the replica syncing the engine. */
    Operation resync(Engine engine, String idempotencyKey) {
        return start("sync", engine, null, idempotencyKey, Map.of("engine", engine.id()), new QueuedWork(null, List.of()),
                () -> {
                }, true, resyncOf(engine));
    }

    private Function<Progress, Outcome> resyncOf(Engine engine) {
        return progress -> {
            try {
                // as long as a listing may run while it makes progress: a big engine's resync takes minutes
                sync.resyncNow(engine.id()).get(sync.longestResync().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("the resync did not finish in time");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            return new Outcome(null, "done", null);
        };
    }

    /**
     * Claims the work other replicas accepted for engines this replica syncs: every few seconds, and at
     * once when another replica announces a PENDING operation on the live stream.
     */
    @Scheduled(fixedDelayString = "${gantry.cluster.retry-interval:2s}", initialDelayString = "${gantry.cluster.retry-interval:2s}")
    void runPending() {
        for (OperationStore.Pending pending : store.pending()) {
            Operation operation = pending.operation();
            if (operation.engineId() == null || !sync.owns(operation.engineId())) {
                continue;
            }
            Engine engine = engines.find(operation.engineId()).orElse(null);
            if (engine == null) {
                continue;
            }
            if (operation.action().equals("sync")) {
                workers.execute(() -> execute(operation, engine, null, List.of(), true, resyncOf(engine)));
            } else if (pending.work() != null) {
                QueuedWork queued = json.readValue(pending.work(), QueuedWork.class);
                workers.execute(() -> execute(operation, engine, nativeIdOf(queued), queued.warnings(), true,
                        work(engine, operation.action(), queued.work())));
            }
        }
    }

    private void runPendingSoon(String operationJson) {
        // a burst of announcements (an import of many workloads) asks for one look at the journal
        if (json.readTree(operationJson).path("state").asString("").equals(OperationState.PENDING.name())
                && pendingLookQueued.compareAndSet(false, true)) {
            workers.execute(() -> {
                pendingLookQueued.set(false);
                runPending();
            });
        }
    }

    /** @param onOwner whether it may run only under this replica's lease of the engine */
    private void execute(Operation operation, Engine engine, String nativeId, List<String> warnings, boolean onOwner,
                         Function<Progress, Outcome> body) {
        String calling = withWarnings("calling engine " + engine.name(), warnings);
        Optional<Operation> claimed = !onOwner ? store.claim(operation.id(), replica.value(), calling)
                : sync.fence(engine.id()).flatMap(fence -> store.claim(operation.id(), replica.value(), calling, fence));
        if (claimed.isEmpty()) {
            // another replica claimed it first, it was FAILED meanwhile, or the engine's lease moved on (its
            // new owner claims it): it never runs twice
            return;
        }
        publish(claimed.get());
        Progress progress = new Progress() {
            @Override
            public void report(int percent, String message) {
                publish(store.update(operation.id(), OperationState.RUNNING, percent, withWarnings(message, warnings), null));
            }

            @Override
            public void changed(UUID workloadId, String revisionMessage) {
                revisions.recordOperation(workloadId, operation.id(), operation.user(), revisionMessage);
            }
        };
        Operation done;
        try {
            Outcome outcome = body.apply(progress);
            Workload produced = outcome.produced();
            UUID workloadId = null;
            UUID changed = null;
            if (produced != null) {
                workloadId = WorkloadIds.of(engine.id(), produced.nativeId());
                storeQuietly(engine, produced);
                changed = workloadId;
            } else if (nativeId != null) {
                refreshQuietly(engine, nativeId);
                changed = WorkloadIds.of(engine.id(), nativeId);
            }
            if (changed != null && outcome.revisionMessage() != null) {
                // before SUCCEEDED: while the operation runs, the sync leaves this change to it (OutsideChanges)
                progress.changed(changed, outcome.revisionMessage());
            }
            done = store.update(operation.id(), OperationState.SUCCEEDED, 100,
                    withWarnings(outcome.message(), warnings), workloadId);
            log.info("{} {} on engine {} by {} succeeded", operation.action(), nativeId == null ? "" : nativeId,
                    engine.name(), operation.user());
        } catch (RuntimeException e) {
            String message = withWarnings(failureMessage(e), warnings);
            done = store.update(operation.id(), OperationState.FAILED, 100, message, null);
            if (operation.workloadId() != null) {
                // the engine may have taken part of it; the sync left the workload alone while this ran
                outsideChanges.operationEnded(operation.workloadId());
            }
            log.info("{} {} on engine {} by {} failed: {}", operation.action(), nativeId == null ? "" : nativeId,
                    engine.name(), operation.user(), message);
        }
        metrics.operationFinished(done.action(), done.state().name());
        publish(done);
    }

    /**
     * @param produced        the workload a deploy produced, or {@code null}
     * @param message         the final message
     * @param revisionMessage the message of the revision the work made, or {@code null} when it made none (or
     *                        its steps recorded their own through {@link Progress#changed})
     */
    private record Outcome(Workload produced, String message, String revisionMessage) {
    }

    static String withWarnings(String message, List<String> warnings) {
        return warnings.isEmpty() ? message : message + "; warnings: " + String.join("; ", warnings);
    }

    /** The engine's words, with every rejected field where the engine named them: the operator fixes all at once. */
    static String failureMessage(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof InvalidSpecException invalid && !invalid.errors().isEmpty()) {
            message += " (" + invalid.errors().stream().map(f -> f.field() + ": " + f.message())
                    .collect(Collectors.joining("; ")) + ")";
        }
        return message;
    }

    /**
     * The engine did what was asked; failing to store its answer now only delays it to the next sync. Waits until it
     * is stored (behind a full resync already running on the engine's sync thread), so that the revision recorded
     * next finds it and the workload id the operation gives answers at once.
     */
    private void storeQuietly(Engine engine, Workload produced) {
        try {
            sync.apply(engine.id(), produced).get(clients.callTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the watch or the next resync stores it
            log.debug("Engine {}: storing {} after an operation failed: {}", engine.name(), produced.nativeId(), e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void refreshQuietly(Engine engine, String nativeId) {
        try {
            sync.refresh(engine.id(), nativeId).get(clients.callTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the next resync or watch event brings the store up to date
            log.debug("Engine {}: refreshing {} after an operation failed: {}", engine.name(), nativeId, e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void publish(Operation operation) {
        stream.publish(LiveStream.OPERATION_UPDATED, operation);
    }

    @PreDestroy
    void close() {
        workers.shutdownNow();
    }
}
