package io.gantry.web;

import java.util.List;

/** Input the API rejects, naming the offending field or parameter; mapped to 400 with {@code errors}. */
public class BadRequestException extends RuntimeException {
    private final List<FieldProblem> errors;

    public BadRequestException(List<FieldProblem> errors) {
        super(errors.stream().map(e -> e.field() + ": " + e.message()).reduce((a, b) -> a + "; " + b).orElse("bad request"));
        this.errors = List.copyOf(errors);
    }

    public static BadRequestException field(String field, String message) {
        return new BadRequestException(List.of(new FieldProblem(field, message)));
    }

    public List<FieldProblem> errors() {
        return errors;
    }

    /** One rejected field of a request. */
    public record FieldProblem(String field, String message) {
    }
}
