package io.gantry.bulk;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.security.Role;
import io.gantry.web.CurrentUser;
import io.gantry.web.NotFoundException;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bulk actions (API.md "Bulk and search"): a preview that changes nothing, a run in batches, its progress, a cancel.
 * A run is seen by its user and by whoever reads everywhere; a scoped user sees only their own runs, and only the
 * items within their grants.
 */
@RestController
@RequestMapping("/api/v1/bulk")
class BulkApiController {
    private final BulkPlanner planner;
    private final BulkRunner runner;
    private final BulkRunStore store;
    private final Scopes scopes;

    BulkApiController(BulkPlanner planner, BulkRunner runner, BulkRunStore store, Scopes scopes) {
        this.planner = planner;
        this.runner = runner;
        this.store = store;
        this.scopes = scopes;
    }

    @PostMapping("/preview")
    BulkPlanner.BulkPlan preview(@Valid @RequestBody BulkRequests.BulkPreviewRequest body) {
        return planner.plan(body);
    }

    @PostMapping
    ResponseEntity<BulkRunner.BulkStarted> run(@Valid @RequestBody BulkRequests.BulkRunRequest body) {
        BulkRunner.BulkStarted started = runner.start(body);
        return ResponseEntity.accepted().location(URI.create("/api/v1/bulk/" + started.id())).body(started);
    }

    /** @param total items in the batch; the counts are by item state */
    record BulkBatch(int batch, String state, int total, int succeeded, int failed, int running) {
    }

    record BulkItem(UUID workloadId, String workloadName, String engine, String namespace, int batch, UUID operationId,
                String state, String message) {
    }

    record BulkProgress(UUID id, String action, String user, String state, String message, int currentBatch,
                    List<BulkBatch> batches, List<BulkItem> items, Instant createdAt, Instant finishedAt) {
    }

    @GetMapping("/{id}")
    BulkProgress progress(@PathVariable UUID id) {
        BulkRunStore.Run run = visible(id);
        Scope scope = scopes.current();
        List<BulkRunStore.Item> items = store.items(id).stream()
                .filter(i -> scope.allows(Role.VIEWER, i.engine(), i.namespace())).toList();
        int batches = items.stream().mapToInt(BulkRunStore.Item::batch).max().orElse(0);
        List<BulkBatch> perBatch = new java.util.ArrayList<>();
        for (int b = 1; b <= batches; b++) {
            int n = b;
            List<BulkRunStore.Item> in = items.stream().filter(i -> i.batch() == n).toList();
            perBatch.add(new BulkBatch(b, batchState(run, n, in), in.size(), count(in, "SUCCEEDED"), count(in, "FAILED"),
                    count(in, "RUNNING")));
        }
        return new BulkProgress(run.id(), run.action(), run.user(), run.state(), run.message(), run.currentBatch(), perBatch,
                items.stream().map(i -> new BulkItem(i.workloadId(), i.workloadName(), i.engine(), i.namespace(), i.batch(),
                        i.operationId(), i.state(), i.message())).toList(), run.createdAt(), run.finishedAt());
    }

    @PostMapping("/{id}/cancel")
    BulkProgress cancel(@PathVariable UUID id) {
        BulkRunStore.Run run = visible(id);
        if (!run.user().equals(CurrentUser.username()) && !scopes.current().everywhere(Role.OPERATOR)) {
            throw new io.gantry.web.ForbiddenException("bulk", "only its user or a global OPERATOR cancels a run");
        }
        runner.cancel(id);
        return progress(id);
    }

    private BulkRunStore.Run visible(UUID id) {
        BulkRunStore.Run run = store.find(id).orElseThrow(() -> new NotFoundException("bulk run", id));
        if (!run.user().equals(CurrentUser.username()) && !scopes.current().everywhere(Role.VIEWER)) {
            throw new NotFoundException("bulk run", id);
        }
        return run;
    }

    private static String batchState(BulkRunStore.Run run, int batch, List<BulkRunStore.Item> in) {
        if (in.stream().anyMatch(i -> i.state().equals("RUNNING"))) {
            return "RUNNING";
        }
        if (in.stream().anyMatch(i -> i.state().equals("FAILED"))) {
            return "FAILED";
        }
        if (in.stream().allMatch(i -> i.state().equals("SUCCEEDED"))) {
            return "SUCCEEDED";
        }
        if (in.stream().allMatch(i -> i.state().equals("PENDING"))) {
            return batch <= run.currentBatch() ? "RUNNING" : "PENDING";
        }
        return in.stream().anyMatch(i -> i.state().equals("CANCELLED")) ? "CANCELLED" : "SKIPPED";
    }

    private static int count(List<BulkRunStore.Item> in, String state) {
        return (int) in.stream().filter(i -> i.state().equals(state)).count();
    }
}
