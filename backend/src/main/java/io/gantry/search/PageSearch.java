package io.gantry.search;

import io.gantry.security.UiUser;
import java.util.List;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * The dashboard's pages by title, each only for a caller who may open it: the same test as the navigation bar's
 * links ({@code fragments/layout.html}), which {@code AccessRules} backs for each route.
 */
@Component
class PageSearch {
    private record Place(String title, String path, String about, Predicate<UiUser> opens) {
    }

    private static final List<Place> PAGES = List.of(
            new Place("Dashboard", "/", "totals and recent changes across engines", UiUser::isViewer),
            new Place("Workloads", "/workloads", "every workload of every engine", UiUser::isViewer),
            new Place("Deploy", "/deploy", "deploy a new workload", UiUser::isOperator),
            new Place("Events", "/events", "engine events, newest first", UiUser::isViewer),
            new Place("Nodes", "/nodes", "each engine's machines", UiUser::isViewer),
            new Place("Operations", "/operations", "the operation journal", UiUser::isViewer),
            new Place("Engines", "/engines", "registered engines", UiUser::isViewer),
            new Place("Compare", "/compare", "workloads side by side", UiUser::isViewer),
            new Place("Users", "/users", "accounts and roles", UiUser::isAdmin),
            new Place("Teams", "/teams", "teams and grants", UiUser::isAdmin),
            new Place("Audit", "/audit", "who did what", UiUser::isAdmin),
            new Place("Tokens", "/tokens", "your API tokens, sessions and second factor", user -> true));

    List<Hit> find(SearchQuery query, UiUser user) {
        return PAGES.stream().filter(p -> p.opens().test(user))
                .map(p -> new Hit(Hit.byName(p.title(), query.q()),
                        new SearchItem(SearchItem.PAGE, p.path(), p.title(), "Page · " + p.about(), p.path())))
                .filter(h -> h.rank() == Hit.EXACT || h.rank() == Hit.PREFIX
                        || h.rank() == Hit.CONTAINS && query.partsAllowed())
                .toList();
    }
}
