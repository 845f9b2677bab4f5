package io.gantry.web;

import io.gantry.spi.EngineUnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every dashboard page shares: the current user for the top bar, and failures rendered as the
 * page-styled {@code error} template (never a problem+json, never the whitelabel page).
 */
@ControllerAdvice(annotations = UiController.class)
class PageAdvice {
    @ModelAttribute("me")
    UiUser me(Authentication authentication) {
        return authentication == null ? null : UiUser.of(authentication);
    }

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
