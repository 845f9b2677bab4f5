package io.gantry.web;

/** One rejected field of a request, as a problem's {@code errors} lists it: {@code {field, message}}. */
public record FieldProblem(String field, String message) {
    public FieldProblem {
        field = field == null ? "" : field;
        message = message == null ? "invalid" : message;
    }
}
