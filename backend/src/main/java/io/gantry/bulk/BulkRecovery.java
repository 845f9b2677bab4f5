package io.gantry.bulk;

import io.gantry.cluster.EngineLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs whose replica is gone (a restart of this server, a killed replica) are marked FAILED with a reason, as
 * OperationRecovery does for operations: resuming would submit the next batches with no one watching the first, and
 * the user who started it may have lost the grants meanwhile, so they start the rest again knowingly.
 */
@Component
class BulkRecovery {
    private static final Logger log = LoggerFactory.getLogger(BulkRecovery.class);

    private final BulkRunStore store;
    private final EngineLeases replicas;

    BulkRecovery(BulkRunStore store, EngineLeases replicas) {
        this.store = store;
        this.replicas = replicas;
    }

    @Scheduled(fixedDelayString = "${gantry.cluster.retry-interval:2s}", initialDelay = 0)
    void failOrphaned() {
        int failed = store.failOrphaned(replicas.liveReplicaIds());
        if (failed > 0) {
            log.warn("Marked {} bulk run(s) of a server that is gone as FAILED", failed);
        }
    }
}
