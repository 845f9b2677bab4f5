package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.InvalidSpecException;
import io.gantry.spi.tls.PemMaterial;
import io.gantry.spi.tls.TlsCredentials;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spi's PEM reader on what the openssl CLI writes when following Docker's "Protect the Docker daemon socket". */
class OpensslPemTest {
    private static final String KEY = "credentials.clientKey";
    @TempDir
    static Path dir;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(dir);
    }

    @Test
    void readsTheThreeKeyEncodingsOpensslWrites() {
        assertThat(certs.read("client-rsa-key.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(PemMaterial.privateKey(certs.read("client-rsa-key.pem"), KEY).getAlgorithm()).isEqualTo("RSA");
        assertThat(certs.read("client-ec-key.pem")).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(PemMaterial.privateKey(certs.read("client-ec-key.pem"), KEY).getAlgorithm()).isEqualTo("EC");
        assertThat(certs.read("client-p8-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PemMaterial.privateKey(certs.read("client-p8-key.pem"), KEY).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void buildsAContextFromCaCertificateAndClientPair() {
        assertThat(TlsCredentials.of(certs.read("ca.pem"), certs.read("client-ec.pem"), certs.read("client-ec-key.pem"))
                .sslContext()).isNotNull();
    }

    @Test
    void refusesKeysItCannotUseWithoutEchoingThem() {
        String encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PemMaterial.privateKey(encrypted, KEY)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("encrypted").hasMessageNotContaining("MIIB");
        assertThatThrownBy(() -> PemMaterial.privateKey(certs.read("ca.pem"), KEY)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("'CERTIFICATE' block");
        assertThatThrownBy(() -> TlsCredentials.of(certs.read("ca.pem"), certs.read("client-rsa.pem"), certs.read("client-ec-key.pem")))
                .isInstanceOf(InvalidSpecException.class).hasMessage("credentials.clientKey: does not belong to clientCert");
    }
}
