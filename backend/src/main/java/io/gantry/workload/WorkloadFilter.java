package io.gantry.workload;

import java.util.ArrayList;
import java.util.List;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The workloads page's filters as they stand in its URL, so that a filtered, sorted view can be
 * bookmarked and shared; {@link #url} rebuilds the URL with one thing changed (sort, page, a label).
 */
public record WorkloadFilter(String engine, String engineKind, String namespace, String kind, String phase,
                      List<String> label, String q, String sort) {
    public WorkloadFilter {
        // the form re-sends the labels already applied; one added twice filters once
        label = label == null ? List.of() : label.stream().filter(l -> !l.isBlank()).distinct().toList();
    }

    /** The sort a column header links to: ascending first, descending when already ascending. */
    public String sortBy(String column) {
        return column.equals(sortOrDefault()) ? "-" + column : column;
    }

    public String sortOrDefault() {
        return sort == null || sort.isBlank() ? "name" : sort;
    }

    /** {@code "ascending"}, {@code "descending"} or {@code "none"}, for the column header's aria-sort. */
    public String ariaSort(String column) {
        String s = sortOrDefault();
        return s.equals(column) ? "ascending" : s.equals("-" + column) ? "descending" : "none";
    }

    public String url(String newSort, String cursor) {
        return pageUrl(newSort, cursor, List.of());
    }

    /**
     * A page of the current sort. {@code back} are the cursors of the pages before it (the first page has
     * none): the API's cursors only go forward, so the URL carries the way back.
     */
    String pageUrl(String cursor, List<String> back) {
        return pageUrl(sort, cursor, back);
    }

    /** The first page without one of the label filters. */
    public String withoutLabel(String removed) {
        List<String> kept = new ArrayList<>(label);
        kept.remove(removed);
        return new WorkloadFilter(engine, engineKind, namespace, kind, phase, kept, q, sort).url(sort, null);
    }

    private String pageUrl(String newSort, String cursor, List<String> back) {
        UriComponentsBuilder b = UriComponentsBuilder.fromPath("/workloads");
        add(b, "engine", engine);
        add(b, "engineKind", engineKind);
        add(b, "namespace", namespace);
        add(b, "kind", kind);
        add(b, "phase", phase);
        label.forEach(l -> add(b, "label", l));
        add(b, "q", q);
        add(b, "sort", newSort);
        add(b, "cursor", cursor);
        back.forEach(c -> add(b, "back", c));
        return b.encode().build().toUriString();
    }

    private static void add(UriComponentsBuilder b, String name, String value) {
        if (value != null && !value.isBlank()) {
            b.queryParam(name, value);
        }
    }
}
