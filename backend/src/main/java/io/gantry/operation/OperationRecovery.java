package io.gantry.operation;

import io.gantry.cluster.EngineLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * At start, before anything can submit new work, and then every few seconds: operations left PENDING or
 * RUNNING by a process that is gone (a previous run of this server, or a replica that was killed) are
 * marked FAILED with a reason; those of live replicas are theirs to finish. Resuming is not safe in
 * general (a half-done deploy may or may not have reached the engine), so the user retries knowingly.
 */
@Component
class OperationRecovery implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(OperationRecovery.class);

    private final OperationStore store;
    private final EngineLeases replicas;
    private volatile boolean running;

    OperationRecovery(OperationStore store, EngineLeases replicas) {
        this.store = store;
        this.replicas = replicas;
    }

    @Override
    public void start() {
        failOrphaned();
        running = true;
    }

    @Scheduled(fixedDelayString = "${gantry.cluster.retry-interval:2s}", initialDelayString = "${gantry.cluster.retry-interval:2s}")
    void failOrphaned() {
        int failed = store.failOrphaned(replicas.liveReplicaIds());
        if (failed > 0) {
            log.warn("Marked {} operation(s) of a server that is gone as FAILED: {}", failed, OperationStore.RESTARTED);
        }
        int engineless = store.failEngineless();
        if (engineless > 0) {
            log.warn("Marked {} operation(s) as FAILED: {}", engineless, OperationStore.ENGINE_REMOVED);
        }
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return -10;
    }
}
