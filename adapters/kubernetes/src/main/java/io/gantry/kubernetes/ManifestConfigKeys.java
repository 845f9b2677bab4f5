package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.gantry.spi.config.ConfigKind;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a manifest tells of the Secrets and ConfigMaps its workloads reference ({@link KubernetesFormat#parse}): the
 * keys of those it holds (read as field names of {@code data}/{@code stringData}/{@code binaryData}; the values are
 * never bound), so that {@code envFrom} imports as one reference per key, and the warnings of what the model cannot
 * keep.
 */
final class ManifestConfigKeys implements ConfigKeys {
    private final Map<String, List<String>> keys = new HashMap<>();

    /** Takes the keys of a Secret or ConfigMap document; false for any other kind. */
    boolean take(JsonObject document) {
        String kind = document.has("kind") ? document.get("kind").getAsString() : "";
        if (!ConfigRef.SECRET.equals(kind) && !ConfigRef.CONFIG_MAP.equals(kind)) {
            return false;
        }
        JsonObject meta = document.has("metadata") && document.get("metadata").isJsonObject()
                ? document.getAsJsonObject("metadata") : new JsonObject();
        String name = text(meta, "name");
        String namespace = text(meta, "namespace");
        TreeSet<String> found = new TreeSet<>();
        for (String field : List.of("data", "stringData", "binaryData")) {
            JsonElement data = document.get(field);
            if (data != null && data.isJsonObject()) {
                found.addAll(data.getAsJsonObject().keySet());
            }
        }
        if (name != null) {
            ConfigKind configKind = ConfigRef.SECRET.equals(kind) ? ConfigKind.SECRET : ConfigKind.CONFIG;
            keys.put(key(namespace == null ? "default" : namespace, configKind, name), List.copyOf(found));
        }
        return true;
    }

    @Override
    public List<String> keys(String namespace, ConfigKind kind, String name) {
        return keys.get(key(namespace, kind, name));
    }

    /** What of the workload's references the model does not keep: envFrom of unknown keys, {@code optional}. */
    List<String> warnings(KubernetesObject workload) {
        V1PodTemplateSpec template = KubernetesWorkloadMapper.templateOf(workload);
        if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null
                || template.getSpec().getContainers().isEmpty()) {
            return List.of();
        }
        String namespace = KubernetesWorkloadMapper.namespaceOf(workload.getMetadata());
        V1Container main = template.getSpec().getContainers().get(0);
        List<String> warnings = new ArrayList<>();
        for (V1EnvFromSource from : nullSafe(main.getEnvFrom())) {
            boolean secret = from.getSecretRef() != null;
            String name = secret ? from.getSecretRef().getName() : from.getConfigMapRef() == null ? null
                    : from.getConfigMapRef().getName();
            if (name != null && keys(namespace, secret ? ConfigKind.SECRET : ConfigKind.CONFIG, name) == null) {
                warnings.add("envFrom " + (secret ? ConfigRef.SECRET : ConfigRef.CONFIG_MAP) + " '" + name
                        + "' is left out: its keys are not in the manifest (add it, or reference its keys one by one)");
            }
        }
        boolean optional = false;
        for (V1EnvVar e : nullSafe(main.getEnv())) {
            var from = e.getValueFrom();
            optional |= from != null && (from.getSecretKeyRef() != null && Boolean.TRUE.equals(from.getSecretKeyRef().getOptional())
                    || from.getConfigMapKeyRef() != null && Boolean.TRUE.equals(from.getConfigMapKeyRef().getOptional()));
        }
        for (V1Volume v : nullSafe(template.getSpec().getVolumes())) {
            optional |= v.getSecret() != null && Boolean.TRUE.equals(v.getSecret().getOptional())
                    || v.getConfigMap() != null && Boolean.TRUE.equals(v.getConfigMap().getOptional());
        }
        if (optional) {
            warnings.add("optional secret and config references are imported as required: the model has no optional");
        }
        return warnings;
    }

    private static String key(String namespace, ConfigKind kind, String name) {
        return namespace + "/" + kind + "/" + name;
    }

    private static String text(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }
}
