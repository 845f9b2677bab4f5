package io.gantry.security;

import io.gantry.web.InputErrors;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Problem details for the controllers of the security and audit features only; the rest of the
 * API has its own advice. Bad input names the field; nothing leaks a stack trace.
 */
@RestControllerAdvice(basePackages = {"io.gantry.security", "io.gantry.audit"})
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityApiExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(SecurityApiExceptionHandler.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Map<String, Object>> problem(ProblemException e) {
        return e.problem().toResponse(e.headers());
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<Map<String, Object>> invalid(MethodArgumentNotValidException e) {
        List<Problem.FieldMessage> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> new Problem.FieldMessage(f.getField(), f.getDefaultMessage()))
                .toList();
        String detail = errors.stream().map(f -> f.field() + " " + f.message()).reduce((a, b) -> a + "; " + b)
                .orElse("The request body is not valid.");
        return Problem.invalid(detail, errors).toResponse();
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        var bad = InputErrors.of(e);
        if (bad.isPresent()) {
            return Problem.invalidField(bad.get().field(), bad.get().message()).toResponse();
        }
        return Problem.invalid("The request body is missing or is not valid JSON.", List.of()).toResponse();
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, Object>> mismatch(MethodArgumentTypeMismatchException e) {
        return Problem.invalidField(e.getName(), InputErrors.mustBe(e.getRequiredType())).toResponse();
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Map<String, Object>> missing(MissingServletRequestParameterException e) {
        return Problem.invalidField(e.getParameterName(), "is required").toResponse();
    }

    /** Two requests racing to create the same user: the loser learns it exists. */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Map<String, Object>> conflict(DataIntegrityViolationException e) {
        return Problem.conflict("The change conflicts with existing data; reload and retry.").toResponse();
    }

    /** A change racing another on the same row (a user deleted while being created): retry. */
    @ExceptionHandler(ConcurrencyFailureException.class)
    ResponseEntity<Map<String, Object>> concurrent(ConcurrencyFailureException e) {
        return Problem.conflict("The change raced another one on the same object; reload and retry.").toResponse();
    }

    /** Spring MVC's own 4xx (unsupported media type, missing header...) keep their status. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        if (e instanceof ErrorResponse mvc && mvc.getStatusCode().is4xxClientError()) {
            HttpStatus status = HttpStatus.valueOf(mvc.getStatusCode().value());
            return Problem.of(status, "invalid-request", status.getReasonPhrase(), mvc.getBody().getDetail())
                    .toResponse(mvc.getHeaders());
        }
        log.error("Unexpected error in a security or audit endpoint", e);
        return Problem.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "The server failed to handle this request; it has been logged.").toResponse();
    }
}
