package io.gantry.security;

import org.springframework.http.HttpHeaders;

/**
 * Thrown by this feature's services and controllers to answer with a {@link Problem};
 * {@link SecurityApiExceptionHandler} renders it. Public so that the audit package can use it.
 */
public class ProblemException extends RuntimeException {
    private final transient Problem problem;
    private final transient HttpHeaders headers;

    public ProblemException(Problem problem) {
        this(problem, HttpHeaders.EMPTY);
    }

    public ProblemException(Problem problem, HttpHeaders headers) {
        super(problem.detail());
        this.problem = problem;
        this.headers = headers;
    }

    public static ProblemException invalidField(String field, String message) {
        return new ProblemException(Problem.invalidField(field, message));
    }

    Problem problem() {
        return problem;
    }

    HttpHeaders headers() {
        return headers;
    }
}
