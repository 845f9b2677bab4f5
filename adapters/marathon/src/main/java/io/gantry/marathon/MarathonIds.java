package io.gantry.marathon;

import java.util.regex.Pattern;

/**
 * Marathon's identity of a workload: an app or pod id path {@code /prod/shop/web} is the native id; its
 * group {@code prod/shop} (no leading slash, empty for the root group) is the namespace and {@code web}
 * the name.
 */
final class MarathonIds {
    /** Marathon's pathType (schema/AppDefinition.json), absolute and without a trailing slash. */
    private static final Pattern ID = Pattern.compile("^(/(([a-z0-9]|[a-z0-9][a-z0-9\\-.]*[a-z0-9])))+$");

    private MarathonIds() {
    }

    static String normalizeId(String nativeId) {
        String id = nativeId == null ? "" : nativeId.trim();
        return id.startsWith("/") ? id : "/" + id;
    }

    /** A path of Marathon ids: segments of {@code a-z 0-9 - .}, not starting or ending with a dash. */
    static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    static String namespaceOf(String id) {
        String n = normalizeId(id);
        int slash = n.lastIndexOf('/');
        return slash <= 0 ? "" : n.substring(1, slash);
    }

    static String nameOf(String id) {
        String n = normalizeId(id);
        return n.substring(n.lastIndexOf('/') + 1);
    }

    static String appId(String namespace, String name) {
        String ns = namespace == null ? "" : namespace.trim().replaceAll("^/+|/+$", "");
        return ns.isEmpty() ? "/" + name : "/" + ns + "/" + name;
    }
}
