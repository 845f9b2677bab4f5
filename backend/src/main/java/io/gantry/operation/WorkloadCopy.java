package io.gantry.operation;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.spi.Phase;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.sync.SyncCoordinator;
import io.gantry.workload.WorkloadIds;
import io.gantry.workload.WorkloadView;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a copy: deploy the workload on the target engine; for a move, wait until the copy is
 * RUNNING and only then scale the source to 0. Any failure before that point leaves the source as it
 * was (the copy, if it was created, stays on the target for the operator to inspect or delete).
 */
final class WorkloadCopy implements OperationService.Steps {
    static final int DEFAULT_WAIT_SECONDS = 300;
    private static final Logger log = LoggerFactory.getLogger(WorkloadCopy.class);
    private static final long POLL_MILLIS = 500;

    private final EngineClients clients;
    private final SyncCoordinator sync;
    private final WorkloadView source;
    private final Engine target;
    private final WorkloadDefinition copy;
    private final boolean move;
    private final Duration wait;

    WorkloadCopy(EngineClients clients, SyncCoordinator sync, WorkloadView source, Engine target,
                 WorkloadDefinition copy, boolean move, Duration wait) {
        this.clients = clients;
        this.sync = sync;
        this.source = source;
        this.target = target;
        this.copy = copy;
        this.move = move;
        this.wait = wait;
    }

    @Override
    public String run(OperationService.Progress progress) {
        String where = target.name() + " as " + (copy.namespace().isEmpty() ? "" : copy.namespace() + "/") + copy.name();
        progress.report(20, "deploying the copy on " + where);
        Workload deployed = clients.call(target.id(), "copy", c -> c.deploy(copy));
        store(deployed);
        String copyId = WorkloadIds.of(target.id(), deployed.nativeId()).toString();
        progress.changed(WorkloadIds.of(target.id(), deployed.nativeId()), "copy of " + source.engine().name() + " "
                + (source.namespace().isEmpty() ? "" : source.namespace() + "/") + source.name());
        if (!move) {
            return "done: copied to " + where + " (workload " + copyId + ")";
        }
        Workload running = awaitRunning(deployed, progress);
        int before = source.spec().replicas() == null ? 0 : source.spec().replicas();
        progress.report(80, "the copy on " + target.name() + " is RUNNING (" + running.status().running()
                + " running); scaling the source to 0");
        clients.call(source.engine().id(), "scale", c -> {
            c.scale(source.nativeId(), 0);
            return null;
        });
        refreshSource();
        progress.changed(source.id(), "scale to 0 (moved to " + where + ")");
        return "done: moved to " + where + " (workload " + copyId + "); the source was scaled from " + before + " to 0";
    }

    private Workload awaitRunning(Workload deployed, OperationService.Progress progress) {
        long deadline = System.nanoTime() + wait.toNanos();
        Workload current = deployed;
        while (current.status().phase() != Phase.RUNNING) {
            if (current.status().phase() == Phase.FAILED || System.nanoTime() > deadline) {
                throw new IllegalStateException("the copy on " + target.name() + " did not become RUNNING"
                        + (current.status().phase() == Phase.FAILED ? "" : " within " + wait.toSeconds() + " s")
                        + " (phase " + current.status().phase() + ", " + current.status().running() + "/"
                        + current.status().desired() + " running"
                        + (current.status().message().isEmpty() ? "" : ": " + current.status().message())
                        + "); the source was left as it was");
            }
            sleep();
            String nativeId = current.nativeId();
            Optional<Workload> seen = clients.call(target.id(), "read the copy", c -> c.getWorkload(nativeId));
            if (seen.isEmpty()) {
                throw new IllegalStateException("the copy on " + target.name() + " disappeared before it was RUNNING; "
                        + "the source was left as it was");
            }
            current = seen.get();
            store(current);
            progress.report(50, "waiting for the copy on " + target.name() + " to be RUNNING: "
                    + current.status().phase() + ", " + current.status().running() + "/" + current.status().desired()
                    + " running");
        }
        return current;
    }

    /** The engine did it; failing to store its answer only delays it to the next sync. Waits for the store (the revision reads it). */
    private void store(Workload workload) {
        try {
            sync.apply(target.id(), workload).get(clients.callTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("Engine {}: storing the copy {} failed: {}", target.name(), workload.nativeId(), e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void refreshSource() {
        try {
            sync.refresh(source.engine().id(), source.nativeId())
                    .get(clients.callTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the next resync or watch event brings the store up to date
            log.debug("Engine {}: refreshing {} after a move failed: {}", source.engine().name(), source.nativeId(),
                    e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the copy");
        }
    }
}
