package io.gantry.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

/**
 * The error page, in place of Spring Boot's: what ends in {@code sendError} or an exception outside
 * a controller (no route, a method the route does not take, a request a filter refused) is answered
 * here. Under {@code /api} and {@code /actuator} that is a problem+json whatever the Accept header,
 * as every other API answer; elsewhere the dashboard's {@code error} page. It never reads the
 * request's parameters: they may be what was wrong.
 */
@Controller
class ErrorPages implements ErrorController {
    /** What a 400 without a named field means here: security's firewall or Tomcat refused the request line. */
    static final String UNREADABLE = "the request cannot be read: its path holds characters such as %2F, %00, ';' "
            + "or bytes that are not UTF-8";
    /** A request attribute: the {@code List<FieldProblem>} a filter refused the request for. */
    static final String FIELD_ERRORS = ErrorPages.class.getName() + ".FIELD_ERRORS";

    private final ProblemWriter problems;

    ErrorPages(ProblemWriter problems) {
        this.problems = problems;
    }

    @RequestMapping("${server.error.path:/error}")
    ModelAndView error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpStatus status = status(request);
        @SuppressWarnings("unchecked")
        List<FieldProblem> errors = (List<FieldProblem>) request.getAttribute(FIELD_ERRORS);
        String path = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (path == null) {
            path = request.getRequestURI();
        }
        String detail = detail(request, response, status, path, errors);
        if (isApi(path)) {
            ProblemDetail problem = errors != null && status == HttpStatus.BAD_REQUEST
                    ? ProblemType.INVALID_REQUEST.problem(detail, errors)
                    : ProblemType.forStatus(status, detail);
            if (errors != null && status != HttpStatus.BAD_REQUEST) {
                problem.setProperty("errors", errors);
            }
            // as text, not ProblemDetail's URI: a path Tomcat lets through need not be a valid URI
            problem.setProperty("instance", path);
            problems.write(response, problem);
            return null;
        }
        ModelAndView page = new ModelAndView("error", status);
        page.addObject("status", status.value());
        page.addObject("error", status.getReasonPhrase());
        // As Spring Boot's page did: no message of its own, the template words each status; only what
        // a filter refused is named.
        page.addObject("message", errors == null ? "" : detail);
        return page;
    }

    static boolean isApi(String path) {
        return path.startsWith("/api/") || path.equals("/api") || path.startsWith("/actuator");
    }

    private static HttpStatus status(HttpServletRequest request) {
        for (Throwable t = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION); t != null; t = t.getCause()) {
            if (t instanceof InvalidParameterException) {
                return HttpStatus.BAD_REQUEST;
            }
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer i ? HttpStatus.resolve(i) : null;
        // Asked for directly, the error page itself is no resource.
        return status == null ? HttpStatus.NOT_FOUND : status;
    }

    private static String detail(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String path,
            List<FieldProblem> errors) {
        if (errors != null && !errors.isEmpty()) {
            return errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        }
        if (status.is5xxServerError()) {
            return "the server failed to handle this request; see its log";
        }
        return switch (status) {
            case NOT_FOUND -> "there is nothing at " + path;
            case BAD_REQUEST -> UNREADABLE;
            case METHOD_NOT_ALLOWED -> path + " does not take this method"
                    + (response.getHeader("Allow") == null ? "" : "; it takes " + response.getHeader("Allow"));
            case NOT_ACCEPTABLE -> "the answer cannot be given in the media type the Accept header asks for";
            case UNSUPPORTED_MEDIA_TYPE -> "the body's Content-Type is not supported here";
            default -> {
                Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
                yield message instanceof String s && !s.isBlank() ? s : status.getReasonPhrase();
            }
        };
    }
}
