package io.gantry.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;

/**
 * A failure that answers with a problem of a known {@link ProblemType}: thrown by any feature's
 * services and controllers, rendered by {@link ProblemAdvice}. The subclasses name the common cases
 * ({@link BadRequestException}, {@link NotFoundException}...); the {@code detail} is the message.
 */
public class ProblemException extends RuntimeException {
    private final transient ProblemType type;
    private final transient List<FieldProblem> errors;
    private final transient Map<String, Object> properties;
    private final transient HttpHeaders headers;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, List.of(), Map.of(), HttpHeaders.EMPTY);
    }

    /**
     * @param properties the type's extra members ({@code limit}, {@code max}...), as docs/api.md lists them
     * @param headers    sent along ({@code Retry-After})
     */
    public ProblemException(ProblemType type, String detail, List<FieldProblem> errors, Map<String, Object> properties,
            HttpHeaders headers) {
        super(detail);
        this.type = type;
        this.errors = List.copyOf(errors);
        this.properties = new LinkedHashMap<>(properties);
        this.headers = HttpHeaders.readOnlyHttpHeaders(headers);
    }

    public ProblemType type() {
        return type;
    }

    public List<FieldProblem> errors() {
        return errors;
    }

    HttpHeaders headers() {
        return headers;
    }

    ProblemDetail problem() {
        ProblemDetail problem = type.problem(getMessage(), errors);
        properties.forEach(problem::setProperty);
        return problem;
    }
}
