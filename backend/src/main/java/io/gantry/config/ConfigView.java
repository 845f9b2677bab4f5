package io.gantry.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gantry.spi.config.ConfigKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A secret or config object as the API answers it: metadata, the workloads that reference it, and, for a CONFIG read
 * by an operator, its values under {@code data}. A SECRET's values are never here (API.md "Configs and secrets").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ConfigView(UUID id, String engine, String namespace, String name, ConfigKind kind, List<String> keys,
                  Instant createdAt, Instant updatedAt, List<ConfigUser> usedBy, Map<String, String> data) {

    /** A workload that references the object. */
    record ConfigUser(UUID id, String name) {
    }

    ConfigView withData(Map<String, String> values) {
        return new ConfigView(id, engine, namespace, name, kind, keys, createdAt, updatedAt, usedBy, values);
    }

    @Override
    public String toString() {
        return "ConfigView[id=" + id + ", engine=" + engine + ", namespace=" + namespace + ", name=" + name
                + ", kind=" + kind + ", keys=" + keys + "]";
    }
}
