package io.gantry.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * An RFC 9457 problem as this package answers it: {@code type}, {@code title}, {@code status},
 * {@code detail} and, for validation, {@code errors: [{field, message}]}. Rendered as a plain map so
 * that filters (which run outside Spring MVC) and controllers produce byte-for-byte the same shape.
 */
public record Problem(HttpStatus status, String slug, String title, String detail, List<FieldMessage> errors) {
    /** The same scheme as the REST advice's problems ({@code web.ProblemAdvice}): one type URI per failure, whoever writes it. */
    static final String TYPE_PREFIX = "https://gantry.io/problems/";

    public record FieldMessage(String field, String message) {
    }

    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static Problem of(HttpStatus status, String slug, String title, String detail) {
        return new Problem(status, slug, title, detail, List.of());
    }

    static Problem unauthorized(String detail) {
        return of(HttpStatus.UNAUTHORIZED, "unauthorized", "Authentication required", detail);
    }

    static Problem forbidden(String detail) {
        return of(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", detail);
    }

    static Problem invalid(String detail, List<FieldMessage> errors) {
        return new Problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail, errors);
    }

    static Problem invalidField(String field, String message) {
        return invalid(field + ": " + message, List.of(new FieldMessage(field, message)));
    }

    static Problem notFound(String detail) {
        return of(HttpStatus.NOT_FOUND, "not-found", "Not found", detail);
    }

    static Problem conflict(String detail) {
        return of(HttpStatus.CONFLICT, "conflict", "Conflict", detail);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + slug);
        body.put("title", title);
        body.put("status", status.value());
        body.put("detail", detail);
        if (!errors.isEmpty()) {
            body.put("errors", errors);
        }
        return body;
    }

    ResponseEntity<Map<String, Object>> toResponse(HttpHeaders headers) {
        return ResponseEntity.status(status).headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body());
    }

    ResponseEntity<Map<String, Object>> toResponse() {
        return toResponse(HttpHeaders.EMPTY);
    }
}
