package io.gantry.spi.json;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Null-tolerant reads of an engine's JSON trees, for the adapters that read their engine's API as trees
 * (Swarm, Marathon). Engines leave fields out (Go's {@code omitempty}), write {@code null} for unset ones
 * (Marathon's {@code "args": null}) and change shapes across versions, so every read here treats a missing
 * parent, a missing field, {@code null} and a wrongly typed value the same way: as absent.
 *
 * <p>Adapters keep their documents as trees rather than typed records so that a document read from the
 * engine and written back (a Marathon {@code PUT}, a Swarm service update) keeps every field Gantry does
 * not model, in its order, explicit {@code null}s included.
 */
public final class Json {
    /** A mapper with Jackson's defaults; thread-safe. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    /** The tree of a body; an empty or blank body is an empty object. */
    public static JsonNode parse(String body) {
        return MAPPER.readTree(body == null || body.isBlank() ? "{}" : body);
    }

    /** Whether the node is a value at all: neither a Java {@code null}, a missing node nor JSON {@code null}. */
    public static boolean present(JsonNode node) {
        return node != null && !node.isMissingNode() && !node.isNull();
    }

    /**
     * The scalar at {@code field} as text (a number or boolean as JSON writes it), or {@code null} when
     * absent, {@code null}, an object or array, or the empty string.
     */
    public static String text(JsonNode parent, String field) {
        JsonNode value = field(parent, field);
        if (!present(value) || !value.isValueNode()) {
            return null;
        }
        String text = value.asString();
        return text.isEmpty() ? null : text;
    }

    /** {@link #text(JsonNode, String)}, or {@code orElse} when that is {@code null}. */
    public static String text(JsonNode parent, String field, String orElse) {
        String value = text(parent, field);
        return value == null ? orElse : value;
    }

    /** The number at {@code field} as an int (truncated), or {@code null} when absent or not a number. */
    public static Integer integer(JsonNode parent, String field) {
        JsonNode value = field(parent, field);
        return present(value) && value.isNumber() ? value.asInt() : null;
    }

    public static int intOr(JsonNode parent, String field, int orElse) {
        Integer value = integer(parent, field);
        return value == null ? orElse : value;
    }

    /** The number at {@code field} as a long (truncated), or {@code null} when absent or not a number. */
    public static Long longValue(JsonNode parent, String field) {
        JsonNode value = field(parent, field);
        return present(value) && value.isNumber() ? value.longValue() : null;
    }

    /** The number at {@code field} as a double, or {@code null} when absent or not a number. */
    public static Double doubleValue(JsonNode parent, String field) {
        JsonNode value = field(parent, field);
        return present(value) && value.isNumber() ? value.asDouble() : null;
    }

    /** Whether {@code field} is the boolean {@code true}; absent or of another type is {@code false}. */
    public static boolean bool(JsonNode parent, String field) {
        JsonNode value = field(parent, field);
        return present(value) && value.isBoolean() && value.asBoolean();
    }

    /** The object at {@code field}, or {@code null} when absent or not an object. */
    public static JsonNode object(JsonNode parent, String field) {
        JsonNode value = field(parent, field);
        return present(value) && value.isObject() ? value : null;
    }

    /** The elements of the array at {@code field}; empty when absent or not an array. A new, mutable list. */
    public static List<JsonNode> array(JsonNode parent, String field) {
        JsonNode value = field(parent, field);
        return present(value) && value.isArray() ? new ArrayList<>(value.values()) : new ArrayList<>();
    }

    /** {@link #strings(JsonNode)} of the array at {@code field}. */
    public static List<String> strings(JsonNode parent, String field) {
        return strings(field(parent, field));
    }

    /** The scalar elements of an array as text, in order; {@code null}s and nested objects or arrays are skipped. */
    public static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (present(array) && array.isArray()) {
            for (JsonNode item : array) {
                if (item.isValueNode() && !item.isNull()) {
                    out.add(item.asString());
                }
            }
        }
        return out;
    }

    /**
     * An object's fields as text, in order: scalars as text, objects and arrays as their JSON; {@code null}
     * values are skipped. Empty when the node is not an object.
     */
    public static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        if (present(object) && object.isObject()) {
            for (Map.Entry<String, JsonNode> entry : object.properties()) {
                JsonNode value = entry.getValue();
                if (!value.isNull()) {
                    out.put(entry.getKey(), value.isValueNode() ? value.asString() : value.toString());
                }
            }
        }
        return out;
    }

    /**
     * An RFC 3339 time at {@code field}, or {@code null} when absent, unreadable or before 1970: dockerd
     * sends Go's zero time ({@code 0001-01-01T00:00:00Z}) for times that were never set.
     */
    public static Instant instant(JsonNode parent, String field) {
        String value = text(parent, field);
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

    private static JsonNode field(JsonNode parent, String field) {
        return parent == null ? null : parent.get(field);
    }
}
