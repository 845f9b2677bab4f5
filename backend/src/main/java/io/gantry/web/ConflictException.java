package io.gantry.web;

/** A request that clashes with stored state (a name already taken); mapped to 409. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
