package io.gantry.swarm;

import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.ConfigObject;
import io.gantry.spi.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The Swarm secrets and configs as Gantry's logical objects ({@link SwarmConfigs} documents the mapping): every
 * Swarm object read from {@code GET /secrets} and {@code GET /configs} (metadata only: Swarm never lists a secret's
 * data, and a config's data is dropped here), grouped by kind, stack and logical name.
 */
final class SwarmConfigIndex {
    static final String CONFIG_LABEL = "io.gantry.config";
    static final String KEY_LABEL = "io.gantry.config.key";
    static final String VERSION_LABEL = "io.gantry.config.version";
    /** The one key of an object Gantry did not make. */
    static final String SINGLE_KEY = "value";

    /** One Swarm object: one key of one version of a logical object. */
    record Part(String id, String swarmName, ConfigKind kind, String namespace, String name, String key, int version,
                Instant createdAt) {
    }

    /** A logical object: all its versions; the highest is current. */
    record Group(ConfigKind kind, String namespace, String name, List<Part> parts) {
        int version() {
            return parts.stream().mapToInt(Part::version).max().orElse(0);
        }

        /** The current version's parts by key. */
        Map<String, Part> current() {
            int version = version();
            Map<String, Part> out = new LinkedHashMap<>();
            parts.stream().filter(p -> p.version() == version).sorted(Comparator.comparing(Part::key))
                    .forEach(p -> out.put(p.key(), p));
            return out;
        }

        String nativeId() {
            return SwarmConfigIndex.nativeId(kind, namespace, name);
        }

        ConfigObject object() {
            Map<String, Part> current = current();
            Instant created = parts.stream().map(Part::createdAt).filter(Objects::nonNull).min(Comparator.naturalOrder()).orElse(null);
            Instant updated = current.values().stream().map(Part::createdAt).filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
            return new ConfigObject(nativeId(), namespace, name, kind, List.copyOf(current.keySet()),
                    Integer.toString(version()), created, updated);
        }
    }

    private final Map<String, Part> byId;
    private final Map<String, Group> byNativeId;

    SwarmConfigIndex(List<Part> parts) {
        this.byId = new HashMap<>();
        Map<String, List<Part>> grouped = new LinkedHashMap<>();
        for (Part part : parts) {
            byId.put(part.id(), part);
            grouped.computeIfAbsent(nativeId(part.kind(), part.namespace(), part.name()), k -> new ArrayList<>()).add(part);
        }
        this.byNativeId = new LinkedHashMap<>();
        grouped.forEach((id, list) -> byNativeId.put(id, new Group(list.get(0).kind(), list.get(0).namespace(),
                list.get(0).name(), List.copyOf(list))));
    }

    static SwarmConfigIndex read(DockerApi api) {
        List<Part> parts = new ArrayList<>();
        for (JsonNode secret : api.get("/secrets")) {
            parts.add(part(secret, ConfigKind.SECRET));
        }
        for (JsonNode config : api.get("/configs")) {
            parts.add(part(config, ConfigKind.CONFIG));
        }
        return new SwarmConfigIndex(parts);
    }

    static final SwarmConfigIndex EMPTY = new SwarmConfigIndex(List.of());

    /** {@code secret/<stack>/<name>} or {@code config/<stack>/<name>}: the same for every version. */
    static String nativeId(ConfigKind kind, String namespace, String name) {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "/" + namespace + "/" + name;
    }

    private static Part part(JsonNode object, ConfigKind kind) {
        JsonNode spec = object.path("Spec");
        Map<String, String> labels = Json.stringMap(spec.path("Labels"));
        String swarmName = Json.text(spec, "Name", Json.text(object, "ID"));
        String namespace = labels.getOrDefault(SwarmServiceReader.STACK_NAMESPACE_LABEL, "");
        String logical = labels.get(CONFIG_LABEL);
        if (logical != null && labels.containsKey(KEY_LABEL)) {
            return new Part(Json.text(object, "ID"), swarmName, kind, namespace, logical, labels.get(KEY_LABEL),
                    version(labels.get(VERSION_LABEL)), Json.instant(object, "CreatedAt"));
        }
        // made by hand or by `docker stack deploy`: one object with one key, its name without the stack prefix
        String name = !namespace.isEmpty() && swarmName.startsWith(namespace + "_")
                ? swarmName.substring(namespace.length() + 1) : swarmName;
        return new Part(Json.text(object, "ID"), swarmName, kind, namespace, name, SINGLE_KEY, 1,
                Json.instant(object, "CreatedAt"));
    }

    private static int version(String label) {
        try {
            return label == null ? 1 : Math.max(1, Integer.parseInt(label.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    Part byId(String swarmId) {
        return byId.get(swarmId);
    }

    Group group(String nativeId) {
        return byNativeId.get(nativeId);
    }

    Group group(ConfigKind kind, String namespace, String name) {
        return byNativeId.get(nativeId(kind, namespace, name));
    }

    List<Group> groups() {
        return List.copyOf(byNativeId.values());
    }
}
