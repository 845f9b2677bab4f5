package io.gantry.web;

import io.gantry.spi.EngineUnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * How every dashboard page fails: rendered as the page-styled {@code error} template (never a
 * problem+json, never the whitelabel page). The signed-in user for the top bar comes from security's
 * {@code SignedInUserAdvice}.
 */
@ControllerAdvice(annotations = UiController.class)
class PageAdvice {
    @ExceptionHandler(NotFoundException.class)
    String notFound(NotFoundException e, Model model, HttpServletResponse response) {
        return error(HttpStatus.NOT_FOUND, e.getMessage(), model, response);
    }

    @ExceptionHandler(BadRequestException.class)
    String badRequest(BadRequestException e, Model model, HttpServletResponse response) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage(), model, response);
    }

    @ExceptionHandler(EngineUnavailableException.class)
    String engineUnavailable(EngineUnavailableException e, Model model, HttpServletResponse response) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), model, response);
    }

    private static String error(HttpStatus status, String message, Model model, HttpServletResponse response) {
        response.setStatus(status.value());
        model.addAttribute("status", status.value());
        model.addAttribute("error", status.getReasonPhrase());
        model.addAttribute("message", message);
        return "error";
    }
}
