package io.gantry.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an adapter accepts as the URL of an engine, checked without network I/O: a scheme from its list, a
 * host, a port in 1..65535 (required or not), no user or password (credentials have their own, encrypted
 * fields), no query or fragment, and a path only where the adapter allows one. Socket schemes
 * ({@code unix:///var/run/docker.sock}) name a file instead of a host.
 *
 * <p>Messages never repeat the URL: it may hold a password the caller typed in the wrong field.
 *
 * @param field         the field errors name, e.g. {@code endpoint} or {@code options.mesosUrl}
 * @param example       a URL the adapter accepts, shown in the messages
 * @param schemes       the network schemes accepted, lower case, e.g. {@code http}, {@code https}
 * @param socketSchemes the schemes whose URL names a socket file, e.g. {@code unix}; usually none
 * @param pathAllowed   whether a path may follow the host (an engine behind a proxy prefix)
 * @param portRequired  whether the port must be given (no default port for the scheme)
 */
public record EndpointRule(String field, String example, List<String> schemes, List<String> socketSchemes,
                           boolean pathAllowed, boolean portRequired) {
    public EndpointRule {
        schemes = List.copyOf(schemes);
        socketSchemes = List.copyOf(socketSchemes);
    }

    /** A rule for host URLs of these schemes: no path, port optional. */
    public static EndpointRule of(String field, String example, String... schemes) {
        return new EndpointRule(field, example, List.of(schemes), List.of(), false, false);
    }

    public EndpointRule allowingPath() {
        return new EndpointRule(field, example, schemes, socketSchemes, true, portRequired);
    }

    public EndpointRule requiringPort() {
        return new EndpointRule(field, example, schemes, socketSchemes, pathAllowed, true);
    }

    public EndpointRule withSocketSchemes(String... sockets) {
        return new EndpointRule(field, example, schemes, List.of(sockets), pathAllowed, portRequired);
    }

    /**
     * @param text the URL as registered; surrounding blanks are ignored
     * @return the parsed URL, its scheme as given (compare ignoring case); port {@code -1} when not given
     * @throws InvalidSpecException naming {@link #field()}
     */
    public URI check(String text) {
        if (text == null || text.isBlank()) {
            throw refused("is required, e.g. " + example);
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw refused("is not a URL: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (socketSchemes.contains(scheme)) {
            return checkSocket(uri, scheme);
        }
        if (!schemes.contains(scheme)) {
            throw refused("must start with " + schemeList());
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("must not hold a user or password: give them as credentials");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw refused("names no host, e.g. " + example);
        }
        if (uri.getPort() == -1 && portRequired) {
            throw refused("needs a port, e.g. " + example);
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            throw refused("has a port outside 1..65535");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw refused("must not have a query or fragment");
        }
        if (!pathAllowed && uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw refused("must not have a path");
        }
        return uri;
    }

    private URI checkSocket(URI uri, String scheme) {
        if (uri.getRawAuthority() != null) {
            throw refused("must have three slashes: " + scheme + ":///path/to/socket");
        }
        if (uri.getPath() == null || uri.getPath().isBlank() || uri.getPath().equals("/")) {
            throw refused("names no socket file, e.g. " + scheme + ":///path/to/socket");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw refused("must not have a query or fragment");
        }
        return uri;
    }

    private String schemeList() {
        List<String> all = new java.util.ArrayList<>(socketSchemes);
        all.addAll(schemes);
        List<String> prefixes = all.stream().map(s -> s + "://").toList();
        if (prefixes.size() == 1) {
            return prefixes.get(0);
        }
        return prefixes.subList(0, prefixes.size() - 1).stream().collect(Collectors.joining(", "))
                + " or " + prefixes.get(prefixes.size() - 1);
    }

    private InvalidSpecException refused(String message) {
        return InvalidSpecException.of(field, message);
    }
}
