package io.gantry.marathon;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Null-tolerant reads of Marathon JSON. Marathon omits fields, writes {@code null} for unset ones
 * ({@code "args": null}, {@code "container": null}) and changed shapes across versions, so every
 * read here treats missing, null and wrongly typed the same way: as absent.
 */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static boolean present(JsonNode node) {
        return node != null && !node.isMissingNode() && !node.isNull();
    }

    /** The text of a scalar field, or {@code null} when absent, null or not a scalar. */
    static String text(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return present(n) && n.isValueNode() ? n.asString() : null;
    }

    static String textOr(JsonNode parent, String field, String fallback) {
        String t = text(parent, field);
        return t == null ? fallback : t;
    }

    static Integer integer(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return present(n) && n.isNumber() ? n.asInt() : null;
    }

    static int intOr(JsonNode parent, String field, int fallback) {
        Integer i = integer(parent, field);
        return i == null ? fallback : i;
    }

    static Double number(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return present(n) && n.isNumber() ? n.asDouble() : null;
    }

    static boolean bool(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return present(n) && n.isBoolean() && n.asBoolean();
    }

    /** The elements of an array field; empty when absent or not an array. */
    static List<JsonNode> array(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (!present(n) || !n.isArray()) {
            return List.of();
        }
        return new ArrayList<>(n.values());
    }

    static List<String> strings(JsonNode parent, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array(parent, field)) {
            if (n.isValueNode() && !n.isNull()) {
                out.add(n.asString());
            }
        }
        return out;
    }

    static JsonNode object(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return present(n) && n.isObject() ? n : null;
    }

    /** An ISO-8601 timestamp as Marathon writes them ({@code 2015-09-30T12:44:30.061Z}), or {@code null}. */
    static Instant instant(JsonNode parent, String field) {
        String t = text(parent, field);
        if (t == null || t.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static JsonNode parse(String body) {
        return MAPPER.readTree(body == null || body.isBlank() ? "{}" : body);
    }
}
