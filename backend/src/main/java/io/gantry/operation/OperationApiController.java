package io.gantry.operation;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineStore;
import io.gantry.security.Role;
import io.gantry.web.BadRequestException;
import io.gantry.web.NotFoundException;
import io.gantry.web.Page;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/operations")
class OperationApiController {
    private static final int MAX_LIMIT = 500;

    private final OperationStore store;
    private final EngineStore engines;
    private final Scopes scopes;

    OperationApiController(OperationStore store, EngineStore engines, Scopes scopes) {
        this.scopes = scopes;
        this.store = store;
        this.engines = engines;
    }

    /** Newest first. */
    @GetMapping
    Page<Operation> list(@RequestParam(required = false) UUID workload,
                         @RequestParam(required = false) String engine,
                         @RequestParam(required = false) OperationState state,
                         @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        UUID engineId = null;
        if (engine != null && !engine.isBlank()) {
            engineId = engines.findByIdOrName(engine).map(Engine::id)
                    .orElseThrow(() -> BadRequestException.field("engine", "no engine has the id or name '" + engine + "'"));
        }
        Scope.Condition scope = readable();
        return new Page<>(store.find(scope, workload, engineId, state, limit), store.count(scope, workload, engineId, state),
                null);
    }

    @GetMapping("/{id}")
    Operation get(@PathVariable UUID id) {
        return store.find(readable(), id).orElseThrow(() -> new NotFoundException("operation", id));
    }

    private Scope.Condition readable() {
        return scopes.current().sql(Role.VIEWER, OperationScope.ENGINE, OperationScope.NAMESPACE);
    }
}
