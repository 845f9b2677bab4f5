package io.gantry.swarm;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The adapter's options of one engine.
 *
 * @param publishMode how ports Gantry publishes on new services are exposed: {@code ingress} (Swarm's routing
 *                    mesh, the default) or {@code host} (on the task's node only)
 * @param namespaces  the stacks this engine shows (option {@code namespaces}, comma-separated); empty for all
 *                    services, with or without a stack
 */
record SwarmSettings(String publishMode, Set<String> namespaces) {
    static final String PUBLISH_MODE_OPTION = "publishMode";
    static final String NAMESPACES_OPTION = "namespaces";

    /** @throws InvalidSpecException naming the option that is wrong */
    static SwarmSettings of(EngineConnection connection) {
        String mode = connection.option(PUBLISH_MODE_OPTION);
        mode = mode == null || mode.isBlank() ? SwarmServiceWriter.PUBLISH_MODE_INGRESS : mode.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals(SwarmServiceWriter.PUBLISH_MODE_INGRESS) && !mode.equals(SwarmServiceWriter.PUBLISH_MODE_HOST)) {
            throw InvalidSpecException.of("options." + PUBLISH_MODE_OPTION, "must be 'ingress' or 'host'");
        }
        String only = connection.option(NAMESPACES_OPTION);
        Set<String> namespaces = only == null ? Set.of() : Arrays.stream(only.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        for (String namespace : namespaces) {
            if (!SwarmSpecRules.isName(namespace)) {
                throw InvalidSpecException.of("options." + NAMESPACES_OPTION, "'" + namespace + "' is not a stack name");
            }
        }
        return new SwarmSettings(mode, namespaces);
    }

    boolean shows(String namespace) {
        return namespaces.isEmpty() || namespaces.contains(namespace);
    }
}
