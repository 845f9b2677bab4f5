package io.gantry.spi.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class TlsCredentialsTest {
    private static final TestPki.Issued CA = TestPki.ca("test-ca");
    private static final TestPki.Issued SERVER = TestPki.issue(CA, "server", TestPki.rsa());
    private static final TestPki.Issued CLIENT = TestPki.issue(CA, "client", TestPki.ec());

    @Test
    void theClientTrustsTheCaAndPresentsItsCertificate() throws Exception {
        TlsCredentials client = TlsCredentials.of(CA.certPem(), CLIENT.certPem(), CLIENT.traditionalKeyPem());
        assertThat(handshake(client.sslContext())).isEqualTo("CN=client");
    }

    @Test
    void aServerFromAnotherCaIsNotTrustedAndNeitherIsAClientWithoutCertificate() {
        TestPki.Issued other = TestPki.ca("other-ca");
        TlsCredentials trustingOther = TlsCredentials.of(other.certPem(), CLIENT.certPem(), CLIENT.pkcs8KeyPem());
        assertThatThrownBy(() -> handshake(trustingOther.sslContext())).isInstanceOf(SSLException.class);
        TlsCredentials anonymous = TlsCredentials.of(CA.certPem(), null, null);
        assertThat(anonymous.keyManager()).isEmpty();
        assertThatThrownBy(() -> handshake(anonymous.sslContext())).isInstanceOf(IOException.class);
    }

    @Test
    void withoutCaCertTheJdkTrustStoreDecidesAndDoesNotKnowAPrivateCa() {
        TlsCredentials jdk = TlsCredentials.of(null, " ", null);
        assertThatThrownBy(() -> jdk.trustManager().checkServerTrusted(new X509Certificate[] {SERVER.cert(), CA.cert()}, "RSA"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void halfAPairOrAKeyOfAnotherCertificateIsRefusedNamingTheField() {
        assertThatThrownBy(() -> TlsCredentials.of(null, CLIENT.certPem(), null))
                .hasMessage("credentials.clientKey: is required with clientCert");
        assertThatThrownBy(() -> TlsCredentials.of(null, "", CLIENT.pkcs8KeyPem()))
                .hasMessage("credentials.clientCert: is required with clientKey");
        assertThatThrownBy(() -> TlsCredentials.of(CA.certPem(), CLIENT.certPem(), SERVER.traditionalKeyPem()))
                .hasMessage("credentials.clientKey: does not belong to clientCert");
        assertThatThrownBy(() -> TlsCredentials.of("nope", null, null))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.errors().get(0).field()).isEqualTo("credentials.caCert"));
    }

    @Test
    void readsTheCredentialsOfARegistration() {
        EngineConnection connection = new EngineConnection(null, "e", "https://h", null,
                Map.of("caCert", CA.certPem(), "clientCert", CLIENT.certPem(), "clientKey", CLIENT.pkcs8KeyPem()), null, null);
        assertThat(TlsCredentials.given(connection)).isTrue();
        assertThat(TlsCredentials.of(connection).keyManager()).isPresent();
        assertThat(TlsCredentials.given(new EngineConnection(null, "e", "https://h", null, Map.of("token", "t"), null, null)))
                .isFalse();
    }

    /**
     * One TLS exchange on loopback with a server that requires a client certificate from {@link #CA}.
     *
     * @return the subject of the client certificate the server saw
     */
    private static String handshake(SSLContext clientContext) throws Exception {
        SSLContext serverContext = TlsCredentials.of(CA.certPem(), SERVER.certPem(), SERVER.pkcs8KeyPem()).sslContext();
        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    accepted.setSoTimeout(10_000);
                    InputStream in = accepted.getInputStream();
                    int b = in.read();
                    accepted.getOutputStream().write(b);
                    accepted.getOutputStream().flush();
                    return ((X509Certificate) accepted.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                } catch (IOException e) {
                    return "server: " + e;
                }
            });
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(42);
                out.flush();
                // TLS 1.3 reports a refused client certificate on the first read, not in the handshake
                assertThat(socket.getInputStream().read()).isEqualTo(42);
            }
            return seen.get(10, TimeUnit.SECONDS);
        }
    }
}
