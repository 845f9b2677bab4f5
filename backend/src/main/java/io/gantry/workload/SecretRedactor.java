package io.gantry.workload;

import io.gantry.secret.SecretNames;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Blanks secret-looking values in an engine's native object before it leaves the server, for every
 * role: values of keys that look secret, the {@code value} of {@code {name, value}} pairs whose name
 * does (Kubernetes env), and {@code KEY=value} strings in lists whose key does (Docker's {@code Env}).
 * "Looks secret" is {@link SecretNames} plus whatever the engine declares ({@link EnvSecrets#OPTION}).
 * Adapters redact what they know; this is the backstop.
 */
final class SecretRedactor {
    static final String REDACTED = EnvSecrets.MASK;
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]*)=(.*)", Pattern.DOTALL);

    private SecretRedactor() {
    }

    static JsonNode redact(JsonNode node) {
        return redact(node, SecretNames::looksSecret);
    }

    static JsonNode redact(JsonNode node, Predicate<String> secret) {
        if (node instanceof ObjectNode object) {
            JsonNode pairName = object.get("name");
            boolean secretPair = pairName != null && pairName.isString() && secret.test(pairName.asString())
                    && object.has("value");
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode value = field.getValue();
                boolean secretValue = secret.test(field.getKey()) || (secretPair && field.getKey().equals("value"));
                if (secretValue && value.isValueNode() && !value.isNull()) {
                    field.setValue(object.stringNode(REDACTED));
                } else {
                    redact(value, secret);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                Matcher assignment = item instanceof StringNode ? ASSIGNMENT.matcher(item.asString()) : null;
                if (assignment != null && assignment.matches() && secret.test(assignment.group(1))) {
                    array.set(i, array.stringNode(assignment.group(1) + "=" + REDACTED));
                } else {
                    redact(item, secret);
                }
            }
        }
        return node;
    }
}
