package io.gantry.kubernetes;

import static io.gantry.kubernetes.KubernetesWorkloadMapper.instant;
import static io.gantry.kubernetes.KubernetesWorkloadMapper.nullSafe;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.config.ConfigDefinition;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Secrets and ConfigMaps in both directions (engine objects <-> {@link ConfigObject}, {@link ConfigDefinition} ->
 * objects and patches). The only class that builds objects holding values; everything it answers is keys only.
 */
final class KubernetesConfigObjects {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Secrets Kubernetes and Helm keep for themselves: not configuration an operator manages through Gantry. */
    private static final List<String> HIDDEN_TYPES = List.of("kubernetes.io/service-account-token", "helm.sh/release.v1");
    /** A Secret's or ConfigMap's key: {@code IsConfigMapKey} in Kubernetes' validation. */
    private static final Pattern KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");
    private static final Pattern DNS_1123_SUBDOMAIN =
            Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

    private KubernetesConfigObjects() {
    }

    /**
     * The informers' transform for Secrets and ConfigMaps: the object with its keys and no values, without the
     * annotations ({@code last-applied-configuration} holds the values kubectl applied) and with managedFields cut
     * to their times (for {@link ConfigObject#updatedAt()}). The informer's store then never holds a value.
     */
    static KubernetesObject keysOnly(KubernetesObject object) {
        V1ObjectMeta meta = object.getMetadata() == null ? new V1ObjectMeta() : object.getMetadata();
        V1ObjectMeta kept = new V1ObjectMeta().name(meta.getName()).namespace(meta.getNamespace()).uid(meta.getUid())
                .resourceVersion(meta.getResourceVersion()).creationTimestamp(meta.getCreationTimestamp())
                .labels(meta.getLabels());
        for (V1ManagedFieldsEntry entry : nullSafe(meta.getManagedFields())) {
            kept.addManagedFieldsItem(new V1ManagedFieldsEntry().time(entry.getTime()).operation(entry.getOperation()));
        }
        if (object instanceof V1Secret secret) {
            Map<String, byte[]> keys = new LinkedHashMap<>();
            nullSafe(secret.getData()).keySet().forEach(k -> keys.put(k, new byte[0]));
            return new V1Secret().apiVersion("v1").kind(ConfigRef.SECRET).metadata(kept).type(secret.getType())
                    .data(keys);
        }
        if (object instanceof V1ConfigMap map) {
            Map<String, String> keys = new LinkedHashMap<>();
            nullSafe(map.getData()).keySet().forEach(k -> keys.put(k, ""));
            Map<String, byte[]> binary = new LinkedHashMap<>();
            nullSafe(map.getBinaryData()).keySet().forEach(k -> binary.put(k, new byte[0]));
            return new V1ConfigMap().apiVersion("v1").kind(ConfigRef.CONFIG_MAP).metadata(kept).data(keys)
                    .binaryData(binary.isEmpty() ? null : binary);
        }
        return object;
    }

    /** Service-account tokens and Helm's release records: kept by the cluster, not shown as config objects. */
    static boolean hidden(KubernetesObject object) {
        return object instanceof V1Secret secret && HIDDEN_TYPES.contains(secret.getType());
    }

    static ConfigRef refOf(KubernetesObject object) {
        V1ObjectMeta meta = object.getMetadata();
        ConfigKind kind = object instanceof V1Secret ? ConfigKind.SECRET : ConfigKind.CONFIG;
        return new ConfigRef(KubernetesWorkloadMapper.namespaceOf(meta), kind, meta.getName());
    }

    /** The keys of a Secret or ConfigMap (data and binaryData), sorted. */
    static List<String> keysOf(KubernetesObject object) {
        TreeSet<String> keys = new TreeSet<>();
        if (object instanceof V1Secret secret) {
            keys.addAll(nullSafe(secret.getData()).keySet());
            keys.addAll(nullSafe(secret.getStringData()).keySet());
        } else if (object instanceof V1ConfigMap map) {
            keys.addAll(nullSafe(map.getData()).keySet());
            keys.addAll(nullSafe(map.getBinaryData()).keySet());
        }
        return List.copyOf(keys);
    }

    /** Metadata only; {@code updatedAt} is the last write the API server recorded (managedFields), else creation. */
    static ConfigObject toConfigObject(KubernetesObject object) {
        ConfigRef ref = refOf(object);
        V1ObjectMeta meta = object.getMetadata();
        Instant created = instant(meta.getCreationTimestamp());
        Instant updated = nullSafe(meta.getManagedFields()).stream().map(V1ManagedFieldsEntry::getTime)
                .filter(Objects::nonNull).map(KubernetesWorkloadMapper::instant).max(Instant::compareTo).orElse(created);
        return new ConfigObject(ref.nativeId(), ref.namespace(), ref.name(), ref.kind(), keysOf(object),
                meta.getResourceVersion(), created, updated);
    }

    /** The object to create: an Opaque Secret or a ConfigMap, labelled as managed by Gantry. */
    static KubernetesObject toNative(ConfigDefinition definition, String namespace) {
        validateName(definition.name());
        validateData(definition.data());
        V1ObjectMeta meta = new V1ObjectMeta().name(definition.name()).namespace(namespace)
                .labels(Map.of(MANAGED_BY, "gantry"));
        if (definition.kind() == ConfigKind.SECRET) {
            Map<String, byte[]> data = new LinkedHashMap<>();
            definition.data().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
            return new V1Secret().apiVersion("v1").kind(ConfigRef.SECRET).metadata(meta).type("Opaque").data(data);
        }
        return new V1ConfigMap().apiVersion("v1").kind(ConfigRef.CONFIG_MAP).metadata(meta)
                .data(new LinkedHashMap<>(definition.data()));
    }

    /**
     * The merge patch of a rotation: {@code data} replaces the object's data whole (each key it lacks is removed),
     * guarded by the resourceVersion read.
     */
    static String dataPatch(ConfigKind kind, Collection<String> currentKeys, Map<String, String> data,
                            String resourceVersion) {
        validateData(data);
        JsonObject values = new JsonObject();
        currentKeys.forEach(k -> values.add(k, JsonNull.INSTANCE));
        data.forEach((k, v) -> values.addProperty(k, kind == ConfigKind.SECRET
                ? Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)) : v));
        JsonObject metadata = new JsonObject();
        metadata.addProperty("resourceVersion", resourceVersion);
        JsonObject patch = new JsonObject();
        patch.add("metadata", metadata);
        patch.add("data", values);
        if (kind == ConfigKind.CONFIG) {
            // a ConfigMap's binaryData keys are replaced too: data and binaryData share one key space
            patch.add("binaryData", JsonNull.INSTANCE);
        }
        return patch.toString();
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty() || name.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(name).matches()) {
            throw InvalidSpecException.of("name", "'" + name + "' is not a DNS-1123 subdomain: lower-case letters, "
                    + "digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters");
        }
    }

    /** Keys are checked one by one; a value is never part of a message. */
    private static void validateData(Map<String, String> data) {
        if (data == null || data.isEmpty()) {
            throw InvalidSpecException.of("data", "at least one key is required");
        }
        List<InvalidSpecException.FieldError> errors = new ArrayList<>();
        for (var entry : data.entrySet()) {
            String key = entry.getKey();
            if (key == null || key.length() > 253 || !KEY.matcher(key).matches()) {
                errors.add(new InvalidSpecException.FieldError("data." + key,
                        "a key holds only letters, digits, '-', '_' and '.' (at most 253)"));
            } else if (entry.getValue() == null) {
                errors.add(new InvalidSpecException.FieldError("data." + key, "a value is required"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException("invalid data keys", errors);
        }
    }
}
