package io.gantry.kubernetes;

import io.gantry.spi.config.ConfigKind;
import java.util.Optional;

/**
 * A Secret's or ConfigMap's address: {@code namespace/Secret/name} or {@code namespace/ConfigMap/name} is its
 * {@link io.gantry.spi.config.ConfigObject#nativeId()}, shaped like a workload's ({@link WorkloadRef}).
 */
record ConfigRef(String namespace, ConfigKind kind, String name) {
    static final String SECRET = "Secret";
    static final String CONFIG_MAP = "ConfigMap";

    static Optional<ConfigRef> parse(String nativeId) {
        if (nativeId == null) {
            return Optional.empty();
        }
        String[] parts = nativeId.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()) {
            return Optional.empty();
        }
        return switch (parts[1]) {
            case SECRET -> Optional.of(new ConfigRef(parts[0], ConfigKind.SECRET, parts[2]));
            case CONFIG_MAP -> Optional.of(new ConfigRef(parts[0], ConfigKind.CONFIG, parts[2]));
            default -> Optional.empty();
        };
    }

    ResourceType type() {
        return kind == ConfigKind.SECRET ? ResourceType.SECRETS : ResourceType.CONFIGMAPS;
    }

    String nativeId() {
        return namespace + "/" + (kind == ConfigKind.SECRET ? SECRET : CONFIG_MAP) + "/" + name;
    }

    @Override
    public String toString() {
        return nativeId();
    }
}
