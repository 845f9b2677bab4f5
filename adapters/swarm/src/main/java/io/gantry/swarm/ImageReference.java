package io.gantry.swarm;

import java.util.regex.Pattern;

/**
 * Docker image references as the distribution/reference grammar defines them
 * ({@code [domain[:port]/]path[:tag][@digest]}), checked before a spec reaches the engine so that a
 * bad name is a clear 4xx instead of a task that is rejected later.
 */
final class ImageReference {
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*(?::[0-9]+)?";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE = Pattern.compile("^(?:" + DOMAIN + "/)?" + PATH_COMPONENT
            + "(?:/" + PATH_COMPONENT + ")*(?::" + TAG + ")?(?:@" + DIGEST + ")?$");
    private static final int MAX_NAME_LENGTH = 255;

    private ImageReference() {
    }

    static boolean isValid(String reference) {
        return reference != null && reference.length() <= MAX_NAME_LENGTH + 140 && REFERENCE.matcher(reference).matches();
    }

    /**
     * The reference without its {@code @sha256:...} pin: {@code docker service create} resolves every
     * tag to a digest and stores {@code nginx:1.27@sha256:...}, which is noise to a reader.
     */
    static String withoutDigest(String reference) {
        if (reference == null) {
            return null;
        }
        int at = reference.indexOf('@');
        return at < 0 ? reference : reference.substring(0, at);
    }
}
