package io.gantry.operation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * At start, before anything can submit new work: operations a previous process left PENDING or
 * RUNNING are marked FAILED with a reason. Resuming is not safe in general (a half-done deploy may
 * or may not have reached the engine), so the user retries knowingly.
 */
@Component
class OperationRecovery implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(OperationRecovery.class);

    private final OperationStore store;
    private volatile boolean running;

    OperationRecovery(OperationStore store) {
        this.store = store;
    }

    @Override
    public void start() {
        int failed = store.failUnfinished();
        if (failed > 0) {
            log.warn("Marked {} operation(s) of a previous run as FAILED: {}", failed, OperationStore.RESTARTED);
        }
        running = true;
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
