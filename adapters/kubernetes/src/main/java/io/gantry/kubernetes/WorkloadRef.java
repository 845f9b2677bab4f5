package io.gantry.kubernetes;

import java.util.Optional;

/**
 * A workload's address: {@code namespace/Kind/name} is its {@link io.gantry.spi.Workload#nativeId()}.
 * The kind is part of the id because a Deployment and a StatefulSet may share a name.
 */
record WorkloadRef(String namespace, NativeKind kind, String name) {

    static Optional<WorkloadRef> parse(String nativeId) {
        if (nativeId == null) {
            return Optional.empty();
        }
        String[] parts = nativeId.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()) {
            return Optional.empty();
        }
        for (NativeKind kind : NativeKind.values()) {
            if (kind.name().equals(parts[1])) {
                return Optional.of(new WorkloadRef(parts[0], kind, parts[2]));
            }
        }
        return Optional.empty();
    }

    String nativeId() {
        return namespace + "/" + kind.name() + "/" + name;
    }

    @Override
    public String toString() {
        return nativeId();
    }
}
