package io.gantry.exec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One session's output as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/): a header line,
 * then one {@code [seconds, "o"|"r", data]} line per output chunk or resize. Input is not recorded, as asciinema
 * does not by default: what a user types into a password prompt must not land in a file. Output is decoded as a
 * stream, so a UTF-8 sequence split across chunks is written whole. Not thread-safe: the session serializes calls.
 */
final class Asciicast implements AutoCloseable {
    static final String MEDIA_TYPE = "application/x-asciicast";

    private final BufferedWriter out;
    private final JsonMapper json;
    private final long startNanos = System.nanoTime();
    private final long limit;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private long written;
    private boolean full;
    private boolean closed;

    private Asciicast(BufferedWriter out, JsonMapper json, long limit) {
        this.out = out;
        this.json = json;
        this.limit = limit;
    }

    /** Creates the file and writes its header. */
    static Asciicast create(Path file, JsonMapper json, long limit, int cols, int rows, List<String> command,
                            String title) throws IOException {
        Files.createDirectories(file.getParent());
        Asciicast cast = new Asciicast(Files.newBufferedWriter(file, StandardCharsets.UTF_8), json, limit);
        ObjectNode header = json.createObjectNode();
        header.put("version", 2);
        header.put("width", cols);
        header.put("height", rows);
        header.put("timestamp", Instant.now().getEpochSecond());
        header.put("command", String.join(" ", command));
        header.put("title", title);
        header.putObject("env").put("TERM", "xterm-256color");
        cast.line(header.toString());
        return cast;
    }

    void output(byte[] data) throws IOException {
        if (full || closed) {
            return;
        }
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + data.length).put(pending).put(data).flip();
        CharBuffer chars = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, chars, false);
        pending = in.slice();
        String text = chars.flip().toString();
        if (text.isEmpty()) {
            return;
        }
        if (written + text.length() > limit) {
            event("o", "\r\n[gantry: recording stopped at " + limit + " bytes; the session went on]\r\n");
            full = true;
            return;
        }
        event("o", text);
    }

    void resize(int cols, int rows) throws IOException {
        if (!full && !closed) {
            event("r", cols + "x" + rows);
        }
    }

    private void event(String code, String data) throws IOException {
        ArrayNode event = json.createArrayNode();
        event.add(Math.round((System.nanoTime() - startNanos) / 1_000_000.0) / 1000.0);
        event.add(code);
        event.add(data);
        String line = event.toString();
        written += line.length();
        line(line);
    }

    private void line(String text) throws IOException {
        out.write(text);
        out.write('\n');
        // flushed per event: a crash must not lose what the session showed up to then
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
