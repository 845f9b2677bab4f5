package io.gantry.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses, before anything else reads it, a request whose parameters or Content-Type cannot be
 * read: a query string or form body that is not valid UTF-8 or not properly percent-encoded, a
 * parameter without a name or with a NUL character, or a Content-Type that is no concrete media type.
 * Tomcat throws {@link InvalidParameterException} from every parameter access of such a request, and
 * Spring from every look at such a Content-Type; left alone, whichever filter or controller looks
 * first (Spring Session, the CSRF filter, the audit filter, an argument resolver) answered 500.
 *
 * <p>The answer goes through the error page ({@link ErrorPages}): a 400 (415 for the Content-Type,
 * 413 for a form body above Tomcat's limit) problem naming the parameter under {@code /api}, the
 * dashboard's error page elsewhere. Runs after
 * Spring's character-encoding filter (parameters must be decoded as UTF-8) and before Spring Session
 * and security.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class MalformedRequestFilter extends OncePerRequestFilter {
    static final String UNDECODABLE = "is not valid UTF-8 or not properly percent-encoded";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Rejection rejection = check(request);
        if (rejection == null) {
            chain.doFilter(request, response);
            return;
        }
        request.setAttribute(ErrorPages.FIELD_ERRORS, rejection.errors());
        response.sendError(rejection.status().value(), rejection.errors().get(0).field() + ": "
                + rejection.errors().get(0).message());
    }

    record Rejection(HttpStatus status, List<FieldProblem> errors) {
        static Rejection of(HttpStatus status, String field, String message) {
            return new Rejection(status, List.of(new FieldProblem(field, message)));
        }
    }

    static Rejection check(HttpServletRequest request) {
        String contentType = request.getContentType();
        if (contentType != null && !contentType.isBlank()) {
            try {
                MediaType type = MediaType.parseMediaType(contentType);
                if (type.isWildcardType() || type.isWildcardSubtype()) {
                    return Rejection.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type", "must be a concrete media type such as application/json");
                }
            } catch (InvalidMediaTypeException e) {
                return Rejection.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type", "is not a valid media type");
            }
        }
        Map<String, String[]> parameters;
        try {
            parameters = request.getParameterMap();
        } catch (InvalidParameterException e) {
            HttpStatus status = HttpStatus.resolve(e.getErrorCode());
            if (status == HttpStatus.CONTENT_TOO_LARGE) {
                return Rejection.of(status, "body", "is too large");
            }
            return Rejection.of(HttpStatus.BAD_REQUEST, undecodableIn(request.getQueryString(),
                    MediaType.APPLICATION_FORM_URLENCODED_VALUE.equalsIgnoreCase(mediaTypeOf(contentType))), UNDECODABLE);
        }
        for (Map.Entry<String, String[]> p : parameters.entrySet()) {
            boolean nul = p.getKey().indexOf('\0') >= 0;
            for (String value : p.getValue()) {
                nul |= value != null && value.indexOf('\0') >= 0;
            }
            if (nul) {
                return Rejection.of(HttpStatus.BAD_REQUEST, p.getKey().indexOf('\0') >= 0 ? "query" : p.getKey(),
                        JsonInputRules.NUL_MESSAGE);
            }
        }
        return null;
    }

    private static String mediaTypeOf(String contentType) {
        return contentType == null ? "" : contentType.split(";", 2)[0].trim();
    }

    /**
     * The first parameter of the query string that cannot be decoded: its name where that much can be
     * read, else {@code query}; {@code body} when the query string is fine and a form body came along.
     */
    static String undecodableIn(String query, boolean formBody) {
        if (query == null) {
            return formBody ? "body" : "query";
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (name == null || name.isEmpty()) {
                return "query";
            }
            if (eq >= 0 && decode(pair.substring(eq + 1)) == null) {
                return name;
            }
        }
        return formBody ? "body" : "query";
    }

    /** Strict {@code application/x-www-form-urlencoded} decoding as UTF-8; null when it fails. */
    static String decode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
