package io.gantry.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one field of an API answer without a JSON library on the bench's classpath. */
final class JsonField {
    private JsonField() {
    }

    /** The first string field {@code name} in {@code body}; throws when there is none. */
    static String text(String name, String body) {
        return first(Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\""), body);
    }

    /** The first number field {@code name} in {@code body}, or 0 when there is none. */
    static long number(String name, String body) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The first group of {@code p} in {@code body}; throws when it does not match. */
    static String first(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + body.substring(0, Math.min(300, body.length())));
        }
        return m.group(1);
    }
}
