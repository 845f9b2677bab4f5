package io.gantry.revision;

import io.gantry.stream.LiveStream;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Records the revisions of changes Gantry makes, and announces every new revision on the live stream
 * ({@value LiveStream#WORKLOAD_REVISION}).
 */
@Component
public class RevisionRecorder {
    private static final Logger log = LoggerFactory.getLogger(RevisionRecorder.class);

    private final RevisionStore store;
    private final LiveStream stream;

    RevisionRecorder(RevisionStore store, LiveStream stream) {
        this.store = store;
        this.stream = stream;
    }

    /**
     * An operation changed the workload and the store holds it as the engine read it back: records that spec.
     * Called while the operation is still RUNNING, so that the sync, which leaves a workload alone while an
     * operation may be changing it, cannot record the same change as one made outside Gantry.
     * A failure is logged, not thrown: the engine did what was asked, and the sync records the spec later.
     */
    public void recordOperation(UUID workloadId, UUID operationId, String user, String message) {
        try {
            store.recordGantry(workloadId, user, operationId, message).ifPresent(r -> announce(workloadId, r));
        } catch (RuntimeException e) {
            log.warn("Revision of workload {} after operation {} could not be recorded: {}", workloadId, operationId,
                    e.toString());
        }
    }

    void announce(UUID workloadId, Revision r) {
        stream.publish(LiveStream.WORKLOAD_REVISION, new Announced(workloadId, r.revision(), r.createdAt(), r.user(),
                r.source(), r.operationId(), r.message()));
    }

    Optional<Revision> announced(UUID workloadId, Optional<Revision> recorded) {
        recorded.ifPresent(r -> announce(workloadId, r));
        return recorded;
    }

    /** The stream event's data: the revision without its spec (API.md "workload.revision"). */
    record Announced(UUID workloadId, int revision, Instant createdAt, String user, String source, UUID operationId,
                     String message) {
    }
}
