package io.gantry.agent.adapter;

import io.gantry.spi.EndpointRule;
import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.tls.TlsCredentials;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gantry's own node agent as an engine: endpoint {@code grpc://host:port} (or {@code grpcs://} for
 * TLS, with optional PEM credentials {@code caCert}, and {@code clientCert} + {@code clientKey} for an
 * agent that checks clients), credential {@code token}. A workload is an agent container with one
 * task per replica; its namespace is the agent namespace. Option {@code namespaces} (comma-separated)
 * limits the listing to those agent namespaces. Several endpoints, comma-separated, make a pool of
 * agents (see {@link AgentPoolClient}).
 */
public final class AgentEngineAdapter implements EngineAdapter {
    public static final String KIND = "agent";
    private static final EndpointRule ENDPOINT = EndpointRule.of("endpoint", "grpc://HOST:PORT or grpcs://HOST:PORT",
            "grpc", "grpcs").requiringPort();

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void validate(EngineConnection connection) {
        List<String> endpoints = endpoints(connection.endpoint());
        if (endpoints.isEmpty()) {
            throw InvalidSpecException.of("endpoint", "must be grpc://HOST:PORT or grpcs://HOST:PORT");
        }
        endpoints.forEach(AgentEngineAdapter::target);
        String token = connection.credential("token");
        if (token == null || token.isBlank()) {
            throw InvalidSpecException.of("credentials.token", "the agent's token is required");
        }
        // read now, not at the first call: a broken certificate is the registration's error, not the agent's
        TlsCredentials.of(connection);
    }

    @Override
    public EngineClient connect(EngineConnection connection) {
        validate(connection);
        List<String> endpoints = endpoints(connection.endpoint());
        if (endpoints.size() == 1) {
            return new AgentEngineClient(connection, target(endpoints.get(0)));
        }
        Map<String, AgentEngineClient> clients = new LinkedHashMap<>();
        endpoints.forEach(e -> clients.put(e, new AgentEngineClient(connection, target(e))));
        return new AgentPoolClient(connection.name(), clients);
    }

    /** A pool of agents is registered as a comma-separated list of endpoints sharing one token. */
    static List<String> endpoints(String endpoint) {
        return Arrays.stream((endpoint == null ? "" : endpoint).split(",")).map(String::trim)
                .filter(e -> !e.isEmpty()).toList();
    }

    /** The parsed endpoint: scheme grpc or grpcs, a host and a port. */
    record Target(boolean tls, String host, int port) {
    }

    static Target target(String endpoint) {
        URI uri = ENDPOINT.check(endpoint);
        return new Target(uri.getScheme().equalsIgnoreCase("grpcs"), uri.getHost(), uri.getPort());
    }
}
