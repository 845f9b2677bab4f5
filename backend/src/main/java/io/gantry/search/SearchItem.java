package io.gantry.search;

/**
 * One thing {@code GET /api/v1/search} found.
 *
 * @param type     {@code workload}, {@code engine}, {@code node}, {@code operation} or {@code page}
 * @param id       the thing's id (a workload's or operation's uuid, an engine's name, a page's path)
 * @param title    what to show first: a name, or an operation's action and short id
 * @param subtitle where it is and what it is, in one line
 * @param url      the dashboard page that shows it
 */
record SearchItem(String type, String id, String title, String subtitle, String url) {
    static final String WORKLOAD = "workload";
    static final String ENGINE = "engine";
    static final String NODE = "node";
    static final String OPERATION = "operation";
    static final String PAGE = "page";
}
