package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.gantry.spi.InvalidSpecException;
import io.kubernetes.client.common.KubernetesObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The merge patch of a relabel: the object's {@code metadata.labels} only. The selector and the pod template's labels
 * are never touched (a Deployment's selector is immutable, and the template's labels must keep matching it), nor
 * Gantry's synthetic {@code gantry.io/*} labels, which are read-only in the model.
 */
final class KubernetesLabels {
    private static final String SYNTHETIC_PREFIX = "gantry.io/";
    /** Kubernetes' qualified name (labels.md): an optional DNS subdomain prefix and a name of at most 63. */
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");
    private static final Pattern PREFIX = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$");

    private KubernetesLabels() {
    }

    static String relabelPatch(KubernetesObject current, Map<String, String> labels) {
        validate(labels);
        JsonObject values = new JsonObject();
        for (String key : nullSafe(current.getMetadata().getLabels()).keySet()) {
            if (!labels.containsKey(key) && !key.startsWith(SYNTHETIC_PREFIX)) {
                values.add(key, JsonNull.INSTANCE);
            }
        }
        labels.forEach((k, v) -> {
            if (!k.startsWith(SYNTHETIC_PREFIX)) {
                values.addProperty(k, v);
            }
        });
        JsonObject metadata = new JsonObject();
        metadata.addProperty("resourceVersion", current.getMetadata().getResourceVersion());
        metadata.add("labels", values);
        JsonObject patch = new JsonObject();
        patch.add("metadata", metadata);
        return patch.toString();
    }

    private static void validate(Map<String, String> labels) {
        List<InvalidSpecException.FieldError> errors = new ArrayList<>();
        labels.forEach((k, v) -> {
            int slash = k == null ? -1 : k.indexOf('/');
            String prefix = slash < 0 ? null : k.substring(0, slash);
            String name = k == null ? "" : k.substring(slash + 1);
            if (k == null || !NAME.matcher(name).matches()
                    || (prefix != null && (prefix.length() > 253 || !PREFIX.matcher(prefix).matches()))) {
                errors.add(new InvalidSpecException.FieldError("labels", "'" + k + "' is not a valid label key"));
            } else if (v == null || v.length() > 63 || !VALUE.matcher(v).matches()) {
                errors.add(new InvalidSpecException.FieldError("labels", "the value of '" + k
                        + "' is not a valid label value (at most 63 letters, digits, '-', '_', '.')"));
            }
        });
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("invalid labels", errors);
        }
    }
}
