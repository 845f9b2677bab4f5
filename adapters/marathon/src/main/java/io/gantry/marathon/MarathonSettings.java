package io.gantry.marathon;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;

import io.gantry.spi.EndpointRule;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.tls.TlsCredentials;

/**
 * One engine's connection settings, checked once. Fields of {@link EngineConnection} used:
 * <ul>
 *   <li>{@code endpoint}: one or more Marathon URLs, comma-separated (an HA cluster); calls go to the
 *       last one that answered and fail over to the next on connection errors;</li>
 *   <li>credentials {@code username}/{@code password} (HTTP basic) or {@code token} (DC/OS ACS token,
 *       sent as {@code Authorization: token=...}); {@code caCert}: PEM certificates to trust for https;</li>
 *   <li>options {@code mesosUrl} (Mesos master, enables nodes, sandbox logs and exec) and {@code force}
 *       ({@code true}: a change refused because a deployment locks the app is retried once with
 *       {@code ?force=true}, which cancels that deployment).</li>
 * </ul>
 */
record MarathonSettings(String engineName, List<URI> endpoints, URI mesosUrl, String authorization,
                        SSLContext sslContext, boolean force, Duration callTimeout) {

    static MarathonSettings from(EngineConnection c) {
        List<URI> endpoints = new ArrayList<>();
        String endpoint = c.endpoint();
        if (endpoint == null || endpoint.isBlank()) {
            throw InvalidSpecException.of("endpoint", "a Marathon URL is required (http[s]://host:8080)");
        }
        for (String part : endpoint.split(",")) {
            if (!part.isBlank()) {
                endpoints.add(httpUrl(part.trim(), "endpoint", "http://host:8080"));
            }
        }
        String mesos = c.option("mesosUrl");
        URI mesosUrl = mesos == null || mesos.isBlank() ? null : httpUrl(mesos.trim(), "options.mesosUrl", "http://host:5050");
        String token = c.credential("token");
        String user = c.credential("username");
        String password = c.credential("password");
        String authorization = null;
        if (token != null && !token.isBlank()) {
            // DC/OS Identity and Access Management: "Authorization: token=<auth_token>"
            authorization = "token=" + token.trim();
        } else if (user != null && !user.isBlank()) {
            if (password == null) {
                throw InvalidSpecException.of("credentials.password", "required with credentials.username");
            }
            authorization = "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        String ca = c.credential(TlsCredentials.CA_CERT);
        SSLContext ssl = ca == null || ca.isBlank() ? null : TlsCredentials.of(ca, null, null).sslContext();
        boolean force = "true".equalsIgnoreCase(c.option("force"));
        String name = c.name() == null ? String.valueOf(endpoints.get(0)) : c.name();
        return new MarathonSettings(name, List.copyOf(endpoints), mesosUrl, authorization, ssl, force,
                c.callTimeout());
    }

    @Override
    public String toString() {
        // the authorization header value is a credential: records print every component otherwise
        return "MarathonSettings[engine=" + engineName + ", endpoints=" + endpoints + ", mesosUrl=" + mesosUrl + "]";
    }

    /** Marathon and Mesos URLs: http(s), a host, a path only as the prefix of a proxy (DC/OS's /service/marathon). */
    private static URI httpUrl(String text, String field, String example) {
        // the paths of the API are appended to the URL as given
        String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        return EndpointRule.of(field, example, "http", "https").allowingPath().check(trimmed);
    }
}
