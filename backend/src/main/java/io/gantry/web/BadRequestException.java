package io.gantry.web;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;

/** Input the API rejects, naming the offending field or parameter; a 400 {@code invalid-request} with {@code errors}. */
public class BadRequestException extends ProblemException {
    private static final int SHOWN = 10;

    public BadRequestException(List<FieldProblem> errors) {
        super(ProblemType.INVALID_REQUEST, summary(errors), errors, Map.of(), HttpHeaders.EMPTY);
    }

    /**
     * The first few errors in one line: a document of thousands of bad items must not cost a
     * quadratic string concatenation (an import of a 20 000-item array took longer than any client waits).
     */
    static String summary(List<FieldProblem> errors) {
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
}
