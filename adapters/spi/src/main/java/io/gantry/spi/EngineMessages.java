package io.gantry.spi;

import java.util.regex.Pattern;

/**
 * What an engine's answer may put into a message Gantry shows, stores or logs: the one place every
 * adapter turns an error answer into words. Whatever answers at an engine's endpoint (the engine, a
 * proxy's login page, a metadata service) chooses those bytes; echoed, they would carry its page,
 * markup or tokens into problems, events and logs. So only a short reason survives: the HTTP status,
 * plus the engine's own error field ({@code message}, {@code reason}) when the answer is a JSON error,
 * cut to {@value #MAX_LENGTH} characters, without control characters, never a raw body or HTML.
 */
public final class EngineMessages {
    /** Longer reasons are cut: enough for an engine's one-line error, too short to carry a page. */
    public static final int MAX_LENGTH = 120;
    private static final Pattern MARKUP = Pattern.compile(
            "(?i)<\\s*(?:!doctype|html|head|body|script|style|title|div|span|pre|p|h[1-6]|a|br|table|form|meta)\\b");
    private static final Pattern BLANKS = Pattern.compile("\\s+");

    private EngineMessages() {
    }

    /**
     * An engine's error text made safe to show: control, format (bidi) and separator characters become
     * spaces, runs of white space one space, and the text is cut to {@value #MAX_LENGTH} characters
     * (ending with "..."). Text that looks like an HTML page is dropped whole.
     *
     * @param text as the engine wrote it; {@code null} allowed
     * @return never {@code null}; empty when nothing of it can be shown
     */
    public static String sanitize(String text) {
        if (text == null || text.isBlank() || MARKUP.matcher(text).find()) {
            return "";
        }
        StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_LENGTH * 2));
        text.codePoints().limit(MAX_LENGTH * 4L).forEach(cp -> clean.appendCodePoint(shown(cp) ? cp : ' '));
        String oneLine = BLANKS.matcher(clean).replaceAll(" ").strip();
        if (oneLine.codePointCount(0, oneLine.length()) <= MAX_LENGTH) {
            return oneLine;
        }
        return oneLine.substring(0, oneLine.offsetByCodePoints(0, MAX_LENGTH - 3)).stripTrailing() + "...";
    }

    /**
     * The reason of a failed HTTP call: {@code HTTP 500}, or {@code HTTP 500: <message>} with the engine's
     * own error field sanitized.
     *
     * @param status  the HTTP status
     * @param message the {@code message} (or {@code reason}) field of the engine's JSON error, or
     *                {@code null} when the answer was not one: the body itself is never passed here
     */
    public static String httpReason(int status, String message) {
        String reason = sanitize(message);
        return reason.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + reason;
    }

    private static boolean shown(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            default -> true;
        };
    }
}
