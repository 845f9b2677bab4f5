package io.gantry.workload;

import io.gantry.access.Scope;
import io.gantry.access.Scopes;
import io.gantry.security.Role;
import io.gantry.engine.EngineAdapters;
import io.gantry.engine.EngineStore;
import io.gantry.spi.Phase;
import io.gantry.spi.WorkloadKind;
import io.gantry.web.BadRequestException;
import io.gantry.web.Page;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/workloads}: validates every filter (an unknown value is a 400 naming the
 * parameter, never an empty page), then pages by keyset over {@code (sort key, id)}.
 */
@Component
class WorkloadLister {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    /** At most this many matches of {@code q} (by estimate) are fetched and sorted rather than found by a walk. */
    static final long SORTED_MATCHES_MAX = 50_000;

    private final WorkloadStore store;
    private final EngineStore engines;
    private final EngineAdapters adapters;
    private final CursorCodec cursors;
    private final JsonMapper json;
    private final WorkloadCounts counts;
    private final Scopes scopes;

    WorkloadLister(WorkloadStore store, EngineStore engines, EngineAdapters adapters, CursorCodec cursors,
                   JsonMapper json, Scopes scopes, @Value("${gantry.lists.exact-total-up-to}") long exactTotalUpTo) {
        this.scopes = scopes;
        this.store = store;
        this.counts = new WorkloadCounts(store, exactTotalUpTo);
        this.engines = engines;
        this.adapters = adapters;
        this.cursors = cursors;
        this.json = json;
    }

    WorkloadQuery parse(String engine, String engineKind, String namespace, String kind, String phase,
                        List<String> label, String q, String sort, Integer limit, String cursor) {
        if (engineKind != null && !engineKind.isBlank() && !adapters.knows(engineKind)) {
            throw BadRequestException.field("engineKind", "unknown engine kind '" + engineKind + "'; known: " + adapters.kinds());
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : label == null ? List.<String>of() : label) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw BadRequestException.field("label", "'" + pair + "' is not of the form key=value");
            }
            labels.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String sortParam = sort == null || sort.isBlank() ? "name" : sort;
        boolean descending = sortParam.startsWith("-");
        String sortName = descending ? sortParam.substring(1) : sortParam;
        WorkloadQuery.WorkloadSort workloadSort = Arrays.stream(WorkloadQuery.WorkloadSort.values())
                .filter(s -> s.param.equals(sortName)).findFirst()
                .orElseThrow(() -> BadRequestException.field("sort", "unknown sort '" + sortParam + "'; one of "
                        + WorkloadQuery.WorkloadSort.params() + ", optionally prefixed with '-'"));
        int pageSize = limit == null ? DEFAULT_LIMIT : limit;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        CursorCodec.Position after = null;
        if (cursor != null && !cursor.isBlank()) {
            after = cursors.decode(cursor);
            if (!after.sort().equals(sortParam)) {
                throw BadRequestException.field("cursor", "was issued for sort '" + after.sort() + "', not '" + sortParam + "'");
            }
        }
        return new WorkloadQuery(blankToNull(engine), blankToNull(engineKind), blankToNull(namespace),
                enumValue(WorkloadKind.class, kind, "kind"), enumValue(Phase.class, phase, "phase"), labels,
                blankToNull(q), workloadSort, descending, pageSize, after);
    }

    /** The page as the web pages read it. */
    Page<WorkloadView> list(WorkloadQuery query) {
        return page(query, store::view);
    }

    /**
     * Every workload the filter matches (no paging; {@code limit}, sort and cursor of the query are ignored), in name
     * order, or at most {@code max + 1} of them so that the caller can tell it matched too many.
     */
    List<WorkloadView> all(WorkloadQuery query, int max) {
        Where w = where(query);
        return store.query("SELECT " + WorkloadStore.VIEW_COLUMNS + " FROM workloads w" + w.sql()
                + " ORDER BY w.name, w.id LIMIT " + (max + 1), w.params(), store::view);
    }

    /** The page as the API answers it: the stored documents copied, not parsed (see {@link StoredWorkload}). */
    Page<StoredWorkload> listStored(WorkloadQuery query) {
        return page(query, StoredWorkload::of);
    }

    /**
     * The filter's WHERE clause, the caller's grants first, and its parameters; one place for the list and a selection.
     * {@code unsorted}: it holds a condition that no index of a sort key serves (the caller's grants, labels, q).
     */
    private record Where(String sql, List<Object> params, boolean unsorted) {
    }

    private Where where(WorkloadQuery query) {
        // the caller's grants first, in the query itself: the total, the page and the cursor all see the same rows
        Scope.Condition scope = scopes.current().sql(Role.VIEWER, "w.engine_name", "w.namespace");
        boolean unsorted = !scope.sql().equals("true") || !query.labels().isEmpty() || query.q() != null;
        StringBuilder where = new StringBuilder(" WHERE ").append(scope.sql());
        List<Object> params = new ArrayList<>(scope.params());
        if (query.engine() != null) {
            // resolved in the query itself, one round trip less per call; an id wins over another engine's name
            where.append(" AND w.engine_id = (SELECT e.id FROM engines e WHERE e.id::text = ? OR e.name = ?"
                    + " ORDER BY e.id::text = ? DESC LIMIT 1)");
            params.add(query.engine());
            params.add(query.engine());
            params.add(query.engine());
        }
        if (query.engineKind() != null) {
            where.append(" AND w.engine_kind = ?");
            params.add(query.engineKind());
        }
        if (query.namespace() != null) {
            where.append(" AND w.namespace = ?");
            params.add(query.namespace());
        }
        if (query.kind() != null) {
            where.append(" AND w.kind = ?");
            params.add(query.kind().name());
        }
        if (query.phase() != null) {
            where.append(" AND w.phase = ?");
            params.add(query.phase().name());
        }
        if (!query.labels().isEmpty()) {
            where.append(" AND w.labels @> ?::jsonb");
            params.add(json.writeValueAsString(query.labels()));
        }
        if (query.q() != null) {
            where.append(" AND (w.name ILIKE ? ESCAPE '\\' OR w.image ILIKE ? ESCAPE '\\')");
            String pattern = "%" + query.q().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            params.add(pattern);
            params.add(pattern);
        }
        return new Where(where.toString(), params, unsorted);
    }

    private <T extends ListedWorkload> Page<T> page(WorkloadQuery query, RowMapper<T> mapper) {
        Where w = where(query);
        WorkloadCounts.Total total = counts.count(w.sql(), w.params());
        if (total.value() == 0 && query.engine() != null && engines.findByIdOrName(query.engine())
                .filter(e -> scopes.current().touchesEngine(Role.VIEWER, e.name())).isEmpty()) {
            throw BadRequestException.field("engine", "no engine has the id or name '" + query.engine() + "'");
        }

        WorkloadQuery.WorkloadSort sort = query.sort();
        String direction = query.descending() ? "DESC" : "ASC";
        List<Object> pageParams = new ArrayList<>(w.params());
        StringBuilder matches = new StringBuilder(w.sql());
        if (query.after() != null) {
            matches.append(" AND (").append(sort.column).append(", w.id) ").append(query.descending() ? "<" : ">").append(" (?, ?)");
            pageParams.add(sortValue(sort, query.after().key()));
            pageParams.add(UUID.fromString(query.after().id()));
        }
        String order = " ORDER BY " + sort.column + ' ' + direction + ", w.id " + direction;
        String sql;
        boolean firstPage = query.after() == null;
        if (w.unsorted() && !total.estimated()
                || query.q() != null && firstPage && total.value() <= SORTED_MATCHES_MAX) {
            // Few matches of a condition no sort index serves: fetch them by their own indexes (trigram, labels,
            // engine) and sort them. Left to itself the planner walks the sort key's index and filters, because it
            // cannot tell how far it must walk: q=svc-42 read 355,000 rows of the name index (2 s) at 1,000,000
            // workloads for a first page of 50. OFFSET 0 keeps the matches a subquery of their own, which the ORDER
            // BY and LIMIT outside cannot reach into. An exact total bounds what is sorted to exactTotalUpTo. Past it,
            // grants and labels are spread evenly over any sort order (a walk finds a page soon), while the matches of
            // q cluster (names sharing a prefix are neighbours in the name index): the first page of those is still
            // sorted, up to SORTED_MATCHES_MAX by the planner's estimate (for q it reads the column's histogram), while
            // a cursor page starts its walk where the last page found matches, next to the ones it needs (q=svc-42:
            // 2.5 ms walking from page 20's cursor, 46 ms sorting the 11,111 matches again).
            sql = "SELECT " + WorkloadStore.VIEW_COLUMNS + " FROM workloads w JOIN (SELECT m.id FROM (SELECT w.id, "
                    + sort.column + " AS sort_key FROM workloads w" + matches + " OFFSET 0) m ORDER BY m.sort_key "
                    + direction + ", m.id " + direction + " LIMIT " + (query.limit() + 1) + ") p ON p.id = w.id" + order;
        } else {
            sql = "SELECT " + WorkloadStore.VIEW_COLUMNS + " FROM workloads w" + matches + order + " LIMIT " + (query.limit() + 1);
        }
        List<T> rows = store.query(sql, pageParams, mapper);

        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            T last = rows.get(rows.size() - 1);
            next = cursors.encode(new CursorCodec.Position((query.descending() ? "-" : "") + sort.param,
                    sort.key(last), last.id().toString()));
        }
        return new Page<>(rows, total.value(), total.estimated(), next);
    }

    private static Object sortValue(WorkloadQuery.WorkloadSort sort, String key) {
        try {
            return sort == WorkloadQuery.WorkloadSort.UPDATED ? Timestamp.from(Instant.parse(key)) : key;
        } catch (RuntimeException e) {
            throw BadRequestException.field("cursor", "is not a cursor this server issued");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String param) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw BadRequestException.field(param, "unknown value '" + value + "'; one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }
}
