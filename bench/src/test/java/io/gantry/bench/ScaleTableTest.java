package io.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScaleTableTest {
    @Test
    void aFailedStepIsAFailRowWithTheFirstLineOfItsError() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            ScaleTable table = new ScaleTable();
            table.failed("resync that finds nothing changed", "< 200.0 ms", new IllegalStateException(
                    "GET /actuator/prometheus -> 500: {}; the server's log /tmp/x.log ended:\nDuplicateLabelsException"));
            table.atMost("next row", 1, 2, "s");
            table.print("title");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).containsPattern("\\| resync that finds nothing changed +\\| error: IllegalStateException: GET "
                + "/actuator/prometheus -> 500: \\{}; the server's log /tmp/x.log ended: +\\| < 200.0 ms +\\| FAIL +\\|")
                .containsPattern("\\| next row +\\| 1.00 s +\\| < 2.00 s +\\| PASS +\\|");
    }
}
