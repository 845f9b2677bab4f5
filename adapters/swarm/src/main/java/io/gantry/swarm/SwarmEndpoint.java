package io.gantry.swarm;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import java.net.URI;
import java.net.URISyntaxException;
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
    static final String CA_CERT = "caCert";
    static final String CLIENT_CERT = "clientCert";
    static final String CLIENT_KEY = "clientKey";

    /**
     * Parses and checks the registration without network I/O.
     *
     * @throws InvalidSpecException naming {@code endpoint} or the credential that is wrong
     */
    static SwarmEndpoint of(EngineConnection connection) {
        String raw = connection.endpoint();
        if (raw == null || raw.isBlank()) {
            throw InvalidSpecException.of("endpoint", "is required, e.g. unix:///var/run/docker.sock or tcp://host:2376");
        }
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw InvalidSpecException.of("endpoint", "'" + raw + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean hasCertificates = hasAny(connection, CA_CERT, CLIENT_CERT, CLIENT_KEY);
        return switch (scheme) {
            case "unix" -> unix(uri, raw, hasCertificates);
            case "tcp" -> tcp(uri, raw, connection, hasCertificates, hasCertificates);
            case "http" -> tcp(uri, raw, connection, hasCertificates, false);
            case "https" -> tcp(uri, raw, connection, hasCertificates, true);
            default -> throw InvalidSpecException.of("endpoint", "'" + raw
                    + "' must start with unix://, tcp://, http:// or https://");
        };
    }

    private static SwarmEndpoint unix(URI uri, String raw, boolean hasCertificates) {
        if (uri.getPath() == null || uri.getPath().isBlank() || uri.getPath().equals("/")) {
            throw InvalidSpecException.of("endpoint", "'" + raw + "' names no socket file, e.g. unix:///var/run/docker.sock");
        }
        if (uri.getAuthority() != null) {
            throw InvalidSpecException.of("endpoint", "'" + raw + "' must have three slashes: unix:///path/to/docker.sock");
        }
        if (hasCertificates) {
            throw InvalidSpecException.of("credentials", "TLS certificates apply to tcp:// endpoints only, not to a unix socket");
        }
        return new SwarmEndpoint(URI.create("unix://" + uri.getPath()), null);
    }

    private static SwarmEndpoint tcp(URI uri, String raw, EngineConnection connection, boolean hasCertificates,
                                     boolean useTls) {
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw InvalidSpecException.of("endpoint", "'" + raw + "' names no host, e.g. tcp://10.0.0.5:2376");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw InvalidSpecException.of("endpoint", "'" + raw + "' must not have a path");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw InvalidSpecException.of("endpoint", "'" + raw + "' must be only scheme, host and port");
        }
        int port = uri.getPort();
        if (port == -1) {
            // the ports dockerd documents for plain and TLS TCP sockets
            port = useTls ? 2376 : 2375;
        } else if (port < 1 || port > 65535) {
            throw InvalidSpecException.of("endpoint", "'" + raw + "' has a port outside 1..65535");
        }
        SSLContext tls = null;
        if (useTls) {
            if (hasAny(connection, CLIENT_CERT, CLIENT_KEY) && !hasAll(connection, CLIENT_CERT, CLIENT_KEY)) {
                String missing = isBlank(connection.credential(CLIENT_CERT)) ? CLIENT_CERT : CLIENT_KEY;
                throw InvalidSpecException.of("credentials." + missing,
                        "is required with " + (missing.equals(CLIENT_CERT) ? CLIENT_KEY : CLIENT_CERT));
            }
            tls = PemTls.context(connection.credential(CA_CERT), connection.credential(CLIENT_CERT),
                    connection.credential(CLIENT_KEY));
        } else if (hasCertificates) {
            throw InvalidSpecException.of("endpoint", "certificates were given but http:// is plain text: use tcp:// or https://");
        }
        return new SwarmEndpoint(URI.create("tcp://" + bracketed(uri.getHost()) + ":" + port), tls);
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static boolean hasAny(EngineConnection connection, String... keys) {
        for (String key : keys) {
            if (!isBlank(connection.credential(key))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasAll(EngineConnection connection, String... keys) {
        for (String key : keys) {
            if (isBlank(connection.credential(key))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
