package io.gantry.swarm;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import java.util.Locale;

/**
 * Docker Swarm through the Docker Engine API of a manager node. Endpoints: {@code unix:///var/run/docker.sock},
 * {@code tcp://host:2375}, or {@code tcp://host:2376} with the credentials {@code caCert}, {@code clientCert} and
 * {@code clientKey} (PEM text) for TLS. Option {@code publishMode}: {@code ingress} (default, Swarm's routing
 * mesh) or {@code host} for ports Gantry publishes on new services.
 */
public final class SwarmEngineAdapter implements EngineAdapter {
    static final String PUBLISH_MODE_OPTION = "publishMode";

    @Override
    public String kind() {
        return "swarm";
    }

    @Override
    public void validate(EngineConnection connection) {
        SwarmEndpoint.of(connection);
        publishMode(connection);
    }

    @Override
    public EngineClient connect(EngineConnection connection) {
        return new SwarmEngineClient(connection, SwarmEndpoint.of(connection), publishMode(connection));
    }

    private static String publishMode(EngineConnection connection) {
        String mode = connection.option(PUBLISH_MODE_OPTION);
        if (mode == null || mode.isBlank()) {
            return SwarmWorkloadMapper.PUBLISH_MODE_INGRESS;
        }
        mode = mode.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals(SwarmWorkloadMapper.PUBLISH_MODE_INGRESS) && !mode.equals(SwarmWorkloadMapper.PUBLISH_MODE_HOST)) {
            throw InvalidSpecException.of("options." + PUBLISH_MODE_OPTION, "must be 'ingress' or 'host'");
        }
        return mode;
    }
}
