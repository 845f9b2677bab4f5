package io.gantry.web;

import java.util.List;

/**
 * The list envelope of every {@code /api} collection: a page of items, the total match count, the next page's cursor.
 * {@code totalEstimated} is true when {@code total} is the database's estimate rather than a count (workload lists
 * past {@code gantry.lists.exact-total-up-to} matches, where counting would cost more than the page).
 */
public record Page<T>(List<T> items, long total, boolean totalEstimated, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }

    /** A page whose total is counted exactly. */
    public Page(List<T> items, long total, String nextCursor) {
        this(items, total, false, nextCursor);
    }

    public static <T> Page<T> of(List<T> items) {
        return new Page<>(items, items.size(), null);
    }
}
