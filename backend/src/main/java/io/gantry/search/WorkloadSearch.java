package io.gantry.search;

import io.gantry.access.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Workloads of every engine in one statement: a tier per way of matching (exact name, name prefix, part of the name, a
 * label value, the image, the native id), each an index scan (V3, V14) that stops at the page size, then the best
 * tier of each workload wins. A tier never sorts its matches: a search for "svc" among 100,000 "svc-N" would sort them
 * all; the tiers are cut first, and what is kept is ordered by tier, then shorter names first.
 */
@Component
class WorkloadSearch {
    /** The expression of the V14 index {@code workloads_label_values_trgm}: the index serves only this very text. */
    static final String LABEL_VALUES = "jsonb_path_query_array(w.labels, '$.*')::text";

    private final JdbcTemplate jdbc;

    WorkloadSearch(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Workloads within {@code scope} (the caller's grants: cut in every tier) matching {@code query}, best first. The
     * exact and prefix tiers run first, alone: when they fill the page, the part-of tiers could only add hits ranked
     * below all of theirs, and are skipped. They are what is slow at scale: a trigram index reads the whole posting
     * list of each of the pattern's trigrams before the tier's LIMIT applies, and "svc" is in every name (q=svc-42 took
     * 742 ms at p99 among 1,000,000 workloads, its prefix tier alone a few milliseconds).
     */
    List<Hit> find(SearchQuery query, Scope.Condition scope) {
        String lower = query.q().toLowerCase(Locale.ROOT);
        List<String> tiers = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        tier(tiers, params, scope, query.limit(), Hit.EXACT, "lower(w.name) = ?", lower);
        // the range lets the text_pattern_ops index serve a prefix whatever plan the statement gets; LIKE rechecks it.
        // Ordered as that index is (USING ~<~, no sort): without an order the planner walked the (name, id) index
        // from its start, filtering, until it met the prefix (q=svc-42: 265 ms at 1,000,000 workloads, now 0.2 ms)
        tier(tiers, params, scope, query.limit(), Hit.PREFIX, "lower(w.name) ~>=~ ? AND lower(w.name) ~<~ (? || chr(1114111))"
                + " AND lower(w.name) LIKE ? ESCAPE '\\' ORDER BY lower(w.name) USING ~<~", lower, lower,
                query.likeLiteral() + "%");
        List<Hit> byName = best(tiers, new ArrayList<>(params), query.limit());
        if (byName.size() >= query.limit() || !query.partsAllowed()) {
            return byName;
        }
        String part = "%" + query.likeLiteral() + "%";
        tier(tiers, params, scope, query.limit(), Hit.CONTAINS, "w.name ILIKE ? ESCAPE '\\'", part);
        tier(tiers, params, scope, query.limit(), Hit.LABEL_VALUE, LABEL_VALUES + " ILIKE ? ESCAPE '\\'", part);
        tier(tiers, params, scope, query.limit(), Hit.IMAGE, "w.image ILIKE ? ESCAPE '\\'", part);
        tier(tiers, params, scope, query.limit(), Hit.NATIVE_ID, "w.native_id ILIKE ? ESCAPE '\\'", part);
        return best(tiers, params, query.limit());
    }

    /** The tiers' hits, the best tier of each workload winning, at most {@code limit}. */
    private List<Hit> best(List<String> tiers, List<Object> params, int limit) {
        String sql = "WITH hits AS (" + String.join(" UNION ALL ", tiers) + ")"
                + " SELECT w.id, w.name, w.namespace, w.engine_name, w.kind, w.image, w.phase, h.rank"
                + " FROM (SELECT id, min(rank) AS rank FROM hits GROUP BY id) h JOIN workloads w ON w.id = h.id"
                + " ORDER BY h.rank, length(w.name), w.name, w.id LIMIT ?";
        params.add(limit);
        return jdbc.query(sql, (rs, row) -> new Hit(rs.getInt("rank"), new SearchItem(SearchItem.WORKLOAD,
                rs.getString("id"), rs.getString("name"), subtitle(rs.getString("engine_name"), rs.getString("namespace"),
                rs.getString("kind"), rs.getString("phase"), rs.getString("image")), "/workloads/" + rs.getString("id"))),
                params.toArray());
    }

    /** Adds one tier: its matches within the scope, at most a page of them ({@code match} may end in an ORDER BY). */
    private static void tier(List<String> tiers, List<Object> params, Scope.Condition scope, int limit, int rank,
                             String match, Object... values) {
        tiers.add("(SELECT w.id, " + rank + " AS rank FROM workloads w WHERE " + scope.sql() + " AND " + match
                + " LIMIT " + limit + ")");
        params.addAll(scope.params());
        params.addAll(List.of(values));
    }

    private static String subtitle(String engine, String namespace, String kind, String phase, String image) {
        StringBuilder s = new StringBuilder(engine);
        if (namespace != null && !namespace.isEmpty()) {
            s.append(" / ").append(namespace);
        }
        s.append(" · ").append(kind.toLowerCase(Locale.ROOT)).append(" · ").append(phase.toLowerCase(Locale.ROOT));
        if (image != null) {
            s.append(" · ").append(image);
        }
        return s.toString();
    }
}
