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
        return store.find(id).filter(this::canRead).orElseThrow(() -> new NotFoundException("workload", id));
    }

    /** Whether the caller may see {@code w}, one already read (outside their grants, show it as missing). */
    public boolean canRead(WorkloadView w) {
        return scopes.current().allows(Role.VIEWER, w.engine().name(), w.namespace());
    }

    /** What the caller may act on (scale, restart, update, delete, exec...). */
    public WorkloadView operable(UUID id) {
        WorkloadView w = readable(id);
        requireOperator(w.engine().name(), w.namespace());
        return w;
    }

    /**
     * Refuses an action on {@code engine}'s {@code namespace} (a deploy, an import, a copy's target) without OPERATOR
     * there; a null namespace is the engine's default one (matched as the empty name).
     */
    public void requireOperator(String engine, String namespace) {
        String name = namespace == null ? "" : namespace;
        Scope scope = scopes.current();
        if (!scope.allows(Role.OPERATOR, engine, name)) {
            throw new ForbiddenException("namespace", "acting in namespace '" + name + "' of engine '" + engine
                    + "' takes OPERATOR there; your grants do not give it");
        }
    }
}
