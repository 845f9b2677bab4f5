package io.gantry.web;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one error contract of the REST API: every failure of a {@code @RestController} leaves as an
 * RFC 9457 problem with a stable {@code type}, a fixed {@code title} and a human {@code detail};
 * validation failures add {@code errors: [{field, message}]}. Never a stack trace; bad input is
 * never a 500.
 */
@RestControllerAdvice(annotations = RestController.class)
class ProblemAdvice extends ResponseEntityExceptionHandler {
    static final String TYPE_BASE = "https://gantry.io/problems/";
    private static final int MAX_ERRORS = 100;
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(BadRequestException.class)
    ResponseEntity<Object> badRequest(BadRequestException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", e.getMessage(),
                e.errors().stream().map(p -> fieldError(p.field(), p.message())).toList());
    }

    @ExceptionHandler(ForbiddenException.class)
    ResponseEntity<Object> forbidden(ForbiddenException e) {
        return problem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", e.getMessage(),
                e.errors().stream().map(p -> fieldError(p.field(), p.message())).toList());
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<Object> notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage(), null);
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<Object> conflict(ConflictException e) {
        return problem(HttpStatus.CONFLICT, "conflict", "Conflict", e.getMessage(), null);
    }

    @ExceptionHandler(TooManyStreamsException.class)
    ResponseEntity<Object> tooManyStreams(TooManyStreamsException e) {
        ResponseEntity<Object> r = problem(HttpStatus.TOO_MANY_REQUESTS, "too-many-streams", "Too many streams",
                e.getMessage(), null);
        ((ProblemDetail) r.getBody()).setProperty("limit", e.limit());
        ((ProblemDetail) r.getBody()).setProperty("max", e.max());
        return r;
    }

    @ExceptionHandler(WorkloadNotFoundException.class)
    ResponseEntity<Object> workloadNotFound(WorkloadNotFoundException e) {
        ResponseEntity<Object> r = problem(HttpStatus.NOT_FOUND, "workload-not-found", "Workload not found",
                e.getMessage(), null);
        ((ProblemDetail) r.getBody()).setProperty("workload", e.nativeId());
        return r;
    }

    @ExceptionHandler(EngineUnavailableException.class)
    ResponseEntity<Object> engineUnavailable(EngineUnavailableException e) {
        ResponseEntity<Object> r = problem(HttpStatus.SERVICE_UNAVAILABLE, "engine-unavailable", "Engine unavailable",
                e.getMessage(), null);
        if (e.getCause() instanceof NamedEngineFailure named) {
            ((ProblemDetail) r.getBody()).setProperty("engine", named.engine());
        }
        return r;
    }

    @ExceptionHandler(EngineConflictException.class)
    ResponseEntity<Object> engineConflict(EngineConflictException e) {
        return problem(HttpStatus.CONFLICT, "engine-conflict", "Conflict on the engine", e.getMessage(), null);
    }

    @ExceptionHandler(InvalidSpecException.class)
    ResponseEntity<Object> invalidSpec(InvalidSpecException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-spec", "Invalid spec", e.getMessage(),
                e.errors().stream().map(f -> fieldError(f.field(), f.message())).toList());
    }

    @ExceptionHandler(UnsupportedCapabilityException.class)
    ResponseEntity<Object> unsupported(UnsupportedCapabilityException e) {
        ResponseEntity<Object> r = problem(HttpStatus.UNPROCESSABLE_CONTENT, "unsupported-capability",
                "Unsupported by the engine", e.getMessage(), null);
        ((ProblemDetail) r.getBody()).setProperty("capability", e.capability().name().toLowerCase());
        return r;
    }

    @ExceptionHandler(EngineForbiddenException.class)
    ResponseEntity<Object> engineForbidden(EngineForbiddenException e) {
        return problem(HttpStatus.FORBIDDEN, "engine-forbidden", "Forbidden by the engine", e.getMessage(), null);
    }

    /** Two requests changing the same thing at once (one deleting what the other updates): retry. */
    @ExceptionHandler(ConcurrencyFailureException.class)
    ResponseEntity<Object> concurrentChange(ConcurrencyFailureException e) {
        return problem(HttpStatus.CONFLICT, "conflict", "Conflict",
                "the change raced another one on the same object; reload and retry", null);
    }

    /** Left to Spring Security's filters, which answer 401/403 themselves. */
    @ExceptionHandler({AccessDeniedException.class, AuthenticationException.class})
    void security(RuntimeException e) {
        throw e;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        log.error("Unexpected failure of an API call", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "the server failed to handle this request; see its log", null);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> fieldError(f.getField(), f.getDefaultMessage())).toList();
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                "the request has " + errors.size() + " invalid field(s)", errors);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = e.getParameterValidationResults().stream()
                .flatMap(r -> r.getResolvableErrors().stream().map(err -> fieldError(
                        r.getMethodParameter().getParameterName(), err.getDefaultMessage())))
                .toList();
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                "the request has invalid parameters", errors);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
        String message = InputErrors.mustBe(e.getRequiredType());
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", name + ": " + message,
                List.of(fieldError(name, message)));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                e.getParameterName() + ": is required", List.of(fieldError(e.getParameterName(), "is required")));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLargeException tooLarge) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
                        tooLarge.getMessage(), null);
            }
        }
        var bad = InputErrors.of(e);
        if (bad.isPresent()) {
            String field = bad.get().field();
            String message = bad.get().message();
            return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", field + ": " + message,
                    List.of(fieldError(field, message)));
        }
        return problem(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body",
                "the request body is missing or is not valid JSON", null);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            problem.setType(URI.create(TYPE_BASE + "http-" + status.value()));
            return ResponseEntity.status(status).headers(response.getHeaders())
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
        }
        return response;
    }

    private static Map<String, String> fieldError(String field, String message) {
        return Map.of("field", field == null ? "" : field, "message", message == null ? "invalid" : message);
    }

    private static ResponseEntity<Object> problem(HttpStatus status, String type, String title, String detail,
            List<Map<String, String>> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + type));
        problem.setTitle(title);
        if (errors != null) {
            // a manifest of thousands of bad items names the first ones, not a body of megabytes
            problem.setProperty("errors", errors.size() > MAX_ERRORS ? errors.subList(0, MAX_ERRORS) : errors);
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
