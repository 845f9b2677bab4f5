package io.gantry.workload;

import io.gantry.web.BadRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The workloads a set of list filter terms (or a list of ids) names, as the caller may see them: what a bulk action
 * acts on. The filter terms go through the list's own parsing and query ({@link WorkloadLister}), so that a
 * selector matches exactly the rows the workloads page shows for the same filter.
 */
@Component
public class WorkloadSelection {
    /** A bulk run's bound; a selector matching more is a 400 (narrow the filter). */
    public static final int MAX = 1000;

    private final WorkloadLister lister;
    private final WorkloadAccess access;

    WorkloadSelection(WorkloadLister lister, WorkloadAccess access) {
        this.lister = lister;
        this.access = access;
    }

    /**
     * @param label {@code k=v} terms, all of which must match
     * @throws BadRequestException naming the term that is not valid (as the list would), or {@code selector} when it
     *                             matches more than {@link #MAX}
     */
    public List<WorkloadView> matching(String engine, String engineKind, String namespace, String kind, String phase, List<String> label,
                                       String q) {
        WorkloadQuery query = lister.parse(engine, engineKind, namespace, kind, phase, label, q, null, null, null);
        List<WorkloadView> found = lister.all(query, MAX);
        if (found.size() > MAX) {
            throw BadRequestException.field("selector", "matches more than " + MAX + " workloads; narrow it");
        }
        return found;
    }

    /** The workloads of {@code ids} in that order, each as {@link WorkloadAccess#readable} finds it (404 outside the grants). */
    public List<WorkloadView> byIds(List<UUID> ids) {
        if (ids.size() > MAX) {
            throw BadRequestException.field("selector.ids", "more than " + MAX + " ids");
        }
        List<WorkloadView> found = new ArrayList<>();
        for (UUID id : ids.stream().distinct().toList()) {
            found.add(access.readable(id));
        }
        return found;
    }
}
