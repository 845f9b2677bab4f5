package io.gantry.revision;

import io.gantry.web.BadRequestException;
import io.gantry.web.ConflictException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** What a rollback needs to know of a workload's revisions. */
@Component
public class Revisions {
    private final RevisionStore store;

    Revisions(RevisionStore store) {
        this.store = store;
    }

    /**
     * The revision a rollback of the workload goes back to.
     *
     * @throws BadRequestException naming {@code revision} when the workload has no such revision (any more)
     */
    public Revision rollbackTarget(UUID workloadId, Integer revision) {
        if (revision == null) {
            throw BadRequestException.field("revision", "must be given: the number of the revision to go back to");
        }
        Revision target = store.find(workloadId, revision).orElseThrow(() -> BadRequestException.field("revision",
                "workload " + workloadId + " has no revision " + revision + " (or it was pruned)"));
        return target;
    }

    /** The revision before the newest one: what "roll back" goes to when no revision is named. */
    public Optional<Revision> previous(UUID workloadId) {
        List<Revision> newest = store.list(workloadId, null, 2);
        return newest.size() < 2 ? Optional.empty() : Optional.of(newest.get(1));
    }

    /** @throws ConflictException when the revision's spec is the one the workload has now: a rollback would change nothing */
    public void requireNotCurrent(UUID workloadId, int revision) {
        if (store.isCurrent(workloadId, revision)) {
            throw new ConflictException("the workload already runs the spec of revision " + revision);
        }
    }
}
