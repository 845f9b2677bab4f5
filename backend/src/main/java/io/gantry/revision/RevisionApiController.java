package io.gantry.revision;

import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.web.Page;
import io.gantry.workload.CursorCodec;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadView;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A workload's revisions, newest first, one of them, and the diff of two (API.md "Revisions"). */
@RestController
@RequestMapping("/api/v1/workloads/{id}/revisions")
class RevisionApiController {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    /** The cursor's sort: revisions are listed one way only, newest first. */
    private static final String SORT = "revision";

    private final RevisionStore store;
    private final WorkloadStore workloads;
    private final RevisionViews views;
    private final CursorCodec cursors;

    private final WorkloadAccess access;
    RevisionApiController(RevisionStore store, WorkloadStore workloads, RevisionViews views, CursorCodec cursors, WorkloadAccess access) {
        this.access = access;
        this.store = store;
        this.cursors = cursors;
        this.workloads = workloads;
        this.views = views;
    }

    /** @param cursor the {@code nextCursor} of the previous page: the revisions older than its last one follow */
    @GetMapping
    Page<Revision> list(@PathVariable UUID id, @RequestParam(required = false) Integer limit,
                        @RequestParam(required = false) String cursor) {
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        Integer before = cursor == null || cursor.isEmpty() ? null : revisionCursor(id, cursor);
        WorkloadView w = workload(id);
        List<Revision> page = store.list(id, before, n + 1);
        String next = page.size() > n ? cursors.encode(new CursorCodec.Position(SORT,
                Integer.toString(page.get(n - 1).revision()), id.toString())) : null;
        List<Revision> items = page.size() > n ? page.subList(0, n) : page;
        return new Page<>(views.shown(w, items), store.count(id), next);
    }

    @GetMapping("/{revision}")
    Revision get(@PathVariable UUID id, @PathVariable int revision) {
        WorkloadView w = workload(id);
        Revision r = store.find(id, revision).orElseThrow(() -> new NotFoundException("revision " + revision
                + " of workload '" + id + "' does not exist (or was pruned)"));
        return views.shown(w, List.of(r)).get(0);
    }

    /** The spec rows of {@code /api/v1/compare} between revisions {@code from} and {@code to}. */
    @GetMapping("/diff")
    SpecDiff diff(@PathVariable UUID id, @RequestParam int from, @RequestParam int to) {
        WorkloadView w = workload(id);
        Revision a = store.find(id, from).orElseThrow(() -> BadRequestException.field("from", "no revision " + from));
        Revision b = store.find(id, to).orElseThrow(() -> BadRequestException.field("to", "no revision " + to));
        return views.diff(w, a.spec(), b.spec());
    }

    private WorkloadView workload(UUID id) {
        return access.readable(id);
    }

    /** The revision a cursor of this workload's list stopped at. */
    private int revisionCursor(UUID id, String cursor) {
        CursorCodec.Position p = cursors.decode(cursor);
        if (!p.sort().equals(SORT) || !p.id().equals(id.toString())) {
            throw BadRequestException.field("cursor", "is a cursor of another list");
        }
        return Integer.parseInt(p.key());
    }
}
