package io.gantry.spi.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * Keys and certificates made in the test with Bouncy Castle and the JDK, written as openssl writes them. In the
 * test-jar: the adapters' tests use it for PEM credentials that must be real.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key pair and its certificate. */
    public record Issued(KeyPair keys, X509Certificate cert) {
        public String certPem() {
            return pem(cert);
        }

        /** PKCS#1 for RSA, SEC1 for EC: what {@code openssl genrsa -traditional} and {@code ecparam -genkey} write. */
        public String traditionalKeyPem() {
            return pem(keys.getPrivate());
        }

        public String pkcs8KeyPem() {
            return pkcs8(keys.getPrivate());
        }
    }

    private TestPki() {
    }

    public static KeyPair rsa() {
        return generate("RSA");
    }

    /**
     * Made by Bouncy Castle's provider: the JDK's EC key encodes its SEC1 part without the curve (it is in
     * the PKCS#8 wrapper), so JcaPEMWriter would write an {@code EC PRIVATE KEY} no tool could read.
     * Bouncy Castle's keeps the curve inside, as {@code openssl ecparam -genkey} writes it.
     */
    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ed25519() {
        return generate("Ed25519");
    }

    public static Issued ca(String name) {
        KeyPair keys = rsa();
        return new Issued(keys, sign(name, keys, name, keys.getPrivate(), true));
    }

    public static Issued issue(Issued ca, String name, KeyPair keys) {
        return new Issued(keys, sign(name, keys, ca.cert().getSubjectX500Principal().getName(), ca.keys().getPrivate(), false));
    }

    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String pem(PemObjectGenerator generator) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String pem(String type, byte[] content) {
        return pem(new PemObject(type, content));
    }

    public static String pkcs8(PrivateKey key) {
        try {
            return pem(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair generate(String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("RSA")) {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer, PrivateKey issuerKey,
                                        boolean ca) {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer.contains("=") ? issuer : "CN=" + issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + subject), subjectKeys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
