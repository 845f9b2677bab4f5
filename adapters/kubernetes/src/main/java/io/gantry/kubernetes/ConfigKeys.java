package io.gantry.kubernetes;

import io.gantry.spi.config.ConfigKind;
import java.util.List;

/**
 * The keys a Secret or ConfigMap holds, as far as the adapter knows them (its informers' cache), so that a pod
 * template's {@code envFrom} can be read as one reference per key.
 */
@FunctionalInterface
interface ConfigKeys {
    /** Nothing known: {@code envFrom} is not expanded. */
    ConfigKeys UNKNOWN = (namespace, kind, name) -> null;

    /** The object's keys, sorted; {@code null} when the object is not known (not cached, or not readable). */
    List<String> keys(String namespace, ConfigKind kind, String name);
}
