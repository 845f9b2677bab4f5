package io.gantry.secret;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * THE rule for "this name looks like it holds a secret", case-insensitive: a name containing
 * {@code password}, {@code secret}, {@code token}, {@code key} or {@code credential} (API.md,
 * "Security"), plus the spellings {@code passwd} and {@code auth} that the native-object redaction
 * always masked. Env values for VIEWERs, the {@code /native} redaction and the audit trail's field
 * redaction all ask here, so that they can never disagree about a name. It errs on the side of
 * masking: {@code AUTHOR} or {@code KEYBOARD_LAYOUT} are masked too, which costs a viewer a harmless
 * value, while the opposite mistake would leak a password.
 */
public final class SecretNames {
    private static final Pattern SECRET = Pattern.compile("password|passwd|secret|token|key|credential|auth");

    private SecretNames() {
    }

    public static boolean looksSecret(String name) {
        return name != null && SECRET.matcher(name.toLowerCase(Locale.ROOT)).find();
    }
}
