package io.gantry.workload;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Blanks secret-looking values in an engine's native object before it leaves the server: values of
 * keys such as {@code password}, {@code secret}, {@code token}, {@code key}, {@code credential},
 * and the {@code value} of {@code {name, value}} pairs whose name looks like one (Kubernetes env).
 * Adapters redact what they know; this is the backstop.
 */
final class SecretRedactor {
    static final String REDACTED = "***";
    private static final Pattern SECRET = Pattern.compile("password|passwd|secret|token|key|credential|auth");

    private SecretRedactor() {
    }

    static JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode pairName = object.get("name");
            boolean secretPair = pairName != null && pairName.isString() && looksSecret(pairName.asString())
                    && object.has("value");
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode value = field.getValue();
                boolean secretValue = looksSecret(field.getKey()) || (secretPair && field.getKey().equals("value"));
                if (secretValue && value.isValueNode() && !value.isNull()) {
                    field.setValue(object.stringNode(REDACTED));
                } else {
                    redact(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(SecretRedactor::redact);
        }
        return node;
    }

    private static boolean looksSecret(String key) {
        return SECRET.matcher(key.toLowerCase(Locale.ROOT)).find();
    }
}
