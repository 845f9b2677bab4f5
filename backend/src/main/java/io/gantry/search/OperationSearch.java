package io.gantry.search;

import io.gantry.access.Scope;
import io.gantry.operation.OperationScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Operations by the first characters of their id (V14's index), or the latest few of an action. */
@Component
class OperationSearch {
    /** At least four characters of a uuid: fewer would match a sixteenth of the journal. */
    private static final Pattern ID_PREFIX = Pattern.compile("[0-9a-f][0-9a-f-]{3,35}");
    /** An action names a kind of operation, not one: the latest few are enough to go on from. */
    private static final int BY_ACTION = 5;

    private final JdbcTemplate jdbc;

    OperationSearch(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    List<Hit> find(SearchQuery query, Scope.Condition scope) {
        String q = query.q().toLowerCase(Locale.ROOT);
        List<String> parts = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (ID_PREFIX.matcher(q).matches()) {
            parts.add("(SELECT o.id, o.action, o.state, o.username, o.workload_id, w.name AS workload, e.name AS engine, "
                    + (q.length() == 36 ? Hit.EXACT : Hit.PREFIX) + " AS rank" + OperationScope.FROM + " WHERE "
                    + scope.sql() + " AND o.id::text ~>=~ ? AND o.id::text ~<~ (? || 'g') ORDER BY o.id::text LIMIT "
                    + query.limit() + ")");
            params.addAll(scope.params());
            params.add(q);
            params.add(q);
        }
        if (query.partsAllowed()) {
            parts.add("(SELECT o.id, o.action, o.state, o.username, o.workload_id, w.name AS workload, e.name AS engine, "
                    + Hit.ACTION + " AS rank" + OperationScope.FROM + " WHERE " + scope.sql()
                    + " AND o.action LIKE ? ESCAPE '\\' ORDER BY o.created_at DESC, o.id LIMIT "
                    + Math.min(BY_ACTION, query.limit()) + ")");
            params.addAll(scope.params());
            params.add(query.likeLiteral() + "%");
        }
        if (parts.isEmpty()) {
            return List.of();
        }
        return jdbc.query(String.join(" UNION ALL ", parts), (rs, row) -> {
            String id = rs.getString("id");
            String workloadId = rs.getString("workload_id");
            String on = rs.getString("workload") != null ? rs.getString("workload")
                    : rs.getString("engine") != null ? rs.getString("engine") : "a removed engine";
            String url = rs.getString("workload") != null ? "/workloads/" + workloadId : "/operations";
            return new Hit(rs.getInt("rank"), new SearchItem(SearchItem.OPERATION, id,
                    rs.getString("action") + " " + id.substring(0, 8),
                    rs.getString("state").toLowerCase(Locale.ROOT) + " · " + on + " · by " + rs.getString("username"), url));
        }, params.toArray());
    }
}
