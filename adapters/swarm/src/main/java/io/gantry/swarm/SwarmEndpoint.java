package io.gantry.swarm;

import io.gantry.spi.EndpointRule;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.tls.TlsCredentials;
import java.net.URI;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * Where a Docker daemon answers, as docker-java's transport wants it: {@code unix:///var/run/docker.sock},
 * {@code tcp://host:2375}, or {@code tcp://host:2376} with TLS when the credentials hold PEM certificates
 * ({@code caCert}, {@code clientCert}, {@code clientKey}, as {@code docker --tlsverify} uses them).
 *
 * @param dockerHost the URI docker-java's transport connects to ({@code unix://} or {@code tcp://})
 * @param tls        the TLS context, or {@code null} for plain HTTP
 */
record SwarmEndpoint(URI dockerHost, SSLContext tls) {
    private static final EndpointRule RULE = EndpointRule.of("endpoint", "tcp://10.0.0.5:2376", "tcp", "http", "https")
            .withSocketSchemes("unix");

    /**
     * Parses and checks the registration without network I/O.
     *
     * @throws InvalidSpecException naming {@code endpoint} or the credential that is wrong
     */
    static SwarmEndpoint of(EngineConnection connection) {
        URI uri = RULE.check(connection.endpoint());
        boolean hasCertificates = TlsCredentials.given(connection);
        return switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
            case "unix" -> unix(uri, hasCertificates);
            case "http" -> tcp(uri, connection, hasCertificates, false);
            case "https" -> tcp(uri, connection, hasCertificates, true);
            default -> tcp(uri, connection, hasCertificates, hasCertificates);
        };
    }

    private static SwarmEndpoint unix(URI uri, boolean hasCertificates) {
        if (hasCertificates) {
            throw InvalidSpecException.of("credentials", "TLS certificates apply to tcp:// endpoints only, not to a unix socket");
        }
        return new SwarmEndpoint(URI.create("unix://" + uri.getPath()), null);
    }

    private static SwarmEndpoint tcp(URI uri, EngineConnection connection, boolean hasCertificates, boolean useTls) {
        if (!useTls && hasCertificates) {
            throw InvalidSpecException.of("endpoint", "certificates were given but http:// is plain text: use tcp:// or https://");
        }
        // the ports dockerd documents for plain and TLS TCP sockets
        int port = uri.getPort() != -1 ? uri.getPort() : useTls ? 2376 : 2375;
        SSLContext tls = useTls ? TlsCredentials.of(connection).sslContext() : null;
        return new SwarmEndpoint(URI.create("tcp://" + bracketed(uri.getHost()) + ":" + port), tls);
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
