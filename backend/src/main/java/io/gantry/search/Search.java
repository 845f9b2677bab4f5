package io.gantry.search;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.operation.OperationScope;
import io.gantry.security.Role;
import io.gantry.security.UiUser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;

/**
 * Search everywhere: workloads, engines, operations and pages, merged on one rank scale ({@link Hit}). Every read is
 * cut to the caller's grants in its own query. Nodes are not searched: Gantry does not store them, it asks each
 * engine for its machines when the Nodes page opens, and asking every engine on each keystroke would make a search
 * as slow as the slowest engine.
 */
@Service
class Search {
    /** Where two things match equally well: the place before the things in it, the journal last. */
    private static final Map<String, Integer> TYPE_ORDER = Map.of(SearchItem.PAGE, 0, SearchItem.ENGINE, 1,
            SearchItem.WORKLOAD, 2, SearchItem.OPERATION, 3);

    private final WorkloadSearch workloads;
    private final EngineSearch engines;
    private final OperationSearch operations;
    private final PageSearch pages;
    private final Scopes scopes;

    Search(WorkloadSearch workloads, EngineSearch engines, OperationSearch operations, PageSearch pages, Scopes scopes) {
        this.workloads = workloads;
        this.engines = engines;
        this.operations = operations;
        this.pages = pages;
        this.scopes = scopes;
    }

    SearchResults find(SearchQuery query) {
        Scope scope = scopes.current();
        List<Hit> hits = new ArrayList<>();
        hits.addAll(pages.find(query, UiUser.of(SecurityContextHolder.getContext().getAuthentication(), scopes)));
        hits.addAll(engines.find(query, scope));
        hits.addAll(workloads.find(query, scope.sql(Role.VIEWER, "w.engine_name", "w.namespace")));
        hits.addAll(operations.find(query, scope.sql(Role.VIEWER, OperationScope.ENGINE, OperationScope.NAMESPACE)));
        // stable: each source's own order (a workload's shorter name first) survives between equal ranks
        return new SearchResults(hits.stream()
                .sorted(Comparator.comparingInt(Hit::rank).thenComparing(h -> TYPE_ORDER.get(h.item().type())))
                .limit(query.limit()).map(Hit::item).toList());
    }
}
