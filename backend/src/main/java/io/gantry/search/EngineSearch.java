package io.gantry.search;

import io.gantry.access.Scope;
import io.gantry.engine.Engine;
import io.gantry.engine.EngineStore;
import io.gantry.security.Role;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/** Engines by name: a few dozen rows at most, the ones the caller's grants touch (as GET /api/v1/engines lists them). */
@Component
class EngineSearch {
    private final EngineStore engines;

    EngineSearch(EngineStore engines) {
        this.engines = engines;
    }

    List<Hit> find(SearchQuery query, Scope scope) {
        return engines.findAll().stream()
                .filter(e -> scope.touchesEngine(Role.VIEWER, e.name()))
                .map(e -> hit(e, Hit.byName(e.name(), query.q()), query))
                .filter(h -> h != null)
                .toList();
    }

    private static Hit hit(Engine e, int rank, SearchQuery query) {
        if (rank < 0 || rank == Hit.CONTAINS && !query.partsAllowed()) {
            return null;
        }
        // an engine's page is its workloads: the engines page lists them all, with nothing to open one by
        return new Hit(rank, new SearchItem(SearchItem.ENGINE, e.name(), e.name(),
                e.kind() + " engine · " + e.status().name().toLowerCase(Locale.ROOT),
                "/workloads?engine=" + URLEncoder.encode(e.name(), StandardCharsets.UTF_8)));
    }
}
