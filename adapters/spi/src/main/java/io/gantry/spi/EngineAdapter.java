package io.gantry.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The port: one implementation per engine kind, found by the backend as a Spring bean (or through
 * {@link java.util.ServiceLoader}). It holds no per-engine state; {@link #connect} makes a client
 * for one registered engine.
 */
public interface EngineAdapter {

    /** The engine kind this adapter serves, lower-case: {@code kubernetes}, {@code marathon}, {@code swarm}, {@code agent}. */
    String kind();

    /**
     * Validates the registration before anything is stored, without network I/O: a malformed endpoint
     * or a missing credential.
     *
     * @throws InvalidSpecException naming the field ({@code endpoint}, {@code credentials.token}...)
     */
    void validate(EngineConnection connection);

    /**
     * A client for one engine. Cheap and without network I/O: reachability is learned through
     * {@link EngineClient#ping()}. The caller closes it when the engine is removed or changed.
     */
    EngineClient connect(EngineConnection connection);

    /**
     * Where a client for this registration sends its requests, and so its credentials: one URI per
     * host it connects to ({@code https://10.0.0.1:6443}). The server checks their addresses against
     * its deny list and asks for the credentials again when they change. Empty when the engine is
     * reached without a network address (a unix socket, the cluster Gantry runs in). No network I/O;
     * called after {@link #validate}.
     *
     * <p>The default reads the endpoint as one URL or several, comma-separated; an adapter whose client
     * goes elsewhere too (a kubeconfig's server, an option naming a second service) overrides it.
     */
    default List<URI> destinations(EngineConnection connection) {
        return endpointUrls(connection.endpoint());
    }

    /** Each comma-separated part of {@code endpoint} that is a URL with a host (or an authority). */
    static List<URI> endpointUrls(String endpoint) {
        List<URI> urls = new ArrayList<>();
        for (String part : (endpoint == null ? "" : endpoint).split(",")) {
            try {
                URI uri = new URI(part.trim());
                if (uri.getHost() != null || uri.getRawAuthority() != null) {
                    urls.add(uri);
                }
            } catch (URISyntaxException notAUrl) {
                // validate() has refused it already
            }
        }
        return List.copyOf(urls);
    }
}
