package io.gantry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenID Connect provider (module testing/oidc-provider, Spring Authorization Server) as a child JVM, one per
 * test JVM: Gantry's context needs its issuer before it starts, and test classes share that context. Its users live
 * in its config file, which it re-reads at each sign-in: {@link #setUser} changes a user's groups between sign-ins.
 */
public final class OidcProvider {
    public static final String CLIENT_ID = "gantry-it";
    public static final String CLIENT_SECRET = "gantry-it-secret";
    /** Any port: the provider accepts a loopback redirect URI on any port (RFC 8252, section 7.3). */
    private static final String REDIRECT_URI = "http://127.0.0.1:8080/login/oauth2/code/";
    private static final Path ROOT = Path.of("target", "oidc-provider");
    private static OidcProvider running;

    public final String issuer;
    private final Path config;
    private final Map<String, Map<String, Object>> users = new LinkedHashMap<>();
    private final List<String> redirectUris;
    private final Process process;

    private OidcProvider(int port, List<String> providerIds) throws IOException {
        this.issuer = "http://127.0.0.1:" + port;
        this.config = ROOT.resolve("provider.json").toAbsolutePath();
        Files.createDirectories(ROOT);
        this.redirectUris = providerIds.stream().map(id -> REDIRECT_URI + id).toList();
        writeConfig();
        String jar = System.getProperty("gantry.oidc.providerJar",
                Path.of(System.getProperty("gantry.repo", "."), "testing", "oidc-provider", "target",
                        "gantry-oidc-provider.jar").toString());
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no OIDC provider jar at " + jar + ": build the module testing/oidc-provider");
        }
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-jar", jar, "--port=" + port, "--config=" + config)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(ROOT.resolve("provider.log").toFile()))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "oidc-provider-stop"));
        awaitDiscovery();
    }

    /** The provider of this JVM, started at the first call; {@code idp} is the Gantry provider id it redirects to. */
    public static synchronized OidcProvider get() {
        if (running == null) {
            try {
                running = new OidcProvider(freePort(), List.of("idp"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return running;
    }

    /** Adds or replaces a user; takes effect at their next sign-in. */
    public synchronized OidcProvider setUser(String username, String password, List<String> groups) {
        users.put(username, Map.of("username", username, "password", password, "email", username + "@example.test",
                "groups", groups));
        writeConfig();
        return this;
    }

    private void writeConfig() {
        Map<String, Object> file = Map.of("issuer", issuer,
                "client", Map.of("id", CLIENT_ID, "secret", CLIENT_SECRET, "redirectUris", redirectUris),
                "users", new ArrayList<>(users.values()));
        try {
            Path next = config.resolveSibling("provider.json.next");
            Files.writeString(next, Api.JSON.writeValueAsString(file));
            // a whole file at once: the provider may be reading it this moment
            Files.move(next, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitDiscovery() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                if (http.send(discovery, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("the OIDC provider did not start (alive=" + process.isAlive()
                        + "); see " + ROOT.resolve("provider.log").toAbsolutePath());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private void stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
