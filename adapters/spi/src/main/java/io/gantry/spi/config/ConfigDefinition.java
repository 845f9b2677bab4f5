package io.gantry.spi.config;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What to create: identity, kind and data. {@link #toString()} never shows the values, so that a definition logged
 * by mistake leaks nothing.
 *
 * @param namespace namespace, group or stack; empty for the engine's default
 * @param name      name, unique per kind within the namespace
 * @param kind      secret or config
 * @param data      key to value (UTF-8 text), at least one key
 */
public record ConfigDefinition(String namespace, String name, ConfigKind kind, Map<String, String> data) {
    public ConfigDefinition {
        namespace = namespace == null ? "" : namespace;
        data = data == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(data));
    }

    @Override
    public String toString() {
        return "ConfigDefinition[namespace=" + namespace + ", name=" + name + ", kind=" + kind + ", keys="
                + data.keySet() + "]";
    }
}
