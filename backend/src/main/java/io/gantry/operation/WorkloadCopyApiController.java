package io.gantry.operation;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineClients;
import io.gantry.engine.EngineStore;
import io.gantry.engine.PrivilegedRuntimes;
import io.gantry.spi.Capability;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.spi.WorkloadSpec;
import io.gantry.sync.SyncCoordinator;
import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadView;
import jakarta.validation.Valid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Copies (or, with {@code moveReplicas}, moves) a workload to another engine; the operation is filed under the target. */
@RestController
class WorkloadCopyApiController {
    private final OperationService operations;
    private final EngineStore engines;
    private final WorkloadStore workloads;
    private final EngineClients clients;
    private final SyncCoordinator sync;
    private final PrivilegedRuntimes runtimes;
    private final WorkloadAccess access;
    private final SpecReferences references;

    WorkloadCopyApiController(OperationService operations, EngineStore engines, WorkloadStore workloads,
                              EngineClients clients, SyncCoordinator sync, PrivilegedRuntimes runtimes,
                              WorkloadAccess access, SpecReferences references) {
        this.references = references;
        this.access = access;
        this.runtimes = runtimes;
        this.operations = operations;
        this.engines = engines;
        this.workloads = workloads;
        this.clients = clients;
        this.sync = sync;
    }

    @PostMapping("/api/v1/workloads/{id}/copy")
    ResponseEntity<Operation> copy(@PathVariable UUID id, @Valid @RequestBody WorkloadRequests.Copy body,
                                   @RequestHeader(name = WorkloadActionApiController.IDEMPOTENCY_KEY, required = false)
                                   String key) {
        // moving replicas scales the source: that takes OPERATOR on it; a plain copy only reads it
        WorkloadView source = Boolean.TRUE.equals(body.moveReplicas()) ? access.operable(id) : access.readable(id);
        Engine target = engines.findByIdOrName(body.targetEngine()).orElseThrow(() -> BadRequestException.field(
                "targetEngine", "no engine has the id or name '" + body.targetEngine() + "'"));
        boolean move = Boolean.TRUE.equals(body.moveReplicas());
        WorkloadDefinition original = source.definition();
        String namespace = body.namespace() == null ? original.namespace() : body.namespace();
        String name = body.name() == null || body.name().isBlank() ? original.name() : body.name();
        if (target.id().equals(source.engine().id()) && namespace.equals(source.namespace()) && name.equals(source.name())) {
            throw BadRequestException.field("name", "a copy on the same engine needs another namespace or name");
        }
        if (move && source.spec().replicas() == null) {
            throw BadRequestException.field("moveReplicas", "a " + source.kind() + " without a replica count cannot be "
                    + "scaled to 0; copy it, then delete the source");
        }
        List<String> warnings = new ArrayList<>();
        WorkloadSpec spec = original.spec();
        if (spec.runtime() != null && !target.kind().equals(source.engine().kind())) {
            // runtime names a choice of one engine kind (the agent's raw|runc); another kind would refuse it
            warnings.add("runtime '" + spec.runtime() + "' is not carried to a " + target.kind() + " engine");
            spec = new WorkloadSpec(spec.image(), spec.command(), spec.args(), spec.env(), spec.ports(),
                    spec.resources(), spec.replicas(), spec.healthCheck(), spec.constraints(), null, spec.secrets());
        }
        WorkloadDefinition copy = new WorkloadDefinition(namespace, name, original.kind(), original.labels(), spec);
        access.requireOperator(target.name(), namespace);
        operations.requireCapability(target, Capability.DEPLOY);
        runtimes.requireAllowed(target, copy.spec());
        // the copy's references name objects the target must keep too: a copy does not carry values across engines
        references.requireExisting(target, namespace, copy.spec());
        // what the target would refuse (a name it cannot take, a port another service holds) is a 422 now
        clients.call(target.id(), "check copy", client -> {
            client.checkDeploy(copy);
            return null;
        });
        if (move) {
            Engine sourceEngine = engines.find(source.engine().id())
                    .orElseThrow(() -> new NotFoundException("engine", source.engine().id()));
            operations.requireCapability(sourceEngine, Capability.SCALE);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("source", id);
        request.put("targetEngine", target.id());
        request.put("namespace", namespace);
        request.put("name", name);
        request.put("moveReplicas", move);
        Duration wait = Duration.ofSeconds(body.waitSeconds() == null ? WorkloadCopy.DEFAULT_WAIT_SECONDS : body.waitSeconds());
        return WorkloadActionApiController.accepted(operations.submitSteps("copy", target, id, key, request, warnings,
                new WorkloadCopy(clients, sync, source, target, copy, move, wait)));
    }
}
