package io.gantry.search;

import io.gantry.web.BadRequestException;

/** A validated search: {@code q} trimmed, {@code limit} within bounds. */
record SearchQuery(String q, int limit) {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 50;
    static final int MAX_LENGTH = 200;
    /**
     * Below three characters a trigram index has nothing to look up and a part-of match would read every row: such a
     * short search matches names by exact value and prefix only.
     */
    static final int MIN_PART_LENGTH = 3;

    static SearchQuery of(String q, Integer limit) {
        if (q == null || q.isBlank()) {
            throw BadRequestException.field("q", "is required: the text to search for");
        }
        String text = q.strip();
        if (text.length() > MAX_LENGTH) {
            throw BadRequestException.field("q", "must be at most " + MAX_LENGTH + " characters");
        }
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw BadRequestException.field("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return new SearchQuery(text, n);
    }

    boolean partsAllowed() {
        return q.length() >= MIN_PART_LENGTH;
    }

    /** {@code q} as a LIKE pattern of itself: its own {@code %}, {@code _} and {@code \} match literally. */
    String likeLiteral() {
        return q.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
