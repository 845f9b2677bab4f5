package io.gantry.kubernetes;

import io.gantry.spi.InvalidSpecException;
import java.util.List;
import java.util.Map;

/**
 * Refuses a kubeconfig that points outside itself. client-java (26, {@code KubeConfig},
 * {@code ClientBuilder.kubeconfig}, {@code KubeconfigAuthentication}) reads the files a kubeconfig
 * names, from Gantry's server, and sends what it read to the kubeconfig's server: a token file or a
 * client key would leave for a host of the registrant's choosing. It also runs {@code exec} plugins
 * and {@code auth-provider}s (gcp's runs {@code cmd-path}; oidc calls the issuer). A registered
 * kubeconfig must carry its credentials inline. Every user and cluster is checked, not only the
 * current context's: option {@code context} may pick another later.
 */
final class KubeconfigReferences {
    /** File references of a user and what to write instead. */
    private static final Map<String, String> USER_FILES = Map.of(
            "tokenFile", "token",
            "client-certificate", "client-certificate-data",
            "client-key", "client-key-data");
    private static final List<String> USER_PLUGINS = List.of("exec", "auth-provider");
    private static final Map<String, String> CLUSTER_FILES = Map.of("certificate-authority", "certificate-authority-data");

    private KubeconfigReferences() {
    }

    /** @throws InvalidSpecException naming {@code credentials.kubeconfig} and the entry, e.g. {@code users[0].user.tokenFile} */
    static void refuse(Map<String, Object> doc) {
        eachEntry(doc, "users", "user", (path, user) -> {
            for (String plugin : USER_PLUGINS) {
                if (user.containsKey(plugin)) {
                    // a plugin would run a program (or call an identity provider) from the Gantry server
                    throw refused(path + "." + plugin + " runs a credential plugin; inline a token or a client certificate");
                }
            }
            USER_FILES.forEach((key, inline) -> check(user, path, key, inline));
        });
        eachEntry(doc, "clusters", "cluster", (path, cluster) -> CLUSTER_FILES.forEach((key, inline) ->
                check(cluster, path, key, inline)));
    }

    private interface EntryCheck {
        void check(String path, Map<?, ?> entry);
    }

    private static void eachEntry(Map<String, Object> doc, String list, String field, EntryCheck check) {
        if (!(doc.get(list) instanceof List<?> entries)) {
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) instanceof Map<?, ?> entry && entry.get(field) instanceof Map<?, ?> inner) {
                check.check(list + "[" + i + "]." + field, inner);
            }
        }
    }

    private static void check(Map<?, ?> entry, String path, String key, String inline) {
        if (entry.containsKey(key)) {
            throw refused(path + "." + key + " is a file reference; inline it as " + inline);
        }
    }

    private static InvalidSpecException refused(String message) {
        return InvalidSpecException.of("credentials.kubeconfig", message);
    }
}
