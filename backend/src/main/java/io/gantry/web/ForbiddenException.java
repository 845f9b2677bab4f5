package io.gantry.web;

import java.util.List;

/**
 * The caller's role does not allow this particular request, although the route itself is open to it (an OPERATOR
 * deploying to a privileged runtime). Mapped to 403 with the same {@code type} as Spring Security's denials, plus
 * the field that made the difference in {@code errors}.
 */
public class ForbiddenException extends RuntimeException {
    private final List<BadRequestException.FieldProblem> errors;

    public ForbiddenException(String field, String message) {
        super(message);
        this.errors = List.of(new BadRequestException.FieldProblem(field, message));
    }

    public List<BadRequestException.FieldProblem> errors() {
        return errors;
    }
}
