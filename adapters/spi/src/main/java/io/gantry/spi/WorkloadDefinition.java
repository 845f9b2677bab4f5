package io.gantry.spi;

import java.util.Map;

/**
 * What to deploy: identity and spec, no status.
 *
 * @param namespace namespace, group or stack; empty for the engine's default
 * @param name      name, unique within the namespace
 * @param kind      scheduling kind; {@link WorkloadKind#SERVICE} when unsure
 * @param labels    labels to set
 * @param spec      what to run
 */
public record WorkloadDefinition(String namespace, String name, WorkloadKind kind, Map<String, String> labels,
                                 WorkloadSpec spec) {
    public WorkloadDefinition {
        namespace = namespace == null ? "" : namespace;
        kind = kind == null ? WorkloadKind.SERVICE : kind;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
