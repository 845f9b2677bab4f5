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
 * Search everywhere: workloads, engines, nodes, operations and pages, merged on one rank scale ({@link Hit}). Every
 * read is cut to the caller's grants in its own query. Nodes come from what the engines last listed
 * ({@code engine_nodes}): asking every engine on each keystroke would make a search as slow as the slowest engine.
 */
@Service
class Search {
    /** Where two things match equally well: the place before the things in it, the journal last. */
    private static final Map<String, Integer> TYPE_ORDER = Map.of(SearchItem.PAGE, 0, SearchItem.ENGINE, 1,
            SearchItem.NODE, 2, SearchItem.WORKLOAD, 3, SearchItem.OPERATION, 4);

    private final WorkloadSearch workloads;
    private final EngineSearch engines;
    private final NodeSearch nodes;
    private final OperationSearch operations;
    private final PageSearch pages;
    private final Scopes scopes;

    Search(WorkloadSearch workloads, EngineSearch engines, NodeSearch nodes, OperationSearch operations,
           PageSearch pages, Scopes scopes) {
        this.workloads = workloads;
        this.engines = engines;
        this.nodes = nodes;
        this.operations = operations;
        this.pages = pages;
        this.scopes = scopes;
    }

    SearchResults find(SearchQuery query) {
        Scope scope = scopes.current();
        List<Hit> hits = new ArrayList<>();
        hits.addAll(pages.find(query, UiUser.of(SecurityContextHolder.getContext().getAuthentication(), scopes)));
        hits.addAll(engines.find(query, scope));
        hits.addAll(nodes.find(query, scope));
        hits.addAll(workloads.find(query, scope.sql(Role.VIEWER, "w.engine_name", "w.namespace")));
        hits.addAll(operations.find(query, scope.sql(Role.VIEWER, OperationScope.ENGINE, OperationScope.NAMESPACE)));
        // stable: each source's own order (a workload's shorter name first) survives between equal ranks
        return new SearchResults(hits.stream()
                .sorted(Comparator.comparingInt(Hit::rank).thenComparing(h -> TYPE_ORDER.get(h.item().type())))
                .limit(query.limit()).map(Hit::item).toList());
    }
}
