package io.gantry.spi;

/**
 * Limits every {@link ManifestFormat} applies while parsing, so that a hostile document is refused
 * before it is expanded: a "billion laughs" YAML defines a few aliases that expand to gigabytes, and a
 * deeply nested one exhausts the stack. The numbers are far above any real manifest (Helm charts
 * rendered to a few hundred KB, a handful of anchors) and far below harm.
 */
public final class ManifestLimits {
    /** Aliases to collections per document; SnakeYAML's own default is 50. */
    public static final int MAX_ALIASES = 50;
    /** Characters of one document (the API refuses bodies above 1 MB anyway). */
    public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;
    /** Nesting of maps and lists; Kubernetes objects nest about 15 deep. */
    public static final int MAX_NESTING = 64;
    /** Workloads one document may define. */
    public static final int MAX_WORKLOADS = 200;

    private ManifestLimits() {
    }
}
