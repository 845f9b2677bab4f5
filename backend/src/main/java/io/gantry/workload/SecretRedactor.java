package io.gantry.workload;

import io.gantry.secret.SecretNames;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Blanks secret-looking values in an engine's native object before it leaves the server, for every
 * role: values of keys that {@link SecretNames} calls secret, and the {@code value} of
 * {@code {name, value}} pairs whose name it calls secret (Kubernetes env). Adapters redact what they
 * know; this is the backstop.
 */
final class SecretRedactor {
    static final String REDACTED = "***";

    private SecretRedactor() {
    }

    static JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode pairName = object.get("name");
            boolean secretPair = pairName != null && pairName.isString() && SecretNames.looksSecret(pairName.asString())
                    && object.has("value");
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode value = field.getValue();
                boolean secretValue = SecretNames.looksSecret(field.getKey()) || (secretPair && field.getKey().equals("value"));
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
}
