package io.gantry.swarm;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Null-safe reads of Engine API JSON, where Go's {@code omitempty} leaves most fields out. */
final class Json {
    private Json() {
    }

    /** The string at {@code field}, or {@code null} when absent, null or empty. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() && !value.stringValue().isEmpty() ? value.stringValue() : null;
    }

    static String text(JsonNode node, String field, String orElse) {
        String value = text(node, field);
        return value == null ? orElse : value;
    }

    static Long number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.longValue() : null;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode item : array) {
            if (item.isString()) {
                out.add(item.stringValue());
            }
        }
        return out;
    }

    static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        if (object.isObject()) {
            for (Map.Entry<String, JsonNode> entry : object.properties()) {
                out.put(entry.getKey(), entry.getValue().isString() ? entry.getValue().stringValue() : entry.getValue().toString());
            }
        }
        return out;
    }

    /**
     * An RFC 3339 time, or {@code null} when absent or Go's zero time ({@code 0001-01-01T00:00:00Z}),
     * which dockerd sends for times that were never set.
     */
    static Instant time(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            return null;
        }
        try {
            Instant instant = Instant.parse(value);
            return instant.isBefore(Instant.EPOCH) ? null : instant;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
