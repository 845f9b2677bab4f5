package io.gantry.web;

import java.util.List;
import java.util.stream.Collectors;

/** Input the API rejects, naming the offending field or parameter; mapped to 400 with {@code errors}. */
public class BadRequestException extends RuntimeException {
    private static final int SHOWN = 10;
    private final List<FieldProblem> errors;

    public BadRequestException(List<FieldProblem> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    /**
     * The first few errors in one line: a document of thousands of bad items must not cost a
     * quadratic string concatenation (an import of a 20 000-item array took longer than any client waits).
     */
    private static String summary(List<FieldProblem> errors) {
        if (errors.isEmpty()) {
            return "bad request";
        }
        String first = errors.stream().limit(SHOWN).map(e -> e.field() + ": " + e.message())
                .collect(Collectors.joining("; "));
        return errors.size() > SHOWN ? first + "; and " + (errors.size() - SHOWN) + " more" : first;
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
