package io.gantry.search;

import io.gantry.access.Scope;
import io.gantry.security.Role;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Nodes by name or address, from what each engine last listed ({@code engine_nodes}). A node belongs to a whole
 * engine, so only callers who may see the whole engine find it (as GET /api/v1/engines/{id}/nodes answers them).
 */
@Component
class NodeSearch {
    private final JdbcTemplate jdbc;

    NodeSearch(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    List<Hit> find(SearchQuery query, Scope scope) {
        String match = query.partsAllowed() ? "%" + query.likeLiteral() + "%" : query.likeLiteral() + "%";
        return jdbc.query("SELECT n.name, n.address, n.status, n.role, e.name AS engine_name FROM engine_nodes n"
                        + " JOIN engines e ON e.id = n.engine_id WHERE n.name ILIKE ? ESCAPE '\\' OR n.address = ?"
                        + " ORDER BY length(n.name), n.name LIMIT ?",
                        (rs, row) -> hit(rs.getString("name"), rs.getString("address"), rs.getString("status"),
                                rs.getString("role"), rs.getString("engine_name"), query.q()),
                        match, query.q(), query.limit()).stream()
                .filter(h -> scope.allowsEngine(Role.VIEWER, engineOf(h)))
                .toList();
    }

    private static Hit hit(String name, String address, String status, String role, String engine, String q) {
        int rank = Hit.byName(name, q);
        StringBuilder subtitle = new StringBuilder("node of ").append(engine).append(" · ")
                .append(status.toLowerCase(Locale.ROOT));
        if (role != null) {
            subtitle.append(" · ").append(role);
        }
        if (address != null) {
            subtitle.append(" · ").append(address);
        }
        return new Hit(rank < 0 ? Hit.EXACT : rank, new SearchItem(SearchItem.NODE, engine + "/" + name, name,
                subtitle.toString(), "/nodes#" + URLEncoder.encode(engine, StandardCharsets.UTF_8)));
    }

    /** The engine a hit's id names ({@code engine/node}; engine names hold no slash). */
    private static String engineOf(Hit h) {
        return h.item().id().substring(0, h.item().id().indexOf('/'));
    }
}
