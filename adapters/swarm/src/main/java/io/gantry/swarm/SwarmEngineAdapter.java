package io.gantry.swarm;

import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;

/**
 * Docker Swarm through the Docker Engine API of a manager node. Endpoints: {@code unix:///var/run/docker.sock},
 * {@code tcp://host:2375}, or {@code tcp://host:2376} with the credentials {@code caCert}, {@code clientCert} and
 * {@code clientKey} (PEM text) for TLS. Options: see {@link SwarmSettings}.
 */
public final class SwarmEngineAdapter implements EngineAdapter {

    @Override
    public String kind() {
        return "swarm";
    }

    @Override
    public void validate(EngineConnection connection) {
        SwarmEndpoint.of(connection);
        SwarmSettings.of(connection);
    }

    @Override
    public EngineClient connect(EngineConnection connection) {
        return new SwarmEngineClient(connection, SwarmEndpoint.of(connection), SwarmSettings.of(connection));
    }
}
