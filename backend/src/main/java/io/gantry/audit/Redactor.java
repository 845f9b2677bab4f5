package io.gantry.audit;

import io.gantry.secret.SecretNames;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes request fields safe to keep in the audit trail. Rancher's audit log once stored cluster
 * credentials verbatim; here any field whose name suggests a secret is replaced, whatever its depth,
 * and so is a whole {@code env} map or native {@code manifest} (both routinely carry passwords
 * under innocent names). Strings that look like {@code password=...} and URL user-info are masked
 * too, and everything is size-bounded.
 */
final class Redactor {
    static final String REDACTED = "[REDACTED]";
    /**
     * Beyond {@link SecretNames}: fields that are secret as a whole in a request (a kubeconfig or
     * certificate, a cookie), and whole env maps and native manifests, which carry passwords under
     * innocent names.
     */
    private static final List<String> AUDIT_ONLY_PARTS = List.of("kubeconfig", "cert", "cookie", "env", "manifest");
    private static final Pattern SECRET_ASSIGNMENT =
            Pattern.compile("(?i)(password|passwd|secret|token|api[_-]?key)\\s*[=:]");
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]+@");
    private static final int MAX_STRING = 200;
    private static final int MAX_DEPTH = 4;
    private static final int MAX_ITEMS = 20;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Redactor() {
    }

    /**
     * The values of a secret or config object ({@code POST /api/v1/configs}, {@code PUT .../data}, a Kubernetes
     * Secret): kept as the list of its keys, which says what changed, never what it was changed to.
     */
    private static final String DATA = "data";

    private static ArrayNode keysOf(JsonNode data) {
        ArrayNode keys = NODES.arrayNode();
        data.propertyNames().stream().sorted().limit(MAX_ITEMS).forEach(k -> keys.add(string(k)));
        return keys;
    }

    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SecretNames.looksSecret(k) || AUDIT_ONLY_PARTS.stream().anyMatch(k::contains);
    }

    /** The redacted JSON body, or a note saying that it was not JSON. */
    static JsonNode json(byte[] body, JsonMapper json) {
        try {
            return redact(json.readTree(body), 0);
        } catch (RuntimeException e) {
            return NODES.stringNode("not JSON (" + body.length + " bytes)");
        }
    }

    /** Redacted request parameters (form fields or query). */
    static JsonNode parameters(Map<String, String[]> parameters) {
        ObjectNode out = NODES.objectNode();
        parameters.forEach((name, values) -> {
            if (name.equals("_csrf")) {
                return;
            }
            String value = values.length == 0 || values[0] == null ? "" : values[0];
            out.put(name, isSecretKey(name) ? REDACTED : string(value));
        });
        return out;
    }

    static JsonNode redact(JsonNode node, int depth) {
        if (node.isObject()) {
            if (depth >= MAX_DEPTH) {
                return NODES.stringNode("{...}");
            }
            ObjectNode out = NODES.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().equals(DATA) && field.getValue().isObject()) {
                    out.set(DATA, keysOf(field.getValue()));
                    continue;
                }
                out.set(field.getKey(), isSecretKey(field.getKey()) ? NODES.stringNode(REDACTED)
                        : redact(field.getValue(), depth + 1));
            }
            return out;
        }
        if (node.isArray()) {
            if (depth >= MAX_DEPTH) {
                return NODES.stringNode("[...]");
            }
            ArrayNode out = NODES.arrayNode();
            for (int i = 0; i < node.size() && i < MAX_ITEMS; i++) {
                out.add(redact(node.get(i), depth + 1));
            }
            return out;
        }
        if (node.isString()) {
            return NODES.stringNode(string(node.asString()));
        }
        return node;
    }

    static String string(String value) {
        if (SECRET_ASSIGNMENT.matcher(value).find()) {
            return REDACTED;
        }
        String masked = URL_USER_INFO.matcher(value).replaceAll("$1" + REDACTED + "@");
        return masked.length() <= MAX_STRING ? masked
                : masked.substring(0, MAX_STRING) + "...(" + masked.length() + " chars)";
    }
}
