package io.gantry.web;

import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * Every problem {@code type} the API answers with, in one place: its slug (the type URI is
 * {@code https://gantry.io/problems/<slug>}), its status and its fixed title. {@code docs/api.md}
 * documents each ({@code ApiReferenceIT} fails on one missing), so a new failure needs a constant here
 * and a row there. Failures refused before any endpoint ran keep their HTTP status as type
 * ({@link #forStatus}).
 */
public enum ProblemType {
    INVALID_REQUEST("invalid-request", HttpStatus.BAD_REQUEST, "Invalid request"),
    MALFORMED_BODY("malformed-body", HttpStatus.BAD_REQUEST, "Malformed request body"),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Authentication required"),
    TOTP_REQUIRED("totp-required", HttpStatus.UNAUTHORIZED, "Two-factor code required"),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Forbidden"),
    CSRF("csrf", HttpStatus.FORBIDDEN, "CSRF token missing or invalid"),
    CROSS_ORIGIN("cross-origin", HttpStatus.FORBIDDEN, "Cross-origin request refused"),
    PASSWORD_LOGIN_OFF("password-login-off", HttpStatus.FORBIDDEN, "Password sign-in is off"),
    TOKEN_ROLE_TOO_HIGH("token-role-too-high", HttpStatus.FORBIDDEN, "Role too high"),
    ENGINE_FORBIDDEN("engine-forbidden", HttpStatus.FORBIDDEN, "Forbidden by the engine"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    WORKLOAD_NOT_FOUND("workload-not-found", HttpStatus.NOT_FOUND, "Workload not found"),
    CONFLICT("conflict", HttpStatus.CONFLICT, "Conflict"),
    ENGINE_CONFLICT("engine-conflict", HttpStatus.CONFLICT, "Conflict on the engine"),
    PAYLOAD_TOO_LARGE("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),
    INVALID_SPEC("invalid-spec", HttpStatus.UNPROCESSABLE_CONTENT, "Invalid spec"),
    UNSUPPORTED_CAPABILITY("unsupported-capability", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported by the engine"),
    TOO_MANY_STREAMS("too-many-streams", HttpStatus.TOO_MANY_REQUESTS, "Too many streams"),
    LOGIN_THROTTLED("login-throttled", HttpStatus.TOO_MANY_REQUESTS, "Too many failed sign-ins"),
    INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),
    ENGINE_UNAVAILABLE("engine-unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Engine unavailable");

    /** The one scheme of every problem's {@code type}. */
    public static final String BASE = "https://gantry.io/problems/";
    /** How the reference names the types {@link #forStatus} makes: {@code http-404}, {@code http-415}... */
    public static final String STATUS_SLUG = "http-<status>";
    /** At most this many {@code errors} are listed. */
    public static final int MAX_ERRORS = 100;

    private final String slug;
    private final HttpStatus status;
    private final String title;

    ProblemType(String slug, HttpStatus status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String slug() {
        return slug;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }

    public ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(uri());
        problem.setTitle(title);
        return problem;
    }

    /** With {@code errors: [{field, message}]} when there are any. */
    public ProblemDetail problem(String detail, List<FieldProblem> errors) {
        ProblemDetail problem = problem(detail);
        if (!errors.isEmpty()) {
            // a manifest of thousands of bad items names the first ones, not a body of megabytes
            problem.setProperty("errors", errors.size() > MAX_ERRORS ? errors.subList(0, MAX_ERRORS) : errors);
        }
        return problem;
    }

    /** {@code http-<status>}: a request refused by the framework or the server before any endpoint ran. */
    public static URI forStatus(HttpStatusCode status) {
        return URI.create(BASE + STATUS_SLUG.replace("<status>", Integer.toString(status.value())));
    }

    /** An {@code http-<status>} problem, titled with the status's reason phrase. */
    public static ProblemDetail forStatus(HttpStatusCode status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(forStatus(status));
        HttpStatus known = HttpStatus.resolve(status.value());
        problem.setTitle(known == null ? "Error" : known.getReasonPhrase());
        return problem;
    }
}
