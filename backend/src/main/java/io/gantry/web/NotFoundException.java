package io.gantry.web;

/** An unknown id in a path; a 404 {@code not-found}. */
public class NotFoundException extends ProblemException {
    public NotFoundException(String what, Object id) {
        this(what + " '" + id + "' does not exist");
    }

    public NotFoundException(String detail) {
        super(ProblemType.NOT_FOUND, detail);
    }
}
