package io.gantry.operation;

import io.gantry.engine.Engine;
import io.gantry.engine.EngineStore;
import io.gantry.engine.PrivilegedRuntimes;
import io.gantry.revision.SpecPreview;
import io.gantry.spi.Capability;
import io.gantry.spi.WorkloadDefinition;
import io.gantry.web.BadRequestException;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.gantry.web.NotFoundException;
import io.gantry.workload.WorkloadAccess;
import io.gantry.workload.WorkloadStore;
import io.gantry.workload.WorkloadView;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Mutating workload calls: each answers 202 with the Operation that carries it out. */
@RestController
@RequestMapping("/api/v1")
class WorkloadActionApiController {
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final OperationService operations;
    private final EngineStore engines;
    private final WorkloadStore workloads;
    private final PrivilegedRuntimes runtimes;
    private final WorkloadActions actions;
    private final SpecPreview preview;
    private final WorkloadAccess access;
    private final SpecReferences references;

    WorkloadActionApiController(OperationService operations, EngineStore engines, WorkloadStore workloads,
                                PrivilegedRuntimes runtimes, WorkloadActions actions, SpecPreview preview,
                                WorkloadAccess access, SpecReferences references) {
        this.access = access;
        this.references = references;
        this.operations = operations;
        this.actions = actions;
        this.preview = preview;
        this.engines = engines;
        this.workloads = workloads;
        this.runtimes = runtimes;
    }

    @PostMapping("/workloads")
    ResponseEntity<Operation> deploy(@Valid @RequestBody WorkloadRequests.Deploy body,
                                     @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        WorkloadRequests.checkSpec(body.spec());
        Engine engine = engines.findByIdOrName(body.engine())
                .orElseThrow(() -> BadRequestException.field("engine", "no engine has the id or name '" + body.engine() + "'"));
        access.requireOperator(engine.name(), body.namespace());
        runtimes.requireAllowed(engine, body.spec());
        references.requireExisting(engine, body.namespace(), body.spec());
        WorkloadDefinition definition = new WorkloadDefinition(body.namespace(), body.name(), body.kind(),
                body.labels(), body.spec());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("engine", engine.id());
        request.put("namespace", definition.namespace());
        request.put("name", definition.name());
        request.put("kind", definition.kind());
        request.put("image", body.spec().image());
        return accepted(operations.submit("deploy", engine, null, Capability.DEPLOY, key, request,
                new EngineWork.Deploy(definition)));
    }

    /**
     * Replaces the spec (202 with the operation); with {@code dryRun=true} changes nothing and answers 200 with the
     * diff against the current spec and the engine's validation of the new one ({@link SpecPreview.Preview}).
     */
    @PutMapping("/workloads/{id}/spec")
    @ApiResponse(responseCode = "202", description = "the update's operation",
            content = @Content(schema = @Schema(implementation = Operation.class)))
    @ApiResponse(responseCode = "200", description = "with dryRun=true: what would change, and the engine's answer",
            content = @Content(schema = @Schema(implementation = SpecPreview.Preview.class)))
    ResponseEntity<?> update(@PathVariable UUID id, @Valid @RequestBody WorkloadRequests.UpdateSpec body,
                             @RequestParam(defaultValue = "false") boolean dryRun,
                             @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        if (dryRun) {
            WorkloadRequests.checkSpec(body.spec());
            WorkloadView w = access.operable(id);
            runtimes.requireAllowed(engine(w), body.spec());
            references.requireExisting(engine(w), w.namespace(), body.spec());
            return ResponseEntity.ok(preview.of(w, body.spec()));
        }
        return accepted(actions.update(id, body.spec(), key));
    }

    /**
     * Puts the workload back to the spec of one of its revisions (202 with the operation {@code rollback}); the
     * engine rolls back its own way where it still holds that revision. Going back to the spec that runs now is a
     * 409: it would change nothing. A spec that runs on a privileged runtime takes an ADMIN, as for an update.
     */
    @PostMapping("/workloads/{id}/rollback")
    ResponseEntity<Operation> rollback(@PathVariable UUID id, @RequestBody WorkloadRequests.Rollback body,
                                       @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        return accepted(actions.rollback(id, body.revision(), key));
    }

    @PostMapping("/workloads/{id}/scale")
    ResponseEntity<Operation> scale(@PathVariable UUID id, @Valid @RequestBody WorkloadRequests.Scale body,
                                    @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        return accepted(actions.scale(id, body.replicas(), key));
    }

    @PostMapping("/workloads/{id}/restart")
    ResponseEntity<Operation> restart(@PathVariable UUID id,
                                      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        return accepted(actions.restart(id, key));
    }

    @DeleteMapping("/workloads/{id}")
    ResponseEntity<Operation> delete(@PathVariable UUID id,
                                     @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        return accepted(actions.delete(id, key));
    }

    /** A full resync of one engine now. */
    @PostMapping("/engines/{id}/sync")
    ResponseEntity<Operation> sync(@PathVariable String id,
                                   @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key) {
        Engine engine = engines.findByIdOrName(id).orElseThrow(() -> new NotFoundException("engine", id));
        return accepted(operations.resync(engine, key));
    }

    private Engine engine(WorkloadView w) {
        return engines.find(w.engine().id()).orElseThrow(() -> new NotFoundException("engine", w.engine().id()));
    }

    static ResponseEntity<Operation> accepted(Operation operation) {
        return ResponseEntity.accepted().location(URI.create("/api/v1/operations/" + operation.id())).body(operation);
    }
}
