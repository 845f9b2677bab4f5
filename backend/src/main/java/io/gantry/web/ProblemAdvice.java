package io.gantry.web;

import io.gantry.spi.EngineConflictException;
import io.gantry.spi.EngineForbiddenException;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.UnsupportedCapabilityException;
import io.gantry.spi.WorkloadNotFoundException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
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
 * The one error contract of the REST API: every failure of a {@code @RestController}, whatever its
 * feature, leaves as an RFC 9457 problem of a {@link ProblemType} (a stable {@code type}, a fixed
 * {@code title}, a human {@code detail}); validation failures add {@code errors: [{field, message}]}.
 * Never a stack trace; bad input is never a 500. What fails outside Spring MVC is written by
 * {@link ProblemWriter} in the same shape.
 */
@RestControllerAdvice(annotations = RestController.class)
class ProblemAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Object> problem(ProblemException e) {
        return respond(e.problem(), e.headers());
    }

    @ExceptionHandler(WorkloadNotFoundException.class)
    ResponseEntity<Object> workloadNotFound(WorkloadNotFoundException e) {
        ProblemDetail problem = ProblemType.WORKLOAD_NOT_FOUND.problem(e.getMessage());
        problem.setProperty("workload", e.nativeId());
        return respond(problem);
    }

    @ExceptionHandler(EngineUnavailableException.class)
    ResponseEntity<Object> engineUnavailable(EngineUnavailableException e) {
        ProblemDetail problem = ProblemType.ENGINE_UNAVAILABLE.problem(e.getMessage());
        if (e.getCause() instanceof NamedEngineFailure named) {
            problem.setProperty("engine", named.engine());
        }
        return respond(problem);
    }

    @ExceptionHandler(EngineConflictException.class)
    ResponseEntity<Object> engineConflict(EngineConflictException e) {
        return respond(ProblemType.ENGINE_CONFLICT.problem(e.getMessage()));
    }

    @ExceptionHandler(InvalidSpecException.class)
    ResponseEntity<Object> invalidSpec(InvalidSpecException e) {
        return respond(ProblemType.INVALID_SPEC.problem(e.getMessage(),
                e.errors().stream().map(f -> new FieldProblem(f.field(), f.message())).toList()));
    }

    @ExceptionHandler(UnsupportedCapabilityException.class)
    ResponseEntity<Object> unsupported(UnsupportedCapabilityException e) {
        ProblemDetail problem = ProblemType.UNSUPPORTED_CAPABILITY.problem(e.getMessage());
        problem.setProperty("capability", e.capability().name().toLowerCase());
        return respond(problem);
    }

    @ExceptionHandler(EngineForbiddenException.class)
    ResponseEntity<Object> engineForbidden(EngineForbiddenException e) {
        return respond(ProblemType.ENGINE_FORBIDDEN.problem(e.getMessage()));
    }

    /** Two requests racing to create the same thing (a user, an engine name): the loser learns it exists. */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> existing(DataIntegrityViolationException e) {
        return respond(ProblemType.CONFLICT.problem("the change conflicts with existing data; reload and retry"));
    }

    /** Two requests changing the same thing at once (one deleting what the other updates): retry. */
    @ExceptionHandler(ConcurrencyFailureException.class)
    ResponseEntity<Object> concurrentChange(ConcurrencyFailureException e) {
        return respond(ProblemType.CONFLICT.problem("the change raced another one on the same object; reload and retry"));
    }

    /** Left to Spring Security's filters, which answer 401/403 themselves. */
    @ExceptionHandler({AccessDeniedException.class, AuthenticationException.class})
    void security(RuntimeException e) {
        throw e;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        log.error("Unexpected failure of an API call", e);
        return respond(ProblemType.INTERNAL_ERROR.problem("the server failed to handle this request; see its log"));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return invalid(e.getBindingResult().getFieldErrors().stream()
                .map(f -> new FieldProblem(f.getField(), f.getDefaultMessage())).toList());
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return invalid(e.getParameterValidationResults().stream()
                .flatMap(r -> r.getResolvableErrors().stream().map(err -> new FieldProblem(
                        r.getMethodParameter().getParameterName(), err.getDefaultMessage())))
                .toList());
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
        return invalid(List.of(new FieldProblem(name, InputErrors.mustBe(e.getRequiredType()))));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return invalid(List.of(new FieldProblem(e.getParameterName(), "is required")));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLargeException tooLarge) {
                return respond(ProblemType.PAYLOAD_TOO_LARGE.problem(tooLarge.getMessage()));
            }
        }
        var bad = InputErrors.of(e);
        if (bad.isPresent()) {
            return invalid(List.of(bad.get()));
        }
        return respond(ProblemType.MALFORMED_BODY.problem("the request body is missing or is not valid JSON"));
    }

    /** Spring MVC's own refusals (an unsupported media type, a missing header...) keep their status as type. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            problem.setType(ProblemType.forStatus(status));
            return respond(problem, response.getHeaders());
        }
        return response;
    }

    private static ResponseEntity<Object> invalid(List<FieldProblem> errors) {
        return respond(new BadRequestException(errors).problem());
    }

    private static ResponseEntity<Object> respond(ProblemDetail problem) {
        return respond(problem, HttpHeaders.EMPTY);
    }

    private static ResponseEntity<Object> respond(ProblemDetail problem, HttpHeaders headers) {
        return ResponseEntity.status(problem.getStatus()).headers(headers)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
