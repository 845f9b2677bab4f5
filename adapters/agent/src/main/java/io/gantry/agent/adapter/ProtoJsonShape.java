package io.gantry.agent.adapter;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.gantry.spi.InvalidSpecException.FieldError;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON value (as {@link io.gantry.spi.ManifestReader} builds it) against a protobuf message's
 * fields before {@code JsonFormat} reads it: {@code JsonFormat} stops at the first problem with a
 * message that does not say where ({@code Not an int32 value: "two"}), and a user needs the field
 * ({@code [0].spec.replicas}). Only the shape is checked here; {@code JsonFormat} stays the reader.
 */
final class ProtoJsonShape {
    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private ProtoJsonShape() {
    }

    /** Adds one error per field of {@code object} that {@code type} does not have or whose value has the wrong shape. */
    static void check(Descriptor type, Map<?, ?> object, String path, List<FieldError> errors) {
        object.forEach((key, value) -> {
            String name = (String) key;
            String at = join(path, name);
            FieldDescriptor field = type.findFieldByName(name);
            if (field == null) {
                field = type.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
            }
            if (field == null) {
                errors.add(new FieldError(at, "is not a field of " + type.getName()));
            } else if (value != null) {
                field(field, value, at, errors);
            }
        });
    }

    private static void field(FieldDescriptor field, Object value, String at, List<FieldError> errors) {
        if (field.isMapField()) {
            if (!(value instanceof Map<?, ?> map)) {
                errors.add(new FieldError(at, "must be an object"));
                return;
            }
            FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
            map.forEach((k, v) -> single(valueField, v, join(at, (String) k), errors));
        } else if (field.isRepeated()) {
            if (!(value instanceof List<?> list)) {
                errors.add(new FieldError(at, "must be a list"));
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                single(field, list.get(i), at + "[" + i + "]", errors);
            }
        } else {
            single(field, value, at, errors);
        }
    }

    private static void single(FieldDescriptor field, Object value, String at, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        String problem = switch (field.getJavaType()) {
            case MESSAGE -> message(field.getMessageType(), value, at, errors);
            case INT -> whole(value, INT_MIN, INT_MAX) ? null : "must be a whole number that fits 32 bits";
            case LONG -> whole(value, LONG_MIN, LONG_MAX) ? null : "must be a whole number that fits 64 bits";
            case FLOAT, DOUBLE -> value instanceof Number || value instanceof String ? null : "must be a number";
            case BOOLEAN -> value instanceof Boolean ? null : "must be true or false";
            case STRING, BYTE_STRING -> value instanceof String ? null : "must be a string";
            case ENUM -> value instanceof String || value instanceof Integer ? null : "must be one of the enum's names";
        };
        if (problem != null) {
            errors.add(new FieldError(at, problem));
        }
    }

    private static String message(Descriptor type, Object value, String at, List<FieldError> errors) {
        if (type.getFullName().startsWith("google.protobuf.")) {
            // well-known types have JSON forms of their own (a Timestamp is an RFC 3339 string): JsonFormat checks them
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            return "must be an object";
        }
        check(type, map, at, errors);
        return null;
    }

    /** A JSON integer in range, or a string holding one (protobuf's JSON writes 64-bit numbers as strings). */
    private static boolean whole(Object value, BigInteger min, BigInteger max) {
        BigInteger n;
        if (value instanceof Integer || value instanceof Long) {
            n = BigInteger.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger b) {
            n = b;
        } else if (value instanceof String s && s.matches("-?[0-9]{1,20}")) {
            n = new BigInteger(s);
        } else {
            return false;
        }
        return n.compareTo(min) >= 0 && n.compareTo(max) <= 0;
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
