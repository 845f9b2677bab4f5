package io.gantry.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskLogsTest {
    @TempDir
    Path root;

    @Test
    void filesAboveTheCapAreRotatedAndTailReadsAcrossTheRotation() throws Exception {
        TaskLogs logs = new TaskLogs(root, 100);
        Path out = logs.file("ns", "web-0", "stdout");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            text.append("line ").append(i).append('\n');
        }
        Files.writeString(out, text);
        logs.rotate();
        assertThat(Files.size(out)).isZero();
        assertThat(out.resolveSibling("stdout.log.1")).hasContent(text.toString().stripTrailing());
        Files.writeString(out, "line 20\n", StandardOpenOption.APPEND);
        assertThat(logs.tail("ns", "web-0", "stdout", 3)).containsExactly("line 18", "line 19", "line 20");
    }

    @Test
    void theLastLineIsTheLastNonEmptyOneCutShortAndFoundInTheRotatedFileWhenTheCurrentIsEmpty() throws Exception {
        TaskLogs logs = new TaskLogs(root, 1 << 20);
        assertThat(logs.lastLine("ns", "web-0", "stderr", 200)).as("no file yet").isEmpty();
        Path err = logs.file("ns", "web-0", "stderr");
        Files.writeString(err, "starting\nboom: config missing\n\n  \n");
        assertThat(logs.lastLine("ns", "web-0", "stderr", 200)).isEqualTo("boom: config missing");
        assertThat(logs.lastLine("ns", "web-0", "stderr", 4)).isEqualTo("boom");
        Files.move(err, err.resolveSibling("stderr.log.1"));
        Files.writeString(err, "");
        assertThat(logs.lastLine("ns", "web-0", "stderr", 200)).isEqualTo("boom: config missing");
    }

    @Test
    void followingReadsCompleteLinesOnlyAndStartsOverAfterATruncation() throws Exception {
        TaskLogs logs = new TaskLogs(root, 1 << 20);
        Path out = logs.file("ns", "web-0", "stderr");
        Files.writeString(out, "one\ntw");
        List<String> lines = new ArrayList<>();
        long offset = logs.readFrom(out, 0, lines);
        assertThat(lines).containsExactly("one");
        Files.writeString(out, "o\n", StandardOpenOption.APPEND);
        offset = logs.readFrom(out, offset, lines);
        assertThat(lines).containsExactly("one", "two");
        Files.writeString(out, "new\n");
        logs.readFrom(out, offset, lines);
        assertThat(lines).containsExactly("one", "two", "new");
    }
}
