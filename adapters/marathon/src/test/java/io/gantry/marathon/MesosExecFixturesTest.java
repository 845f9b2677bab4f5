package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;

/**
 * RecordIO framing and the nested-container messages against Mesos' own material in
 * {@code testdata/fixtures/marathon/mesos} (see its SOURCES.md): stout's RecordIO test stream, and the example
 * calls and answers of the operator API docs.
 */
class MesosExecFixturesTest {
    private static final Pattern EXAMPLE_END =
            Pattern.compile("^(?:\\S+ HTTP (?:Request|Response) \\(JSON\\):|```|\\.\\.\\.)$", Pattern.MULTILINE);

    @Test
    void recordIoReadsStoutsEncodedStreamWholeAndSplitAnywhere() throws IOException {
        byte[] stream = fixtureBytes("recordio-stout-encode.recordio");
        List<String> expected = List.of("hello!", "", " ", "13 characters");
        assertThat(readAll(new ByteArrayInputStream(stream))).isEqualTo(expected);
        // "network intermediaries are free to change the chunk boundaries" (docs/recordio.md)
        assertThat(readAll(new OneByteAtATime(stream))).isEqualTo(expected);
    }

    @Test
    void recordIoEncodesAsStoutDoes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String record : List.of("hello!", "", " ", "13 characters")) {
            out.write(RecordIo.encode(record.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(out.toByteArray()).isEqualTo(fixtureBytes("recordio-stout-encode.recordio"));
    }

    @Test
    void aBrokenRecordIoStreamIsAnErrorNotARecord() {
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(fixtureBytes("recordio-stout-bad.recordio"))))
                .isInstanceOf(IOException.class).hasMessageContaining("not a RecordIO stream");
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream("13\n13 char".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream("99999999999\n".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(IOException.class).hasMessageContaining("over the limit");
    }

    @Test
    void theDocsSessionOutputDecodesToItsStreams() throws IOException {
        // the docs' size prefixes are illustrative (90 for records of 110 bytes): the messages are re-framed here
        List<JsonNode> output = messages("LAUNCH_NESTED_CONTAINER_SESSION HTTP Response (JSON):");
        assertThat(output).hasSize(3);
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        for (JsonNode message : output) {
            framed.write(RecordIo.encode(MesosCalls.bytes(message)));
        }
        RecordIo.Reader reader = new RecordIo.Reader(new ByteArrayInputStream(framed.toByteArray()));
        List<MesosCalls.Output> decoded = new ArrayList<>();
        for (byte[] record = reader.next(); record != null; record = reader.next()) {
            decoded.add(MesosCalls.output(Json.MAPPER.readTree(record)));
        }
        assertThat(decoded).extracting(o -> new String(o.data(), StandardCharsets.UTF_8))
                .containsExactly("Mon Feb 27 07:39:38 UTC 2017\n", "Mon Feb 27 07:39:39 UTC 2017\n",
                        "Mon Feb 27 07:39:40 UTC 2017\n");
        assertThat(decoded).extracting(MesosCalls.Output::stderr).containsExactly(false, false, true);
    }

    @Test
    void controlMessagesOfTheOutputAreNoOutput() {
        ObjectNode heartbeat = Json.MAPPER.createObjectNode().put("type", "CONTROL");
        heartbeat.putObject("control").put("type", "HEARTBEAT");
        assertThat(MesosCalls.output(heartbeat)).isNull();
    }

    @Test
    void inputMessagesAreTheDocsOnes() {
        List<JsonNode> input = messages("ATTACH_CONTAINER_INPUT HTTP Request (JSON):");
        assertThat(input).hasSize(4);
        ObjectNode containerId = (ObjectNode) input.get(0).path("attach_container_input").path("container_id");
        assertThat(MesosCalls.attachInput(containerId)).isEqualTo(input.get(0));
        assertThat(MesosCalls.stdin("test\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(input.get(1));
        assertThat(MesosCalls.heartbeat(MesosCalls.HEARTBEAT)).isEqualTo(input.get(2));
        assertThat(MesosCalls.stdin(new byte[0])).isEqualTo(input.get(3));
    }

    @Test
    void launchWaitAndKillNameTheNestedContainerAsTheDocsDo() {
        JsonNode launch = messages("LAUNCH_NESTED_CONTAINER_SESSION HTTP Request (JSON):").get(0);
        JsonNode docId = launch.path("launch_nested_container_session").path("container_id");
        ObjectNode id = MesosCalls.nestedContainerId(docId.path("parent"), docId.path("value").asString());
        assertThat(id).isEqualTo(docId);

        ObjectNode ours = MesosCalls.launchSession(id, ExecRequest.terminal(List.of("sh", "-c", "date"), 120, 40));
        assertThat(ours.path("type").asString()).isEqualTo(launch.path("type").asString());
        JsonNode session = ours.path("launch_nested_container_session");
        assertThat(session.path("container_id")).isEqualTo(docId);
        assertThat(session.path("command").path("shell").asBoolean()).isFalse();
        assertThat(session.path("command").path("value").asString()).isEqualTo("sh");
        assertThat(session.path("command").path("arguments").toString()).isEqualTo("[\"sh\",\"-c\",\"date\"]");
        assertThat(session.path("container").path("tty_info").path("window_size").toString())
                .isEqualTo("{\"rows\":40,\"columns\":120}");
        assertThat(MesosCalls.launchSession(id, ExecRequest.plain(List.of("true")))
                .path("launch_nested_container_session").has("container")).isFalse();

        JsonNode waitCall = messages("WAIT_NESTED_CONTAINER HTTP Request (JSON):").get(0);
        ObjectNode waitId = (ObjectNode) waitCall.path("wait_nested_container").path("container_id");
        assertThat(MesosCalls.waitNested(waitId)).isEqualTo(waitCall);
        JsonNode killCall = messages("KILL_NESTED_CONTAINER HTTP Request (JSON):").get(0);
        ObjectNode killId = (ObjectNode) killCall.path("kill_nested_container").path("container_id");
        assertThat(MesosCalls.killNested(killId)).isEqualTo(killCall);
    }

    @Test
    void theWaitStatusIsDecodedAsWait2Macros() {
        assertThat(MesosCalls.exitCode(messages("WAIT_NESTED_CONTAINER HTTP Response (JSON):").get(0))).isZero();
        assertThat(MesosCalls.exitCode(3 << 8)).isEqualTo(3);
        assertThat(MesosCalls.exitCode(9)).isEqualTo(137);
        assertThat(MesosCalls.exitCode(15)).isEqualTo(143);
        ObjectNode destroyed = Json.MAPPER.createObjectNode().put("type", "WAIT_NESTED_CONTAINER");
        destroyed.putObject("wait_nested_container").put("state", "TASK_FAILED")
                .put("message", "Container destroyed while provisioning images");
        assertThat(MesosCalls.exitCode(destroyed)).isNull();
        assertThat(MesosCalls.endReason(destroyed)).isEqualTo("Container destroyed while provisioning images");
    }

    /** The JSON messages of one example of the operator API docs, in order (size prefixes dropped). */
    private static List<JsonNode> messages(String heading) {
        String doc = new String(fixtureBytes("operator-http-api-nested-containers.md"), StandardCharsets.UTF_8);
        int at = doc.indexOf(heading);
        assertThat(at).as(heading).isNotNegative();
        String rest = doc.substring(at + heading.length());
        // the example ends at the next example's heading, the code fence, or the docs' "..." of a stream
        Matcher next = EXAMPLE_END.matcher(rest);
        String section = next.find() ? rest.substring(0, next.start()) : rest;
        int body = section.indexOf("\n\n", section.lastIndexOf(": application/"));
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> values = Json.MAPPER.readerFor(JsonNode.class).readValues(section.substring(body))) {
            values.forEachRemaining(v -> {
                if (v.isObject()) {
                    out.add(v);
                }
            });
        }
        return out;
    }

    private static List<String> readAll(InputStream in) throws IOException {
        RecordIo.Reader reader = new RecordIo.Reader(in);
        List<String> out = new ArrayList<>();
        for (byte[] record = reader.next(); record != null; record = reader.next()) {
            out.add(new String(record, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static byte[] fixtureBytes(String name) {
        try {
            return Files.readAllBytes(MarathonTestServer.fixtures().resolve("mesos").resolve(name));
        } catch (IOException e) {
            throw new AssertionError("fixture mesos/" + name + " unreadable", e);
        }
    }

    /** A stream that hands out one byte per read, as a proxy splitting every chunk would. */
    private static final class OneByteAtATime extends InputStream {
        private final ByteArrayInputStream in;

        OneByteAtATime(byte[] data) {
            this.in = new ByteArrayInputStream(data);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return len == 0 ? 0 : in.read(b, off, 1);
        }
    }
}
