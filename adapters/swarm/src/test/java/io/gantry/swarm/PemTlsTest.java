package io.gantry.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.InvalidSpecException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTlsTest {
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
        assertThat(PemTls.privateKey(certs.read("client-rsa-key.pem")).getAlgorithm()).isEqualTo("RSA");
        assertThat(certs.read("client-ec-key.pem")).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(PemTls.privateKey(certs.read("client-ec-key.pem")).getAlgorithm()).isEqualTo("EC");
        assertThat(certs.read("client-p8-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PemTls.privateKey(certs.read("client-p8-key.pem")).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void buildsAContextFromCaCertificateAndClientPair() {
        assertThat(PemTls.context(certs.read("ca.pem"), certs.read("client-ec.pem"), certs.read("client-ec-key.pem")))
                .isNotNull();
    }

    @Test
    void refusesKeysItCannotUseWithoutEchoingThem() {
        String encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PemTls.privateKey(encrypted)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("encrypted").hasMessageNotContaining("MIIB");
        assertThatThrownBy(() -> PemTls.privateKey(certs.read("ca.pem"))).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("'CERTIFICATE' block");
        assertThatThrownBy(() -> PemTls.context(certs.read("ca.pem"), certs.read("client-rsa.pem"), certs.read("client-ec-key.pem")))
                .isInstanceOf(InvalidSpecException.class).hasMessage("credentials.clientKey: does not belong to clientCert");
    }
}
