package io.gantry.workload;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.security.Role;
import io.gantry.web.ForbiddenException;
import io.gantry.web.NotFoundException;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * A workload by id as the caller may reach it, the one way every route looks one up: outside the caller's grants it
 * is a 404, as if it did not exist (so ids cannot be probed); within them but without the role an action needs, a 403.
 */
@Component
public class WorkloadAccess {
    private final WorkloadStore store;
    private final Scopes scopes;

    WorkloadAccess(WorkloadStore store, Scopes scopes) {
        this.store = store;
        this.scopes = scopes;
    }

    /** What the caller may see; secret values and all (a view for engines, not for showing). */
    public WorkloadView readable(UUID id) {
        WorkloadView w = store.find(id).orElseThrow(() -> new NotFoundException("workload", id));
        if (!scopes.current().allows(Role.VIEWER, w.engine().name(), w.namespace())) {
            throw new NotFoundException("workload", id);
        }
        return w;
    }

    /** What the caller may act on (scale, restart, update, delete, exec...). */
    public WorkloadView operable(UUID id) {
        WorkloadView w = readable(id);
        requireOperator(w.engine().name(), w.namespace());
        return w;
    }

    /** Refuses an action on {@code engine}'s {@code namespace} (a deploy, an import, a copy's target) without OPERATOR there. */
    public void requireOperator(String engine, String namespace) {
        Scope scope = scopes.current();
        if (!scope.allows(Role.OPERATOR, engine, namespace)) {
            throw new ForbiddenException("namespace", "acting in namespace '" + namespace + "' of engine '" + engine
                    + "' takes OPERATOR there; your grants do not give it");
        }
    }
}
