package io.gantry.spi;

/**
 * Limits every {@link ManifestFormat} applies while parsing, so that a hostile document is refused
 * before it is expanded: a "billion laughs" YAML defines a few aliases that expand to gigabytes, and a
 * deeply nested one exhausts the stack. The numbers are far above any real manifest (Helm charts
 * rendered to a few hundred KB, a handful of anchors) and far below harm. {@link ManifestReader} applies
 * them; a format reads its documents through it.
 */
public final class ManifestLimits {
    /** Aliases to collections per document; SnakeYAML's own default is 50. */
    public static final int MAX_ALIASES = 50;
    /** Characters of one document (the API refuses bodies above 1 MB anyway). */
    public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;
    /** Nesting of maps and lists; Kubernetes objects nest about 15 deep. */
    public static final int MAX_NESTING = 64;
    /**
     * Values (maps, lists, scalars) one document may expand to, every use of a YAML alias counted again:
     * 23 anchors of two aliases each expand to 2^23 values, which the node budget refuses at this count.
     */
    public static final int MAX_NODES = 100_000;
    /** Characters of keys and scalars one document may expand to, aliases counted at every use. */
    public static final long MAX_TEXT_CHARS = 10L * 1024 * 1024;
    /** Workloads one document may define. */
    public static final int MAX_WORKLOADS = 200;

    private ManifestLimits() {
    }
}
