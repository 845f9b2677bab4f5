package io.gantry.marathon;

import io.gantry.spi.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import tools.jackson.databind.JsonNode;

/**
 * Reads Server-Sent Events frames from Marathon's {@code /v2/events}, one at a time. The type is taken from the
 * payload's {@code eventType}: Marathon 0.x sent {@code data:} lines without an {@code event:} line
 * (see testdata/fixtures/marathon/MARATHON-SSE.md). A frame whose data is not JSON is skipped.
 */
final class SseReader {
    /** One parsed frame. */
    record Frame(String type, JsonNode data) {
    }

    private final BufferedReader reader;

    SseReader(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next frame, blocking; {@code null} once the stream has ended. */
    Frame next() throws IOException {
        String name = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                Frame frame = frame(name, data);
                if (frame != null) {
                    return frame;
                }
                name = null;
                data.setLength(0);
            } else if (line.startsWith(":")) {
                continue;
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(line.substring(5).stripLeading());
            }
        }
        // a last frame the stream's end cut off without its blank line
        return frame(name, data);
    }

    private static Frame frame(String name, StringBuilder data) {
        if (data.isEmpty()) {
            return null;
        }
        JsonNode json;
        try {
            json = Json.parse(data.toString());
        } catch (RuntimeException e) {
            return null;
        }
        String type = Json.text(json, "eventType");
        return new Frame(type != null ? type : name == null ? "" : name, json);
    }
}
