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
 *
 * <p>Secrets and configs ({@code SECRETS}, {@code CONFIGS}) live in each agent's store, sealed with a key derived
 * from its token (a pool writes them to every agent). A workload's references become, at each task start,
 * variables ({@code env}) and files of the task's user only (mode {@code mode}, 0400 by default) in a tmpfs; they
 * are removed when the task's process ends, and a rotation restarts the tasks that use the object. A {@code runc}
 * task sees each file (or directory) read-only at its {@code path}. A {@code raw} task is a host process without a
 * mount namespace, so its {@code path} is never a host path: it is taken as relative to the task's own secrets
 * directory (a leading {@code /} dropped, {@code ..} refused), which the task finds in its variable
 * {@code GANTRY_SECRETS_DIR}; {@code path: /db/password} is {@code $GANTRY_SECRETS_DIR/db/password}.
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
