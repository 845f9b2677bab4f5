package io.gantry.web;

/** An unknown id in a path; mapped to 404. */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String what, Object id) {
        super(what + " '" + id + "' does not exist");
    }
}
