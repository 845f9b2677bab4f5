package io.gantry.spi.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.spi.InvalidSpecException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.junit.jupiter.api.Test;

class PemMaterialTest {
    private static final String FIELD = "credentials.clientKey";
    private static final TestPki.Issued CA = TestPki.ca("test-ca");

    @Test
    void readsRsaKeysInPkcs1AndPkcs8() throws Exception {
        KeyPair rsa = TestPki.rsa();
        String pkcs1 = TestPki.pem(rsa.getPrivate());
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertSameKey(PemMaterial.privateKey(pkcs1, FIELD), rsa);
        String pkcs8 = TestPki.pkcs8(rsa.getPrivate());
        assertThat(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----");
        assertSameKey(PemMaterial.privateKey(pkcs8, FIELD), rsa);
    }

    @Test
    void readsEcKeysInSec1AndPkcs8AndEd25519InPkcs8() throws Exception {
        KeyPair ec = TestPki.ec();
        String sec1 = TestPki.pem(ec.getPrivate());
        assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertSameKey(PemMaterial.privateKey(sec1, FIELD), ec);
        assertSameKey(PemMaterial.privateKey(TestPki.pkcs8(ec.getPrivate()), FIELD), ec);
        KeyPair ed25519 = TestPki.ed25519();
        assertSameKey(PemMaterial.privateKey(TestPki.pkcs8(ed25519.getPrivate()), FIELD), ed25519);
    }

    @Test
    void passesOverTheEcParametersOpensslWritesBeforeTheKey() throws Exception {
        KeyPair ec = TestPki.ec();
        // what `openssl ecparam -name prime256v1 -genkey` prints without -noout
        String withParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + TestPki.pem(ec.getPrivate());
        assertSameKey(PemMaterial.privateKey(withParameters, FIELD), ec);
    }

    @Test
    void readsACaBundleInOrderIgnoringTheTextAroundTheBlocks() {
        TestPki.Issued other = TestPki.ca("other-ca");
        String bundle = "Test CA\n=======\n" + CA.certPem() + "\nsubject=CN=other-ca\n" + other.certPem() + "\n";
        assertThat(PemMaterial.certificates(bundle, "credentials.caCert")).containsExactly(CA.cert(), other.cert());
    }

    @Test
    void garbageIsRefusedNamingTheFieldWithoutEchoingIt() {
        for (String garbage : new String[] {"not a certificate", "", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"}) {
            assertThatThrownBy(() -> PemMaterial.certificates(garbage, "credentials.caCert"))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                        assertThat(e.errors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("credentials.caCert"));
                        assertThat(e.getMessage()).doesNotContain("not a certificate", "bm90");
                    });
        }
        assertThatThrownBy(() -> PemMaterial.privateKey("secret-looking garbage", FIELD))
                .hasMessage("credentials.clientKey: is not a PEM private key");
        assertThatThrownBy(() -> PemMaterial.certificates(null, "credentials.caCert"))
                .hasMessage("credentials.caCert: holds no PEM certificate");
    }

    @Test
    void aCertificateWithTrailingBytesOrAnUnterminatedBlockIsRefused() throws Exception {
        byte[] der = CA.cert().getEncoded();
        byte[] padded = Arrays.copyOf(der, der.length + 4);
        assertThatThrownBy(() -> PemMaterial.certificates(TestPki.pem("CERTIFICATE", padded), "credentials.caCert"))
                .hasMessage("credentials.caCert: has a 'CERTIFICATE' block that does not decode");
        String cut = CA.certPem() + "-----BEGIN CERTIFICATE-----\nMIIB\n";
        assertThatThrownBy(() -> PemMaterial.certificates(cut, "credentials.caCert"))
                .hasMessageStartingWith("credentials.caCert: is not valid PEM");
    }

    @Test
    void encryptedKeysAreRefusedInBothForms() throws Exception {
        PrivateKey key = TestPki.rsa().getPrivate();
        String pkcs8 = TestPki.pem(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                PKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider()).setPassword("pw".toCharArray()).build()));
        assertThat(pkcs8).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        String legacy = TestPki.pem(new JcaMiscPEMGenerator(key, new JcePEMEncryptorBuilder("AES-128-CBC")
                .setProvider(new BouncyCastleProvider()).build("pw".toCharArray())));
        assertThat(legacy).contains("Proc-Type: 4,ENCRYPTED");
        // a cut encrypted block is refused for what it says it is, before any decoding
        String cut = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
        for (String encrypted : new String[] {pkcs8, legacy, cut}) {
            assertThatThrownBy(() -> PemMaterial.privateKey(encrypted, FIELD))
                    .hasMessage("credentials.clientKey: is encrypted; give the key without a passphrase");
        }
    }

    @Test
    void aBlockOfTheWrongKindIsNamedByItsType() {
        assertThatThrownBy(() -> PemMaterial.privateKey(CA.certPem(), FIELD))
                .hasMessage("credentials.clientKey: is a 'CERTIFICATE' block, not a private key");
        assertThatThrownBy(() -> PemMaterial.certificates(CA.certPem() + CA.pkcs8KeyPem(), "credentials.caCert"))
                .hasMessage("credentials.caCert: holds a 'PRIVATE KEY' block; give PEM certificates only");
        assertThatThrownBy(() -> PemMaterial.privateKey(TestPki.pem(CA.keys().getPublic()), FIELD))
                .hasMessage("credentials.clientKey: is a 'PUBLIC KEY' block, not a private key");
        String openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PemMaterial.privateKey(openssh, FIELD)).hasMessage("credentials.clientKey: is a "
                + "'OPENSSH PRIVATE KEY' block: give an RSA, EC or Ed25519 key as PKCS#8, PKCS#1 or SEC1 PEM");
    }

    /** The key read signs what the original public key verifies: the same key, whatever its encoding. */
    private static void assertSameKey(PrivateKey read, KeyPair expected) throws Exception {
        String algorithm = switch (read.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(read);
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(expected.getPublic());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).as(read.getAlgorithm()).isTrue();
    }
}
