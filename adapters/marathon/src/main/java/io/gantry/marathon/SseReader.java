package io.gantry.marathon;

import io.gantry.spi.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import tools.jackson.databind.JsonNode;

/**
 * Reads Server-Sent Events frames from Marathon's {@code /v2/events}. The type is taken from the
 * payload's {@code eventType}: Marathon 0.x sent {@code data:} lines without an {@code event:} line
 * (see testdata/fixtures/marathon/MARATHON-SSE.md).
 */
final class SseReader {
    /** Receives one parsed frame. */
    interface FrameHandler {
        void onFrame(String eventType, JsonNode data);
    }

    private SseReader() {
    }

    /** Reads frames until the stream ends; returns normally at end of stream. */
    static void read(InputStream in, FrameHandler handler) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String name = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                dispatch(name, data, handler);
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
        dispatch(name, data, handler);
    }

    private static void dispatch(String name, StringBuilder data, FrameHandler handler) {
        if (data.isEmpty()) {
            return;
        }
        JsonNode json;
        try {
            json = Json.parse(data.toString());
        } catch (RuntimeException e) {
            return;
        }
        String type = Json.text(json, "eventType");
        handler.onFrame(type != null ? type : name == null ? "" : name, json);
    }
}
