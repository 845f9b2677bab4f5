package io.gantry.agent.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.agent.daemon.AgentDaemon;
import io.gantry.agent.daemon.AgentOptions;
import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.RequiredEngine;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon with --tls-cert/--tls-key and the adapter over grpcs:// trusting the given caCert. */
class AgentTlsIT {
    @TempDir
    Path dir;

    @Test
    void grpcsWithTheAgentsCertificateWorksAndNothingElseDoes() throws Exception {
        RequiredEngine.requireCommand("openssl", "makes the test certificate; apt-get install -y openssl");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor()).as("openssl req").isZero();

        int port = AgentProcess.freePort();
        AgentOptions options = new AgentOptions(new InetSocketAddress("127.0.0.1", port), "tls-token",
                dir.resolve("data"), null, cert, key, cert, null, "tls-node", Map.of(), null, 0, false, null, null);
        try (AgentDaemon daemon = AgentDaemon.start(options)) {
            String endpoint = "grpcs://127.0.0.1:" + daemon.port();
            try (EngineClient trusted = connect(endpoint, Files.readString(cert))) {
                assertThat(trusted.ping().version()).startsWith("gantry-agent/");
                assertThat(trusted.listNodes()).extracting(n -> n.name()).isEqualTo(List.of("tls-node"));
            }
            Map<String, String> mutual = new HashMap<>(Map.of("token", "tls-token", "caCert", Files.readString(cert),
                    "clientCert", Files.readString(cert), "clientKey", Files.readString(key)));
            try (EngineClient withClientCertificate = new AgentEngineAdapter().connect(new EngineConnection(
                    UUID.randomUUID(), "mtls", endpoint, Map.of(), mutual, Map.of(), Duration.ofSeconds(5)))) {
                assertThat(withClientCertificate.ping().version()).startsWith("gantry-agent/");
            }
            // the same key as `openssl genrsa -traditional` writes it (PKCS#1): spi reads it as it reads PKCS#8
            Process traditional = new ProcessBuilder("openssl", "rsa", "-in", key.toString(), "-traditional").start();
            String pkcs1 = new String(traditional.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(traditional.waitFor()).as("openssl rsa").isZero();
            assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            mutual.put("clientKey", pkcs1);
            try (EngineClient withPkcs1Key = new AgentEngineAdapter().connect(new EngineConnection(
                    UUID.randomUUID(), "mtls-pkcs1", endpoint, Map.of(), mutual, Map.of(), Duration.ofSeconds(5)))) {
                assertThat(withPkcs1Key.ping().version()).startsWith("gantry-agent/");
            }
            try (EngineClient untrusting = connect(endpoint, null)) {
                assertThatThrownBy(untrusting::ping).isInstanceOf(EngineUnavailableException.class);
            }
            try (EngineClient plaintext = connect("grpc://127.0.0.1:" + daemon.port(), null)) {
                assertThatThrownBy(plaintext::ping).isInstanceOf(EngineUnavailableException.class);
            }
        }
    }

    private static EngineClient connect(String endpoint, String caCert) {
        Map<String, String> credentials = new HashMap<>(Map.of("token", "tls-token"));
        if (caCert != null) {
            credentials.put("caCert", caCert);
        }
        return new AgentEngineAdapter().connect(new EngineConnection(UUID.randomUUID(), "tls", endpoint, Map.of(),
                credentials, Map.of(), Duration.ofSeconds(5)));
    }
}
