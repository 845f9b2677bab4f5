package io.gantry.bulk;

import io.gantry.cluster.ReplicaId;
import io.gantry.operation.Operation;
import io.gantry.operation.OperationState;
import io.gantry.operation.WorkloadActions;
import io.gantry.security.Role;
import io.gantry.spi.Phase;
import io.gantry.web.ConflictException;
import io.gantry.web.CurrentUser;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadView;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts bulk runs and drives them batch by batch. Each item is a normal operation ({@link WorkloadActions}: audited,
 * idempotent under the key {@code bulk-<run>-<position>}, listed under its workload), submitted as the run's user with
 * the role they had when they started it, so later batches stay within their grants. A batch is done when each of
 * its operations SUCCEEDED and its workload is settled (RUNNING again; STOPPED after a scale to 0; gone after a
 * delete) or failed; the next starts {@code pauseSeconds} later. State lives in {@link BulkRunStore}; one lock
 * orders the request thread's first batch and the scheduler's ticks.
 */
@Component
class BulkRunner {
    private static final Logger log = LoggerFactory.getLogger(BulkRunner.class);

    private final BulkPlanner planner;
    private final BulkRunStore store;
    private final WorkloadActions actions;
    private final WorkloadStore workloads;
    private final ReplicaId replica;
    private final JsonMapper json;
    private final Duration settleTimeout;
    private final Object lock = new Object();
    private final ScheduledExecutorService ticker;

    BulkRunner(BulkPlanner planner, BulkRunStore store, WorkloadActions actions, WorkloadStore workloads,
               ReplicaId replica, JsonMapper json,
               @Value("${gantry.bulk.settle-timeout:5m}") Duration settleTimeout,
               @Value("${gantry.bulk.tick:500ms}") Duration tick) {
        this.planner = planner;
        this.store = store;
        this.actions = actions;
        this.workloads = workloads;
        this.replica = replica;
        this.json = json;
        this.settleTimeout = settleTimeout;
        // a thread of its own: a tick may wait on an engine's check (within its call timeout), which must not hold
        // up the scheduled work of the rest of the server
        CustomizableThreadFactory threads = new CustomizableThreadFactory("bulk-runner-");
        threads.setDaemon(true);
        this.ticker = Executors.newSingleThreadScheduledExecutor(threads);
        ticker.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @param operations those of the first batch */
    record BulkStarted(UUID id, String state, List<Operation> operations) {
    }

    BulkStarted start(BulkRequests.BulkRunRequest request) {
        BulkPlanner.BulkPlan plan = planner.plan(request.preview());
        if (request.expectTotal() != null && request.expectTotal() != plan.total()) {
            throw new ConflictException("the selector matches " + plan.total() + " workloads now, not the "
                    + request.expectTotal() + " expected; preview again");
        }
        int batchSize = request.batchSize() == null ? Math.max(1, plan.allowedCount()) : request.batchSize();
        List<BulkRunStore.Item> items = new ArrayList<>();
        int allowed = 0;
        for (BulkPlanner.BulkPlanItem i : plan.items()) {
            int batch = i.allowed() ? allowed++ / batchSize + 1 : 0;
            items.add(new BulkRunStore.Item(items.size(), i.workload().id(), i.workload().name(), i.workload().engine(),
                    i.workload().namespace(), batch, null, i.allowed() ? "PENDING" : "SKIPPED", i.reason()));
        }
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        String role = caller == null ? Role.NONE.name() : Role.of(caller).orElse(Role.NONE).name();
        BulkRunStore.Run run = new BulkRunStore.Run(UUID.randomUUID(), CurrentUser.username(), role, request.action(),
                json.writeValueAsString(request.params() == null ? Map.of() : request.params()), batchSize,
                request.pauseSeconds() == null ? 0 : request.pauseSeconds(),
                Boolean.TRUE.equals(request.stopOnFailure()), "RUNNING", null, 0, null, Instant.now(), null);
        synchronized (lock) {
            store.insert(run, json.writeValueAsString(request.selector()), replica.value(), items);
            log.info("Bulk {} {} by {}: {} item(s), {} refused", run.id(), run.action(), run.user(), items.size(),
                    items.size() - allowed);
            advance(run.id());
        }
        List<Operation> operations = store.items(run.id()).stream().filter(i -> i.operationId() != null)
                .map(i -> actions.find(i.operationId())).flatMap(Optional::stream).toList();
        return new BulkStarted(run.id(), store.find(run.id()).orElseThrow().state(), operations);
    }

    /** @return whether it was running (a finished run is not cancelled again) */
    boolean cancel(UUID id) {
        synchronized (lock) {
            boolean cancelled = store.finish(id, "CANCELLED", "cancelled by " + CurrentUser.username());
            if (cancelled) {
                store.endPending(id, "CANCELLED", "cancelled before it started");
            }
            return cancelled;
        }
    }

    void tick() {
        List<UUID> active;
        try {
            active = store.active(replica.value());
        } catch (RuntimeException e) {
            // the database is away for a moment (or the server is stopping): the next tick tries again
            log.debug("Bulk runs: {}", e.toString());
            return;
        }
        for (UUID id : active) {
            try {
                synchronized (lock) {
                    advance(id);
                }
            } catch (RuntimeException e) {
                log.warn("Bulk {}: {}", id, e.toString());
            }
        }
    }

    private void advance(UUID id) {
        BulkRunStore.Run run = store.find(id).orElseThrow();
        List<BulkRunStore.Item> items = store.items(id);
        for (BulkRunStore.Item item : items) {
            if (item.state().equals("RUNNING")) {
                follow(run, item);
            }
        }
        if (!run.state().equals("RUNNING")) {
            return;
        }
        items = store.items(id);
        List<BulkRunStore.Item> current = items.stream().filter(i -> i.batch() == run.currentBatch()).toList();
        if (current.stream().anyMatch(i -> i.state().equals("RUNNING") || i.state().equals("PENDING"))
                && run.currentBatch() > 0) {
            return;
        }
        Optional<BulkRunStore.Item> failed = items.stream().filter(i -> i.state().equals("FAILED")).findFirst();
        if (failed.isPresent() && run.stopOnFailure()) {
            String why = "stopped: " + failed.get().workloadName() + " failed";
            store.endPending(id, "SKIPPED", why);
            store.finish(id, "FAILED", why);
            return;
        }
        int next = run.currentBatch() + 1;
        if (items.stream().noneMatch(i -> i.batch() == next)) {
            long failures = items.stream().filter(i -> i.state().equals("FAILED")).count();
            store.finish(id, failures == 0 ? "SUCCEEDED" : "FAILED", failures == 0 ? "done" : failures + " item(s) failed");
            return;
        }
        if (run.currentBatch() > 0) {
            Instant now = Instant.now();
            store.batchDone(id, now);
            Instant doneAt = run.batchDoneAt() == null ? now : run.batchDoneAt();
            if (now.isBefore(doneAt.plusSeconds(run.pauseSeconds()))) {
                return;
            }
        }
        store.startBatch(id, next);
        for (BulkRunStore.Item item : items) {
            if (item.batch() == next) {
                submit(run, item);
            }
        }
    }

    private void submit(BulkRunStore.Run run, BulkRunStore.Item item) {
        String key = "bulk-" + run.id() + "-" + item.position();
        BulkParams params = BulkParams.of(BulkAction.of(run.action()), json.readValue(run.paramsJson(), Map.class));
        try {
            Operation op = asUser(run, () -> switch (BulkAction.of(run.action())) {
                case SCALE -> actions.scale(item.workloadId(), params.replicas(), key);
                case RESTART -> actions.restart(item.workloadId(), key);
                case DELETE -> actions.delete(item.workloadId(), key);
                case UPDATE -> actions.update(item.workloadId(),
                        params.updated(workloads.find(item.workloadId()).orElseThrow().spec()), key);
                case ROLLBACK -> actions.rollback(item.workloadId(), previousRevision(item.workloadId()), key);
                case COPY -> actions.copy(item.workloadId(), params.targetEngine(), key);
                case LABEL -> actions.relabel(item.workloadId(),
                        params.relabeled(workloads.find(item.workloadId()).orElseThrow().labels()), key);
            });
            store.updateItem(run.id(), item.position(), "RUNNING", op.id(), op.message());
        } catch (RuntimeException e) {
            store.updateItem(run.id(), item.position(), "FAILED", null, e.getMessage());
        }
    }

    private Integer previousRevision(UUID workloadId) {
        return planner.previousRevision(workloadId);
    }

    /** An item's operation and workload: SUCCEEDED once both are done, FAILED when either fails or it takes too long. */
    private void follow(BulkRunStore.Run run, BulkRunStore.Item item) {
        Operation op = actions.find(item.operationId()).orElse(null);
        if (op == null) {
            store.updateItem(run.id(), item.position(), "FAILED", null, "its operation is gone");
            return;
        }
        if (op.state() == OperationState.FAILED) {
            store.updateItem(run.id(), item.position(), "FAILED", null, op.message());
        } else if (op.state() == OperationState.SUCCEEDED) {
            if (settled(run, item)) {
                store.updateItem(run.id(), item.position(), "SUCCEEDED", null, op.message());
            } else if (!run.state().equals("RUNNING")
                    || Instant.now().isAfter(op.finishedAt().plus(settleTimeout))) {
                store.updateItem(run.id(), item.position(), run.state().equals("RUNNING") ? "FAILED" : "SUCCEEDED",
                        null, run.state().equals("RUNNING") ? "not RUNNING again within " + settleTimeout
                                : op.message());
            }
        }
    }

    private boolean settled(BulkRunStore.Run run, BulkRunStore.Item item) {
        Optional<WorkloadView> w = workloads.find(item.workloadId());
        BulkAction action = BulkAction.of(run.action());
        if (action == BulkAction.LABEL) {
            // labels change no instance: the operation's success is the whole of it
            return true;
        }
        if (action == BulkAction.DELETE || action == BulkAction.COPY) {
            // a copy's operation waits for the copy to run itself; the source is left as it was
            return action == BulkAction.COPY || w.isEmpty();
        }
        if (w.isEmpty()) {
            return false;
        }
        Phase phase = w.get().status().phase();
        Integer desired = w.get().spec().replicas();
        return desired != null && desired == 0 ? phase == Phase.STOPPED : phase == Phase.RUNNING;
    }

    @PreDestroy
    void close() {
        ticker.shutdownNow();
    }

    /** Runs {@code work} as the run's user with the role they started it with, then puts the caller's context back. */
    private static <T> T asUser(BulkRunStore.Run run, Supplier<T> work) {
        SecurityContext before = SecurityContextHolder.getContext();
        SecurityContext as = SecurityContextHolder.createEmptyContext();
        as.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(run.user(), null,
                List.of(new SimpleGrantedAuthority(Role.valueOf(run.role()).authority()))));
        SecurityContextHolder.setContext(as);
        try {
            return work.get();
        } finally {
            SecurityContextHolder.setContext(before);
        }
    }
}
