package io.gantry.workload;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code total} of workload lists. Counting is the slow half of a list at 100k workloads (a
 * scan of every match, while the page itself is an index range), and clients repeat the same
 * filters (a dashboard polling, a client walking pages). A count is reused while no write touched
 * the workloads in this process, and for at most {@link #MAX_AGE_MS} to bound what another
 * replica's writes can hide.
 */
final class WorkloadCounts {
    static final long MAX_AGE_MS = 5_000;
    private static final int MAX_ENTRIES = 256;

    private final WorkloadStore store;
    private final Map<String, Counted> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Counted> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    WorkloadCounts(WorkloadStore store) {
        this.store = store;
    }

    private record Counted(long generation, long countedAt, long total) {
    }

    /** The number of workloads matching {@code where} (an SQL condition on alias {@code w}) with its parameters. */
    long count(String where, List<Object> params) {
        String key = where + '\u0000' + params;
        long generation = store.generation();
        long now = System.currentTimeMillis();
        synchronized (cache) {
            Counted hit = cache.get(key);
            if (hit != null && hit.generation() == generation && now - hit.countedAt() < MAX_AGE_MS) {
                return hit.total();
            }
        }
        long total = store.count("SELECT count(*) FROM workloads w" + where, params);
        synchronized (cache) {
            cache.put(key, new Counted(generation, now, total));
        }
        return total;
    }
}
