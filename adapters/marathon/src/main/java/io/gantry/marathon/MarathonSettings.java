package io.gantry.marathon;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;

/**
 * One engine's connection settings, checked once. Fields of {@link EngineConnection} used:
 * <ul>
 *   <li>{@code endpoint}: one or more Marathon URLs, comma-separated (an HA cluster); calls go to the
 *       last one that answered and fail over to the next on connection errors;</li>
 *   <li>credentials {@code username}/{@code password} (HTTP basic) or {@code token} (DC/OS ACS token,
 *       sent as {@code Authorization: token=...}); {@code caCert}: PEM certificates to trust for https;</li>
 *   <li>options {@code mesosUrl} (Mesos master, enables nodes and sandbox logs) and {@code force}
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
                endpoints.add(httpUrl(part.trim(), "endpoint"));
            }
        }
        String mesos = c.option("mesosUrl");
        URI mesosUrl = mesos == null || mesos.isBlank() ? null : httpUrl(mesos.trim(), "options.mesosUrl");
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
        String ca = c.credential("caCert");
        SSLContext ssl = ca == null || ca.isBlank() ? null : trusting(ca);
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

    private static URI httpUrl(String text, String field) {
        try {
            URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw InvalidSpecException.of(field, "'" + text + "' is not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw InvalidSpecException.of(field, "'" + text + "' is not a URL: " + e.getReason());
        }
    }

    /** A TLS context that trusts exactly the PEM certificates given (a private CA, or a self-signed Marathon). */
    static SSLContext trusting(String pem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.trim().getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw InvalidSpecException.of("credentials.caCert", "no certificate found in the PEM text");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : certs) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw InvalidSpecException.of("credentials.caCert", "not a readable PEM certificate: " + e.getMessage());
        }
    }
}
