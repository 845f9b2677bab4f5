package io.gantry.compare;

import java.util.Locale;

/**
 * The canonical form of a Docker image reference, as the Docker daemon expands it: {@code nginx},
 * {@code nginx:latest} and {@code docker.io/library/nginx:latest} name the same image, and the engines
 * report whichever form they were given.
 */
final class ImageName {
    private static final String DEFAULT_REGISTRY = "docker.io";

    private ImageName() {
    }

    /** {@code nginx} -> {@code docker.io/library/nginx:latest}; {@code null} stays {@code null}. */
    static String canonical(String reference) {
        if (reference == null || reference.isBlank()) {
            return reference;
        }
        String ref = reference.trim();
        String digest = "";
        int at = ref.indexOf('@');
        if (at >= 0) {
            digest = ref.substring(at);
            ref = ref.substring(0, at);
        }
        int lastSlash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        String tag = "";
        if (colon > lastSlash) {
            tag = ref.substring(colon);
            ref = ref.substring(0, colon);
        } else if (digest.isEmpty()) {
            tag = ":latest";
        }
        String registry;
        String path;
        int firstSlash = ref.indexOf('/');
        String first = firstSlash < 0 ? "" : ref.substring(0, firstSlash);
        // the daemon's rule: a first component is a registry only if it looks like a host name
        if (firstSlash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            registry = first.equals("index.docker.io") ? DEFAULT_REGISTRY : first;
            path = ref.substring(firstSlash + 1);
        } else {
            registry = DEFAULT_REGISTRY;
            path = ref;
        }
        if (registry.equals(DEFAULT_REGISTRY) && !path.contains("/")) {
            path = "library/" + path;
        }
        return registry.toLowerCase(Locale.ROOT) + "/" + path + tag + digest;
    }
}
