package io.gantry.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Any {@code /api} path no controller serves: answered by the REST error contract (404
 * problem+json) instead of the generic error page. Every real route is more specific and wins.
 */
@RestController
class UnknownApiRouteController {
    @RequestMapping("/api/**")
    void unknown(HttpServletRequest request) {
        throw new NotFoundException("API route", request.getMethod() + " " + request.getRequestURI());
    }
}
