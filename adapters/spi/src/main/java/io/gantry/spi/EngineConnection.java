package io.gantry.spi;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Everything an adapter needs to reach one registered engine.
 *
 * @param id          the engine's id in Gantry
 * @param name        the engine's name in Gantry, for messages
 * @param endpoint    URL or address as registered ({@code https://10.0.0.1:6443}, {@code unix:///var/run/docker.sock})
 * @param labels      the engine's labels
 * @param credentials decrypted credentials ({@code token}, {@code username}/{@code password},
 *                    {@code kubeconfig}, {@code caCert}/{@code clientCert}/{@code clientKey}...).
 *                    Never log them.
 * @param options     adapter-specific settings (e.g. {@code namespaces}, {@code mesosUrl}); never secret
 * @param callTimeout upper bound for a single call to the engine; adapters must honour it
 */
public record EngineConnection(UUID id, String name, String endpoint, Map<String, String> labels,
                               Map<String, String> credentials, Map<String, String> options, Duration callTimeout) {
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    public EngineConnection {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
        options = options == null ? Map.of() : Map.copyOf(options);
        callTimeout = callTimeout == null ? DEFAULT_CALL_TIMEOUT : callTimeout;
    }

    public String credential(String key) {
        return credentials.get(key);
    }

    public String option(String key) {
        return options.get(key);
    }

    @Override
    public String toString() {
        // credentials are deliberately left out: records print every component otherwise
        return "EngineConnection[id=" + id + ", name=" + name + ", endpoint=" + endpoint + "]";
    }
}
