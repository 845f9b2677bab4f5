package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineClient;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.RequiredEngine;
import io.gantry.spi.exec.ExecChecks;
import io.gantry.spi.tls.TlsCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS as {@code dockerd --tlsverify} does it (server certificate from a private CA, client certificate
 * required), in front of the real daemon: a TLS listener that checks client certificates and forwards to
 * the unix socket.
 */
class SwarmTlsIT {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static UnixSocketForwarder tlsDaemon;

    @BeforeAll
    static void startTlsDaemon() throws IOException {
        RequiredEngine.require(LocalSwarm.available(), LocalSwarm.REQUIRED);
        certs = TestCertificates.create(dir);
        SSLServerSocket server = (SSLServerSocket) TlsCredentials.of(certs.read("ca.pem"), certs.read("server.pem"),
                certs.read("server-key.pem")).sslContext().getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        tlsDaemon = new UnixSocketForwarder(server, LocalSwarm.SOCKET);
    }

    @AfterAll
    static void stop() {
        if (tlsDaemon != null) {
            tlsDaemon.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"client-rsa", "client-ec", "client-p8"})
    void clientCertificateInEveryKeyEncodingReachesTheSwarm(String client) {
        try (EngineClient swarm = connect(Map.of("caCert", certs.read("ca.pem"), "clientCert", certs.read(client + ".pem"),
                "clientKey", certs.read(client + "-key.pem")))) {
            assertThat(swarm.ping().degraded()).isFalse();
            assertThat(swarm.listNodes()).isNotEmpty();
        }
    }

    @Test
    void withoutAClientCertificateTheDaemonRefusesTheConnection() {
        try (EngineClient swarm = connect(Map.of("caCert", certs.read("ca.pem")))) {
            assertThatThrownBy(swarm::ping).isInstanceOf(EngineUnavailableException.class);
        }
    }

    @Test
    void aServerCertificateFromAnotherCaIsNotTrusted() {
        try (EngineClient swarm = connect(Map.of("caCert", certs.read("other-ca.pem"), "clientCert", certs.read("client-rsa.pem"),
                "clientKey", certs.read("client-rsa-key.pem")))) {
            assertThatThrownBy(swarm::ping).isInstanceOf(EngineUnavailableException.class)
                    .hasMessageContaining("unreachable");
        }
    }

    /**
     * Exec's hijacked connection is the adapter's own socket, not httpclient's: it must use the same TLS settings,
     * and closing stdin must reach the daemon as a TLS half-close.
     */
    @Test
    void execRunsOverTheSameTls() {
        try (EngineClient swarm = connect(Map.of("caCert", certs.read("ca.pem"), "clientCert", certs.read("client-ec.pem"),
                "clientKey", certs.read("client-ec-key.pem")))) {
            String service = SwarmTestWorkloads.deploySleeper(swarm, "it-tls-exec");
            try {
                ExecChecks checks = new ExecChecks(swarm, service, SwarmTestWorkloads.runningInstance(swarm, service));
                checks.shellRoundTrips();
                checks.resizeReachesTerminal();
                checks.plainCommandKeepsStreamsAndExitCode();
                checks.stdinReachesCommand();
                checks.closeEndsCommand();
            } finally {
                LocalSwarm.removeServices(service);
            }
        }
    }

    /** The hijacked connection trusts and authenticates as every other call: without a client certificate, no answer. */
    @Test
    void execConnectionPresentsTheClientCertificateAndChecksTheServer() throws IOException {
        String path = "/v1.41/exec/no-such-exec/start";
        byte[] body = "{\"Detach\":false}".getBytes(StandardCharsets.UTF_8);
        try (DockerHijack answered = DockerHijack.post(endpoint(Map.of("caCert", certs.read("ca.pem"), "clientCert",
                certs.read("client-rsa.pem"), "clientKey", certs.read("client-rsa-key.pem"))), path, body, Duration.ofSeconds(10))) {
            assertThat(answered.upgraded()).isFalse();
            assertThat(answered.status()).isEqualTo(404);
            assertThat(new String(answered.errorBody(Duration.ofSeconds(10)), StandardCharsets.UTF_8)).contains("no-such-exec");
        }
        assertThatThrownBy(() -> DockerHijack.post(endpoint(Map.of("caCert", certs.read("ca.pem"))), path, body,
                Duration.ofSeconds(10))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> DockerHijack.post(endpoint(Map.of("caCert", certs.read("other-ca.pem"), "clientCert",
                certs.read("client-rsa.pem"), "clientKey", certs.read("client-rsa-key.pem"))), path, body,
                Duration.ofSeconds(10))).isInstanceOf(IOException.class);
    }

    private static SwarmEndpoint endpoint(Map<String, String> credentials) {
        return SwarmEndpoint.of(LocalSwarm.connection("tcp://127.0.0.1:" + tlsDaemon.port(), credentials));
    }

    private static EngineClient connect(Map<String, String> credentials) {
        return new SwarmEngineAdapter().connect(LocalSwarm.connection("tcp://127.0.0.1:" + tlsDaemon.port(), credentials));
    }
}
