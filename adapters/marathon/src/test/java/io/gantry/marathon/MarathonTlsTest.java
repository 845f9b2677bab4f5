package io.gantry.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineConnection;
import io.gantry.spi.EngineUnavailableException;

/** A Marathon on https with a self-signed certificate: trusted through the {@code caCert} credential only. */
class MarathonTlsTest {

    @Test
    void caCertCredentialTrustsAPrivateCertificate(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("marathon.p12");
        Path pem = dir.resolve("marathon.pem");
        keytool("-genkeypair", "-alias", "marathon", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-storetype", "PKCS12");
        keytool("-exportcert", "-rfc", "-alias", "marathon", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-file", pem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        try (MarathonTestServer server = MarathonTestServer.startTls(tls)) {
            assertThat(server.url()).startsWith("https://");
            EngineConnection trusted = new EngineConnection(UUID.randomUUID(), "tls", server.url(), null,
                    Map.of("caCert", Files.readString(pem)), null, Duration.ofSeconds(3));
            try (EngineClient client = new MarathonEngineAdapter().connect(trusted)) {
                assertThat(client.ping().version()).isEqualTo("1.11.24");
            }
            EngineConnection untrusted = new EngineConnection(UUID.randomUUID(), "tls", server.url(), null, null,
                    null, Duration.ofSeconds(3));
            try (EngineClient client = new MarathonEngineAdapter().connect(untrusted)) {
                assertThatThrownBy(client::ping).isInstanceOf(EngineUnavailableException.class)
                        .hasMessageContaining("SSLHandshakeException");
            }
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("keytool " + out).isZero();
    }
}
