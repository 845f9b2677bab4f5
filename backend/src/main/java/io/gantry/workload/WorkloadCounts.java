package io.gantry.workload;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code total} of workload lists. Counting is the slow half of a list at scale (a scan of every match, 230 ms
 * for {@code count(*)} at 1,000,000 workloads, while the page itself is an index range), so a total is exact only up
 * to {@code exactUpTo} matches: those are counted, and more than that is the planner's estimate of the matches (never
 * less than {@code exactUpTo + 1}), marked {@link Total#estimated}. The count also tells the lister how many rows
 * a filtered page would sort (see {@link WorkloadLister}).
 *
 * <p>Clients repeat the same filters (a dashboard polling, a client walking pages): a total is reused while no write
 * touched the workloads in this process, and for at most {@link #MAX_AGE_MS} to bound what another replica's writes
 * can hide.
 */
final class WorkloadCounts {
    static final long MAX_AGE_MS = 5_000;
    private static final int MAX_ENTRIES = 256;
    /** The first line of a plan: {@code Seq Scan on workloads w  (cost=0.00..123.00 rows=4567 width=0)}. */
    private static final Pattern PLAN_ROWS = Pattern.compile("rows=(\\d+)");

    private final WorkloadStore store;
    private final long exactUpTo;
    private final Map<String, Counted> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Counted> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    WorkloadCounts(WorkloadStore store, long exactUpTo) {
        this.store = store;
        this.exactUpTo = exactUpTo;
    }

    /** How many workloads match: exact, or (past {@code exactUpTo}) the planner's estimate. */
    record Total(long value, boolean estimated) {
    }

    private record Counted(long generation, long countedAt, Total total) {
    }

    /** The workloads matching {@code where} (an SQL condition on alias {@code w}) with its parameters. */
    Total count(String where, List<Object> params) {
        String key = where + '\u0000' + params;
        long generation = store.generation();
        long now = System.currentTimeMillis();
        synchronized (cache) {
            Counted hit = cache.get(key);
            if (hit != null && hit.generation() == generation && now - hit.countedAt() < MAX_AGE_MS) {
                return hit.total();
            }
        }
        // at most exactUpTo + 1 rows are read: the count stops where exactness would stop paying for itself
        long counted = store.count("SELECT count(*) FROM (SELECT 1 FROM workloads w" + where + " LIMIT " + (exactUpTo + 1)
                + ") m", params);
        Total total = counted <= exactUpTo ? new Total(counted, false)
                : new Total(Math.max(exactUpTo + 1, estimate(where, params)), true);
        synchronized (cache) {
            cache.put(key, new Counted(generation, now, total));
        }
        return total;
    }

    private long estimate(String where, List<Object> params) {
        List<String> plan = store.query("EXPLAIN SELECT 1 FROM workloads w" + where, params, (rs, row) -> rs.getString(1));
        Matcher rows = PLAN_ROWS.matcher(plan.isEmpty() ? "" : plan.get(0));
        return rows.find() ? Long.parseLong(rows.group(1)) : 0;
    }
}
