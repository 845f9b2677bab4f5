package io.gantry.kubernetes;

import io.gantry.spi.EndpointRule;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.ManifestReader;
import io.gantry.spi.tls.TlsCredentials;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import io.kubernetes.client.util.credentials.ClientCertificateAuthentication;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;

/**
 * How to reach one cluster, read from an {@link EngineConnection}. Three ways, checked in this order:
 * <ul>
 *   <li>credential {@code kubeconfig}: a kubeconfig document; its current context, or the context
 *       named by option {@code context}. The endpoint is then informational.</li>
 *   <li>endpoint {@code in-cluster}: the service account Gantry runs as (when Gantry is a pod).</li>
 *   <li>endpoint {@code https://host:6443} with credential {@code token} (or {@code clientCert} +
 *       {@code clientKey}, PEM) and optional {@code caCert} (PEM).</li>
 * </ul>
 * Options: {@code namespaces} (comma-separated allow-list; all namespaces when absent),
 * {@code resyncSeconds} (period of the watch's full re-delivery, default 600).
 */
record KubernetesSettings(List<String> namespaces, String defaultNamespace, Duration callTimeout,
                          Duration resyncPeriod) {
    static final String IN_CLUSTER = "in-cluster";
    /** An API server may sit behind a proxy prefix (Rancher's /k8s/clusters/ID): a path is allowed. */
    private static final EndpointRule ENDPOINT = EndpointRule.of("endpoint", "https://host:6443", "https", "http")
            .allowingPath();
    private static final EndpointRule SERVER = EndpointRule.of("server", "https://host:6443", "https", "http")
            .allowingPath();
    private static final Pattern DNS_1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

    /** Checks a registration without network I/O; the exception names the bad field. */
    static KubernetesSettings validate(EngineConnection c) {
        String kubeconfig = c.credential("kubeconfig");
        String defaultNamespace = "default";
        if (kubeconfig != null) {
            KubeConfig config = kubeConfig(c);
            if (config.getNamespace() != null) {
                defaultNamespace = config.getNamespace();
            }
        } else if (IN_CLUSTER.equals(c.endpoint())) {
            // the kubelet sets these in every pod; without them ClientBuilder.cluster() cannot find the API server
            if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
                throw InvalidSpecException.of("endpoint",
                        "'in-cluster' needs Gantry to run in a pod (KUBERNETES_SERVICE_HOST is not set)");
            }
        } else {
            endpointUri(c.endpoint());
            boolean clientCert = !blank(c.credential("clientCert")) && !blank(c.credential("clientKey"));
            if (blank(c.credential("token")) && !clientCert) {
                throw InvalidSpecException.of("credentials.token",
                        "a bearer token (or clientCert and clientKey) is required with a URL endpoint");
            }
            // caCert, and the clientCert/clientKey pair, read as every adapter reads them
            TlsCredentials.of(c);
        }
        List<String> namespaces = List.of();
        String option = c.option("namespaces");
        if (option != null && !option.isBlank()) {
            namespaces = Arrays.stream(option.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
            for (String ns : namespaces) {
                if (ns.length() > 63 || !DNS_1123_LABEL.matcher(ns).matches()) {
                    throw InvalidSpecException.of("options.namespaces", "'" + ns + "' is not a namespace name");
                }
            }
            if (!namespaces.contains(defaultNamespace)) {
                defaultNamespace = namespaces.get(0);
            }
        }
        Duration resync = Duration.ofSeconds(600);
        if (c.option("resyncSeconds") != null) {
            try {
                resync = Duration.ofSeconds(Long.parseLong(c.option("resyncSeconds").trim()));
            } catch (NumberFormatException e) {
                throw InvalidSpecException.of("options.resyncSeconds", "not a number of seconds");
            }
            if (resync.isNegative() || resync.isZero()) {
                throw InvalidSpecException.of("options.resyncSeconds", "must be positive");
            }
        }
        return new KubernetesSettings(namespaces, defaultNamespace, c.callTimeout(), resync);
    }

    /**
     * Where the client connects: the kubeconfig's server (its current or named context), the endpoint
     * URL, or nothing for {@code in-cluster} (the pod's own API server, from the kubelet's environment).
     */
    static List<URI> destinations(EngineConnection c) {
        if (c.credential("kubeconfig") != null) {
            return List.of(serverUri(kubeConfig(c).getServer()));
        }
        return IN_CLUSTER.equals(c.endpoint()) ? List.of() : List.of(endpointUri(c.endpoint()));
    }

    /** The server as client-java's ClientBuilder reads it: without a scheme it is https. */
    private static URI serverUri(String server) {
        String url = server.trim().contains("://") ? server.trim() : "https://" + server.trim();
        try {
            return SERVER.check(url);
        } catch (InvalidSpecException e) {
            throw InvalidSpecException.of("credentials.kubeconfig", "the context's cluster server "
                    + e.errors().get(0).message());
        }
    }

    /** Scopes to list and watch: the allow-list, or {@code null} meaning all namespaces. */
    List<String> scopes() {
        return namespaces.isEmpty() ? java.util.Collections.singletonList(null) : namespaces;
    }

    boolean allows(String namespace) {
        return namespaces.isEmpty() || namespaces.contains(namespace);
    }

    /**
     * Two clients for the same cluster: one whose every call is bounded by the call timeout, one
     * for watches and followed logs, whose reads may wait up to {@code streamReadTimeout}.
     */
    static KubernetesApi api(EngineConnection c, Duration streamReadTimeout) {
        Duration t = c.callTimeout();
        ApiClient calls = build(c);
        calls.setHttpClient(calls.getHttpClient().newBuilder().connectTimeout(t).readTimeout(t).writeTimeout(t)
                .callTimeout(t).build());
        ApiClient streams = build(c);
        OkHttpClient streaming = streams.getHttpClient().newBuilder().connectTimeout(t).writeTimeout(t)
                .readTimeout(streamReadTimeout).callTimeout(Duration.ZERO).build();
        streams.setHttpClient(streaming);
        return new KubernetesApi(calls, streams);
    }

    private static ApiClient build(EngineConnection c) {
        try {
            if (c.credential("kubeconfig") != null) {
                return ClientBuilder.kubeconfig(kubeConfig(c)).build();
            }
            if (IN_CLUSTER.equals(c.endpoint())) {
                return ClientBuilder.cluster().build();
            }
            ClientBuilder builder = new ClientBuilder().setBasePath(stripSlash(c.endpoint()));
            if (!blank(c.credential("token"))) {
                builder.setAuthentication(new AccessTokenAuthentication(c.credential("token").trim()));
            } else if (!blank(c.credential("clientCert")) && !blank(c.credential("clientKey"))) {
                // the same credentials TlsCredentials checked in validate; client-java reads them again itself
                builder.setAuthentication(new ClientCertificateAuthentication(
                        c.credential("clientCert").getBytes(StandardCharsets.UTF_8),
                        c.credential("clientKey").getBytes(StandardCharsets.UTF_8)));
            }
            if (!blank(c.credential("caCert"))) {
                builder.setCertificateAuthority(c.credential("caCert").getBytes(StandardCharsets.UTF_8));
            }
            return builder.build();
        } catch (IOException e) {
            // the service account's files in a pod (a registered kubeconfig may name no file: KubeconfigReferences)
            String field = c.credential("kubeconfig") != null ? "credentials.kubeconfig" : "endpoint";
            throw InvalidSpecException.of(field, "cannot configure the client: " + e.getMessage());
        }
    }

    private static KubeConfig kubeConfig(EngineConnection c) {
        String text = c.credential("kubeconfig");
        Map<String, Object> doc;
        try {
            // under the parse budget, before KubeConfig's own loader (which has none) sees the text
            List<Object> documents = new ManifestReader("credentials.kubeconfig").readYaml(text);
            Object loaded = documents.size() == 1 ? documents.get(0) : null;
            if (!(loaded instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("not a YAML mapping");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) loaded;
            doc = map;
        } catch (InvalidSpecException e) {
            // the reader's messages (budget, position of a syntax error) never quote the document
            throw e;
        } catch (RuntimeException e) {
            // the parser's message may quote the document: never echo credentials
            throw InvalidSpecException.of("credentials.kubeconfig", "not a kubeconfig document");
        }
        KubeconfigReferences.refuse(doc);
        KubeConfig config;
        try {
            config = KubeConfig.loadKubeConfig(new StringReader(text));
        } catch (RuntimeException e) {
            throw InvalidSpecException.of("credentials.kubeconfig", "not a kubeconfig document");
        }
        String context = c.option("context");
        if (context != null && !context.isBlank()) {
            if (!config.setContext(context.trim())) {
                throw InvalidSpecException.of("options.context", "the kubeconfig has no context '" + context + "'");
            }
        } else if (config.getCurrentContext() == null || config.getCurrentContext().isBlank()) {
            throw InvalidSpecException.of("options.context", "the kubeconfig has no current-context: name one");
        }
        if (config.getServer() == null) {
            throw InvalidSpecException.of("credentials.kubeconfig", "the context's cluster has no server");
        }
        serverUri(config.getServer());
        return config;
    }

    private static URI endpointUri(String endpoint) {
        if (blank(endpoint)) {
            throw InvalidSpecException.of("endpoint", "required: https://host:port, or 'in-cluster', or a kubeconfig credential");
        }
        return ENDPOINT.check(endpoint);
    }

    private static String stripSlash(String endpoint) {
        String e = endpoint.trim();
        return e.endsWith("/") ? e.substring(0, e.length() - 1) : e;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
