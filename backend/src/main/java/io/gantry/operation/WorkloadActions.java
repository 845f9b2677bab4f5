package io.gantry.operation;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineStore;
import io.gantry.engine.PrivilegedRuntimes;
import io.gantry.revision.Revision;
import io.gantry.revision.Revisions;
import io.gantry.spi.Capability;
import io.gantry.spi.WorkloadSpec;
import io.gantry.web.NotFoundException;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The workload actions as the routes under {@code /api/v1/workloads/{id}} do them, for callers that act on many
 * workloads (bulk runs): the same access checks, the same engine checks, the same journaled operations.
 */
@Component
public class WorkloadActions {
    private final OperationService operations;
    private final OperationStore store;
    private final EngineStore engines;
    private final PrivilegedRuntimes runtimes;
    private final Revisions revisions;
    private final WorkloadAccess access;
    private final WorkloadCopyApiController copies;
    private final SpecReferences references;

    WorkloadActions(OperationService operations, OperationStore store, EngineStore engines, PrivilegedRuntimes runtimes,
                    Revisions revisions, WorkloadAccess access, WorkloadCopyApiController copies,
                    SpecReferences references) {
        this.references = references;
        this.operations = operations;
        this.store = store;
        this.engines = engines;
        this.runtimes = runtimes;
        this.revisions = revisions;
        this.access = access;
        this.copies = copies;
    }

    // scale, restart and delete run nothing new: an OPERATOR may do them to a workload on a privileged runtime too

    public Operation scale(UUID id, int replicas, String key) {
        WorkloadView w = access.operable(id);
        return operations.submit("scale", engine(w), id, Capability.SCALE, key, Map.of("replicas", replicas),
                new EngineWork.Scale(w.nativeId(), replicas));
    }

    public Operation restart(UUID id, String key) {
        WorkloadView w = access.operable(id);
        return operations.submit("restart", engine(w), id, Capability.RESTART, key, Map.of(),
                new EngineWork.Restart(w.nativeId()));
    }

    public Operation delete(UUID id, String key) {
        WorkloadView w = access.operable(id);
        return operations.submit("delete", engine(w), id, Capability.DELETE, key, Map.of(),
                new EngineWork.Delete(w.nativeId()));
    }

    /**
     * Sets the workload's labels to {@code labels} (what the engine keeps for itself, the adapter keeps); the spec
     * stays, so an OPERATOR may do it on a privileged runtime too.
     */
    public Operation relabel(UUID id, Map<String, String> labels, String key) {
        WorkloadView w = access.operable(id);
        return operations.submit("label", engine(w), id, Capability.LABEL, key, Map.of("labels", List.copyOf(labels.keySet())),
                new EngineWork.Relabel(w.nativeId(), labels));
    }

    /** Replaces the spec; a spec on a privileged runtime takes an ADMIN. */
    public Operation update(UUID id, WorkloadSpec spec, String key) {
        WorkloadRequests.checkSpec(spec);
        WorkloadView w = access.operable(id);
        runtimes.requireAllowed(engine(w), spec);
        references.requireExisting(engine(w), w.namespace(), spec);
        return operations.submit("update", engine(w), id, Capability.UPDATE, key,
                Map.of("image", String.valueOf(spec.image())), new EngineWork.Update(w.nativeId(), spec));
    }

    /**
     * Back to the spec of revision {@code revision}; going back to the spec that runs now is a 409: it would change
     * nothing. A spec that runs on a privileged runtime takes an ADMIN, as for an update.
     */
    public Operation rollback(UUID id, Integer revision, String key) {
        WorkloadView w = access.operable(id);
        Revision target = revisions.rollbackTarget(id, revision);
        runtimes.requireAllowed(engine(w), target.spec());
        return operations.submit("rollback", engine(w), id, Capability.UPDATE, key,
                Map.of("revision", target.revision(), "image", String.valueOf(target.spec().image())),
                new EngineWork.Rollback(w.nativeId(), target.spec(), target.engineRevision(), target.revision()),
                () -> revisions.requireNotCurrent(id, target.revision()));
    }

    /** A copy to {@code targetEngine} under the same namespace and name, as {@code POST .../copy} does it. */
    public Operation copy(UUID id, String targetEngine, String key) {
        return copies.copy(id, new WorkloadRequests.Copy(targetEngine, null, null, false, null), key).getBody();
    }

    /** An operation by id, unscoped: for work that journaled it itself. */
    public Optional<Operation> find(UUID operationId) {
        return store.find(operationId);
    }

    private Engine engine(WorkloadView w) {
        return engines.find(w.engine().id()).orElseThrow(() -> new NotFoundException("engine", w.engine().id()));
    }
}
