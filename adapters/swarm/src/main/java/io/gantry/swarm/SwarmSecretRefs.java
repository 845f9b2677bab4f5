package io.gantry.swarm;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.InvalidSpecException.FieldError;
import io.gantry.spi.config.ConfigKind;
import io.gantry.spi.config.SecretRef;
import io.gantry.spi.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link io.gantry.spi.WorkloadSpec#secrets()} as a service's {@code ContainerSpec.Secrets[]} and {@code Configs[]},
 * both ways. Swarm gives secrets and configs only as files: a file reference with a key is one entry whose
 * {@code File.Name} is the path (dockerd accepts absolute targets; a relative one lands under {@code /run/secrets/}
 * as Docker does), a directory reference is one entry per key at {@code <path>/<key>}; an env reference is refused
 * ({@link SwarmSpecRules}). Entries point at the current version's Swarm object of each key and are read back as the
 * logical object's name and key ({@link SwarmConfigIndex}), so a spec says {@code db-pass}, not {@code db-pass-v3}.
 */
final class SwarmSecretRefs {
    /** Docker's default file mode for secrets and configs ({@code docker service create --secret}). */
    static final int DEFAULT_MODE = 0444;

    private SwarmSecretRefs() {
    }

    /**
     * Replaces the container's secret and config entries with {@code refs}, resolved to the current versions in
     * {@code index}.
     *
     * @throws InvalidSpecException naming {@code spec.secrets[i].<field>} for an unknown object or key
     */
    static void write(ObjectNode container, List<SecretRef> refs, String namespace, SwarmConfigIndex index) {
        List<FieldError> errors = new ArrayList<>();
        ArrayNode secrets = Json.MAPPER.createArrayNode();
        ArrayNode configs = Json.MAPPER.createArrayNode();
        for (int i = 0; i < refs.size(); i++) {
            SecretRef ref = refs.get(i);
            String field = "spec.secrets[" + i + "]";
            if (ref.givesEnv() || ref.path() == null || ref.path().isBlank()) {
                continue; // SwarmSpecRules refuses these before anything is resolved
            }
            SwarmConfigIndex.Group group = index.group(ref.kind(), namespace, ref.source());
            if (group == null) {
                errors.add(new FieldError(field + ".source", "no " + kindName(ref.kind()) + " '" + ref.source() + "'"
                        + (namespace.isEmpty() ? "" : " in stack '" + namespace + "'") + " on this engine"));
                continue;
            }
            Map<String, SwarmConfigIndex.Part> current = group.current();
            ArrayNode target = ref.kind() == ConfigKind.CONFIG ? configs : secrets;
            if (ref.key() == null) {
                current.forEach((key, part) -> add(target, part, directory(ref.path()) + key, ref.mode()));
            } else if (!current.containsKey(ref.key())) {
                errors.add(new FieldError(field + ".key", "'" + ref.source() + "' has no key '" + ref.key()
                        + "' (it has " + current.keySet() + ")"));
            } else {
                add(target, current.get(ref.key()), ref.path(), ref.mode());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors.get(0).field() + ": " + errors.get(0).message()
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""), errors);
        }
        put(container, "Secrets", secrets);
        put(container, "Configs", configs);
    }

    /**
     * The container's entries as references. Entries of one object that put each of at least two keys, with one
     * mode, into one directory under the key's own name read back as one directory reference, as they were
     * written; an object Gantry does not know (deleted since) reads as its Swarm name with key {@code value}.
     */
    static List<SecretRef> read(JsonNode container, SwarmConfigIndex index) {
        List<SecretRef> files = new ArrayList<>();
        readEntries(container.path("Secrets"), ConfigKind.SECRET, index, files);
        readEntries(container.path("Configs"), ConfigKind.CONFIG, index, files);
        Map<List<Object>, List<SecretRef>> byDirectory = new LinkedHashMap<>();
        for (SecretRef ref : files) {
            String parent = parent(ref.path());
            List<Object> dirKey = parent != null && ref.path().endsWith("/" + ref.key())
                    ? java.util.Arrays.asList(ref.kind(), ref.source(), parent, ref.mode()) : List.of(ref);
            byDirectory.computeIfAbsent(dirKey, k -> new ArrayList<>()).add(ref);
        }
        List<SecretRef> out = new ArrayList<>();
        byDirectory.forEach((dirKey, refs) -> {
            if (refs.size() >= 2) {
                SecretRef first = refs.get(0);
                out.add(SecretRef.file(first.source(), first.kind(), null, parent(first.path()), first.mode()));
            } else {
                out.addAll(refs);
            }
        });
        return List.copyOf(out);
    }

    private static void readEntries(JsonNode entries, ConfigKind kind, SwarmConfigIndex index, List<SecretRef> out) {
        String prefix = kind == ConfigKind.CONFIG ? "Config" : "Secret";
        for (JsonNode entry : entries) {
            SwarmConfigIndex.Part part = index.byId(Json.text(entry, prefix + "ID", ""));
            String source = part != null ? part.name() : Json.text(entry, prefix + "Name", "");
            String key = part != null ? part.key() : SwarmConfigIndex.SINGLE_KEY;
            JsonNode file = entry.path("File");
            int mode = file.path("Mode").asInt(DEFAULT_MODE);
            out.add(SecretRef.file(source, kind, key, Json.text(file, "Name"), mode == DEFAULT_MODE ? null : mode));
        }
    }

    /** Points every entry at an object of {@code replaced} to the object of the same key in {@code by}; whether any did. */
    static boolean repoint(ObjectNode container, ConfigKind kind, List<SwarmConfigIndex.Part> replaced,
                           Map<String, SwarmConfigIndex.Part> by) {
        String prefix = kind == ConfigKind.CONFIG ? "Config" : "Secret";
        boolean changed = false;
        for (JsonNode entry : container.path(prefix + "s")) {
            SwarmConfigIndex.Part old = replaced.stream()
                    .filter(p -> p.id().equals(Json.text(entry, prefix + "ID"))).findFirst().orElse(null);
            SwarmConfigIndex.Part now = old == null ? null : by.get(old.key());
            if (now != null && entry instanceof ObjectNode object) {
                object.put(prefix + "ID", now.id()).put(prefix + "Name", now.swarmName());
                changed = true;
            }
        }
        return changed;
    }

    /** Whether the container has an entry pointing at one of {@code ids}. */
    static boolean uses(JsonNode container, ConfigKind kind, java.util.Set<String> ids) {
        String prefix = kind == ConfigKind.CONFIG ? "Config" : "Secret";
        for (JsonNode entry : container.path(prefix + "s")) {
            if (ids.contains(Json.text(entry, prefix + "ID", ""))) {
                return true;
            }
        }
        return false;
    }

    private static void add(ArrayNode target, SwarmConfigIndex.Part part, String path, Integer mode) {
        String prefix = part.kind() == ConfigKind.CONFIG ? "Config" : "Secret";
        ObjectNode entry = target.addObject();
        entry.putObject("File").put("Name", path).put("UID", "0").put("GID", "0")
                .put("Mode", Objects.requireNonNullElse(mode, DEFAULT_MODE));
        entry.put(prefix + "ID", part.id()).put(prefix + "Name", part.swarmName());
    }

    private static void put(ObjectNode container, String field, ArrayNode entries) {
        if (entries.isEmpty()) {
            container.remove(field);
        } else {
            container.set(field, entries);
        }
    }

    private static String directory(String path) {
        return path.endsWith("/") ? path : path + "/";
    }

    private static String parent(String path) {
        int slash = path == null ? -1 : path.lastIndexOf('/');
        return slash <= 0 ? null : path.substring(0, slash);
    }

    static String kindName(ConfigKind kind) {
        return kind == ConfigKind.CONFIG ? "config" : "secret";
    }
}
