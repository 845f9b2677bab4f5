package io.gantry.web;

import java.util.List;

/** The list envelope of every {@code /api} collection: a page of items, the total match count, the next page's cursor. */
public record Page<T>(List<T> items, long total, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }

    public static <T> Page<T> of(List<T> items) {
        return new Page<>(items, items.size(), null);
    }
}
