package io.gantry.web;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * The caller's role does not allow this particular request, although the route itself is open to it (an OPERATOR
 * deploying to a privileged runtime). A 403 with the same {@code type} as Spring Security's denials, plus
 * the field that made the difference in {@code errors}.
 */
public class ForbiddenException extends ProblemException {
    public ForbiddenException(String field, String message) {
        super(ProblemType.FORBIDDEN, message, List.of(new FieldProblem(field, message)), Map.of(), HttpHeaders.EMPTY);
    }
}
