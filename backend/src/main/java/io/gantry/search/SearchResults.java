package io.gantry.search;

import java.util.List;

/** The answer of {@code GET /api/v1/search}: the best matches first, at most {@code limit}. */
record SearchResults(List<SearchItem> items) {
    SearchResults {
        items = List.copyOf(items);
    }
}
