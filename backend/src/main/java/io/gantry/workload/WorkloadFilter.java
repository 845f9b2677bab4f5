package io.gantry.workload;

import java.util.List;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The workloads page's filters as they stand in its URL, so that a filtered, sorted view can be
 * bookmarked and shared; {@link #url} rebuilds the URL with one thing changed (sort, page).
 */
public record WorkloadFilter(String engine, String engineKind, String namespace, String kind, String phase,
                      List<String> label, String q, String sort) {
    public WorkloadFilter {
        label = label == null ? List.of() : label.stream().filter(l -> !l.isBlank()).toList();
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
        return b.encode().build().toUriString();
    }

    private static void add(UriComponentsBuilder b, String name, String value) {
        if (value != null && !value.isBlank()) {
            b.queryParam(name, value);
        }
    }
}
