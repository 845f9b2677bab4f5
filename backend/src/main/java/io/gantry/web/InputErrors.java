package io.gantry.web;

import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Names the field of a request body or the parameter that could not be read, and says in plain
 * words what it should hold ({@code spec.replicas: must be a whole number}, {@code role: must be one
 * of [VIEWER, OPERATOR, ADMIN, NONE]}); never the Java type or the whole offending value, on every
 * route ({@link ProblemAdvice}).
 */
public final class InputErrors {
    private InputErrors() {
    }

    /** The bad field and what is wrong with it, when the body parsed up to a named field. */
    public static Optional<FieldProblem> of(HttpMessageNotReadableException e) {
        if (!(e.getCause() instanceof JacksonException json) || json.getPath().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FieldProblem(path(json.getPath()), message(json)));
    }

    /** {@code spec.ports[0].containerPort}. */
    static String path(List<JacksonException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : refs) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    static String message(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            return "is too long, too big or too deeply nested";
        }
        if (e instanceof InputCoercionException c) {
            return "is out of range" + (c.getTargetType() == null ? "" : ": it must be " + expected(c.getTargetType()));
        }
        if (e instanceof InvalidFormatException f && f.getMessage() != null
                && f.getMessage().contains(JsonInputRules.NUL_MESSAGE)) {
            return JsonInputRules.NUL_MESSAGE;
        }
        if (e instanceof InvalidNullException) {
            return "must not be null";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "must be " + expected(m.getTargetType());
        }
        return "is not valid here";
    }

    /** {@code must be a whole number (at most 2147483647)} for a parameter or field of that type. */
    public static String mustBe(Class<?> type) {
        return type == null ? "is not valid here" : "must be " + expected(type);
    }

    private static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == java.math.BigInteger.class) {
            return "a whole number" + (type == int.class || type == Integer.class ? " (at most " + Integer.MAX_VALUE + ")"
                    : type == long.class || type == Long.class ? " (at most " + Long.MAX_VALUE + ")" : "");
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == UUID.class) {
            return "a UUID";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an RFC 3339 time such as 2030-01-31T12:00:00Z";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")) {
            return "an object";
        }
        return "a value of another type";
    }
}
