package io.gantry.spi.config;

import java.time.Instant;
import java.util.List;

/**
 * A secret or config object as an engine keeps it: metadata only, never a value.
 *
 * @param nativeId  the engine's stable id of the logical object: stays the same across rotations, even where the
 *                  engine makes a new object for each version (Swarm secrets are immutable, so rotation creates
 *                  {@code name-vN}; the adapter still answers one object)
 * @param namespace namespace, group or stack; empty for the engine's default
 * @param name      the logical name workloads reference in {@link SecretRef#source()}
 * @param kind      secret or config
 * @param keys      the keys it holds, sorted
 * @param version   the engine's version of its current data (a counter, resourceVersion or object id), so that
 *                  a rotation is visible; never derived from the values
 * @param createdAt when the engine created it, or {@code null}
 * @param updatedAt when its data last changed, or {@code null}
 */
public record ConfigObject(String nativeId, String namespace, String name, ConfigKind kind, List<String> keys,
                           String version, Instant createdAt, Instant updatedAt) {
    public ConfigObject {
        namespace = namespace == null ? "" : namespace;
        keys = keys == null ? List.of() : keys.stream().sorted().toList();
    }
}
