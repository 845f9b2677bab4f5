package io.gantry.web;

/** A request that clashes with stored state (a name already taken); a 409 {@code conflict}. */
public class ConflictException extends ProblemException {
    public ConflictException(String message) {
        super(ProblemType.CONFLICT, message);
    }
}
