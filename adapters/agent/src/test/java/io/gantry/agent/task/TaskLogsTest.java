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
