package io.gantry.search;

/**
 * A found item with how well it matched; lower is better. Every kind of thing ranks on the same scale, so that an
 * engine named exactly as typed comes before a workload whose image merely contains it.
 */
record Hit(int rank, SearchItem item) {
    static final int EXACT = 0;
    static final int PREFIX = 1;
    static final int CONTAINS = 2;
    static final int LABEL_VALUE = 3;
    static final int IMAGE = 4;
    static final int NATIVE_ID = 5;
    /** An operation found by its action: the journal is long, these come last. */
    static final int ACTION = 6;

    /** How {@code text} matches {@code q} by name: exact, prefix or contains (case-insensitive), or -1 for not at all. */
    static int byName(String text, String q) {
        String t = text.toLowerCase(java.util.Locale.ROOT);
        String s = q.toLowerCase(java.util.Locale.ROOT);
        if (t.equals(s)) {
            return EXACT;
        }
        if (t.startsWith(s)) {
            return PREFIX;
        }
        return t.contains(s) ? CONTAINS : -1;
    }
}
