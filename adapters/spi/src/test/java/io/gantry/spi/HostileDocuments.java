package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

/**
 * Documents that cost far more to expand than to send, for the tests of every format's parse budget
 * (issue 13), and a measure of what refusing one cost.
 */
public final class HostileDocuments {
    /** Anchors in {@link #aliasBomb()}: 2^23 values, about 6.7 GB of heap when expanded. */
    public static final int BOMB_LEVELS = 23;

    private HostileDocuments() {
    }

    /**
     * {@code a0: &a0 [x, x]}, then {@code aN: &aN [*aN-1, *aN-1]}: {@link #BOMB_LEVELS} anchors, two
     * aliases each, under SnakeYAML's limit of 50 aliases.
     */
    public static String aliasBomb() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x]\n");
        for (int i = 1; i < BOMB_LEVELS; i++) {
            yaml.append('a').append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                    .append(i - 1).append("]\n");
        }
        return yaml.toString();
    }

    /** One JSON array of {@code values} numbers: small to send, one node each. */
    public static String wideJson(int values) {
        StringBuilder json = new StringBuilder(values * 2 + 2).append('[');
        for (int i = 0; i < values; i++) {
            json.append(i == 0 ? "" : ",").append('0');
        }
        return json.append(']').toString();
    }

    /** {@code depth} arrays nested in each other. */
    public static String deepJson(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /**
     * What {@code action} threw and how many bytes this thread allocated meanwhile: an expansion
     * allocates gigabytes before the heap runs out, a refusal a few megabytes.
     */
    public static Refusal refusal(Runnable action) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        RuntimeException thrown = null;
        try {
            action.run();
        } catch (RuntimeException e) {
            thrown = e;
        }
        return new Refusal(thrown, threads.getThreadAllocatedBytes(thread) - before, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * @param thrown         what the action threw, {@code null} when it returned
     * @param allocatedBytes bytes the calling thread allocated during the action
     * @param millis         how long it took
     */
    public record Refusal(RuntimeException thrown, long allocatedBytes, long millis) {
        /** The document was refused, not expanded: far below what an expansion costs (a guard, not a figure). */
        public void assertNotExpanded() {
            assertThat(allocatedBytes).as("bytes allocated by the refusal").isLessThan(100L * 1024 * 1024);
            assertThat(millis).as("milliseconds the refusal took").isLessThan(10_000);
        }
    }
}
