package io.gantry.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An engine's status rule table as data: {@code status-cases.tsv} beside its fixtures
 * ({@code testdata/fixtures/<engine>/}), one real object per row with the phase and message its engine's
 * rules must give. Each adapter's test reads the object its own way and checks it with {@link #check}.
 *
 * <p>Columns, tab-separated, {@code #} starts a comment line: {@code condition} (the rule the row covers,
 * e.g. {@code Progressing=False ProgressDeadlineExceeded}), {@code file} (relative to the table),
 * {@code select} (which object of the file, or {@code -}: the adapter's test says what it means),
 * {@code phase} (a {@link Phase}), {@code message} (text the message must contain, or {@code -} for
 * an empty message).
 */
public record StatusCases(Path table, List<Case> cases) {

    /** One row of the table. */
    public record Case(int line, String condition, Path file, String select, Phase phase, String message) {
        @Override
        public String toString() {
            // JUnit names a parameterized case by it: the rule and the object, not a record dump
            return condition + " (" + file.getFileName() + (select.isEmpty() ? "" : " " + select) + ")";
        }
    }

    public static StatusCases load(Path table) {
        List<Case> cases = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t", -1);
            if (cols.length != 5) {
                throw new IllegalArgumentException(table + ":" + n + ": 5 tab-separated columns expected, found " + cols.length);
            }
            Path file = table.resolveSibling(cols[1].trim());
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(table + ":" + n + ": no such fixture " + file);
            }
            cases.add(new Case(n, cols[0].trim(), file, dash(cols[2]), Phase.valueOf(cols[3].trim()), dash(cols[4])));
        }
        return new StatusCases(table, List.copyOf(cases));
    }

    /** Asserts that {@code status} is what the row expects; the row is named in the failure. */
    public static void check(Case c, WorkloadStatus status) {
        String where = c.condition() + " at line " + c.line();
        assertThat(status.phase()).as(where + ": phase (message: " + status.message() + ")").isEqualTo(c.phase());
        if (c.message().isEmpty()) {
            assertThat(status.message()).as(where + ": message").isEmpty();
        } else {
            assertThat(status.message()).as(where + ": message").contains(c.message());
        }
    }

    private static String dash(String col) {
        String s = col.trim();
        return s.equals("-") ? "" : s;
    }
}
