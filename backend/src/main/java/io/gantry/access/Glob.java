package io.gantry.access;

import java.util.regex.Pattern;

/**
 * A grant's namespace glob: {@code *} any run of characters, {@code ?} one, anything else itself. The same glob is
 * matched in Java (one workload) and in SQL (lists, counts), so both translations live here.
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(String glob, String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(text == null ? "" : text).matches();
    }

    /** The glob as a {@code LIKE ... ESCAPE '\'} pattern. */
    static String like(String glob) {
        StringBuilder like = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> like.append('%');
                case '?' -> like.append('_');
                case '%', '_', '\\' -> like.append('\\').append(c);
                default -> like.append(c);
            }
        }
        return like.toString();
    }
}
