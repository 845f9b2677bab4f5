package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.LogLine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DockerLogFramesTest {
    private static final String DETAILS = "com.docker.swarm.node.id=2sgr0her420n0btgkogplpxna,"
            + "com.docker.swarm.service.id=ojovcq8o6ic40v9e3xjhfkdej,com.docker.swarm.task.id=e0iinmslsrjoqefuv1rhzbrz0";

    @Test
    void multiplexedFramesAreSplitIntoLinesPerStreamWithTheirTask() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        frame(body, 1, "2026-11-28T14:07:01.731956511Z " + DETAILS + " line4\n");
        frame(body, 2, "2026-11-28T14:07:01.731981849Z " + DETAILS + " err4\n");
        // dockerd splits long messages over frames: the line continues in the next frame of its stream
        frame(body, 1, "2026-11-28T14:07:02.000000001Z " + DETAILS + " first half ");
        frame(body, 1, "second half\n");
        frame(body, 1, "2026-11-28T14:07:03Z " + DETAILS + " no newline at the end");

        List<LogLine> lines = read(body.toByteArray());

        assertThat(lines).containsExactly(
                new LogLine(Instant.parse("2026-11-28T14:07:01.731956511Z"), "e0iinmslsrjoqefuv1rhzbrz0", "stdout", "line4"),
                new LogLine(Instant.parse("2026-11-28T14:07:01.731981849Z"), "e0iinmslsrjoqefuv1rhzbrz0", "stderr", "err4"),
                new LogLine(Instant.parse("2026-11-28T14:07:02.000000001Z"), "e0iinmslsrjoqefuv1rhzbrz0", "stdout",
                        "first half second half"),
                new LogLine(Instant.parse("2026-11-28T14:07:03Z"), "e0iinmslsrjoqefuv1rhzbrz0", "stdout", "no newline at the end"));
    }

    @Test
    void ttyServicesSendRawTextWithoutFrames() throws IOException {
        String raw = "2026-11-28T14:07:01Z " + DETAILS + " hello world\r\n2026-11-28T14:07:02Z " + DETAILS + " bye\n";
        assertThat(read(raw.getBytes(StandardCharsets.UTF_8))).extracting(LogLine::text, LogLine::stream)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("hello world", "stdout"),
                        org.assertj.core.groups.Tuple.tuple("bye", "stdout"));
    }

    @Test
    void urlEncodedDetailsAreDecodedAndLinesWithoutDetailsKeepTheirText() {
        LogLine encoded = DockerLogFrames.parse("stdout", "2026-11-28T14:07:01Z com.docker.swarm.task.id=a%2Cb,x=1 text with = sign");
        assertThat(encoded.instance()).isEqualTo("a,b");
        assertThat(encoded.text()).isEqualTo("text with = sign");

        LogLine plain = DockerLogFrames.parse("stderr", "2026-11-28T14:07:01Z key=value is just text");
        assertThat(plain.instance()).isNull();
        assertThat(plain.text()).isEqualTo("key=value is just text");

        LogLine untimed = DockerLogFrames.parse("stdout", "no time here");
        assertThat(untimed.time()).isNull();
        assertThat(untimed.text()).isEqualTo("no time here");
    }

    private static List<LogLine> read(byte[] body) throws IOException {
        List<LogLine> lines = new ArrayList<>();
        DockerLogFrames.read(new ByteArrayInputStream(body), lines::add);
        return lines;
    }

    private static void frame(ByteArrayOutputStream out, int stream, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        out.write(stream);
        out.writeBytes(new byte[] {0, 0, 0});
        out.write(bytes.length >>> 24);
        out.write(bytes.length >>> 16);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
    }
}
