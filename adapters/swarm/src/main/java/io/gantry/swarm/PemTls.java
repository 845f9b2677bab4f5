package io.gantry.swarm;

import io.gantry.spi.InvalidSpecException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a TLS context from the PEM texts {@code docker --tlsverify} uses (ca.pem, cert.pem, key.pem).
 * The JDK reads PKCS#8 keys only; Docker's documented {@code openssl genrsa} produces PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}) and {@code openssl ecparam -genkey} SEC1 ({@code BEGIN EC PRIVATE KEY}),
 * so those are wrapped into PKCS#8 here instead of pulling in Bouncy Castle. Error messages never
 * include the PEM text.
 */
final class PemTls {
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final byte[] RSA_ALGORITHM_ID = hex("300d06092a864886f70d0101010500");
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");
    private static final char[] NO_PASSWORD = new char[0];

    private PemTls() {
    }

    /**
     * @param caCert     PEM certificates to trust, or {@code null} for the JDK's default trust store
     * @param clientCert PEM client certificate chain, or {@code null} for no client authentication
     * @param clientKey  PEM private key of {@code clientCert}; required with it
     * @throws InvalidSpecException naming the credential that cannot be read
     */
    static SSLContext context(String caCert, String clientCert, String clientKey) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caCert == null || caCert.isBlank()) {
                trust.init((KeyStore) null);
            } else {
                KeyStore trusted = emptyKeyStore();
                int i = 0;
                for (Certificate certificate : certificates(caCert, SwarmEndpoint.CA_CERT)) {
                    trusted.setCertificateEntry("ca-" + i++, certificate);
                }
                trust.init(trusted);
            }
            KeyManagerFactory keys = null;
            if (clientCert != null && !clientCert.isBlank()) {
                KeyStore identity = emptyKeyStore();
                List<Certificate> chain = certificates(clientCert, SwarmEndpoint.CLIENT_CERT);
                PrivateKey key = privateKey(clientKey);
                checkPair(key, chain.get(0));
                identity.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(identity, NO_PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw InvalidSpecException.of("credentials", "the TLS certificates cannot be used: " + e.getMessage());
        }
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException, java.io.IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        return store;
    }

    private static List<Certificate> certificates(String pem, String field) {
        try {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.trim().getBytes(StandardCharsets.US_ASCII)));
            if (read.isEmpty()) {
                throw InvalidSpecException.of("credentials." + field, "holds no PEM certificate");
            }
            return new ArrayList<>(read);
        } catch (GeneralSecurityException e) {
            throw InvalidSpecException.of("credentials." + field, "is not a PEM certificate (" + e.getMessage() + ")");
        }
    }

    /** A key that does not belong to the certificate would only fail at the first handshake: refuse it now. */
    private static void checkPair(PrivateKey key, Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        byte[] challenge = "gantry".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's: not a pair either
        }
        throw InvalidSpecException.of("credentials." + SwarmEndpoint.CLIENT_KEY, "does not belong to "
                + SwarmEndpoint.CLIENT_CERT);
    }

    static PrivateKey privateKey(String pem) {
        String field = "credentials." + SwarmEndpoint.CLIENT_KEY;
        if (pem == null) {
            throw InvalidSpecException.of(field, "is required with " + SwarmEndpoint.CLIENT_CERT);
        }
        Matcher block = PEM_BLOCK.matcher(pem);
        if (!block.find()) {
            throw InvalidSpecException.of(field, "is not a PEM private key");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(block.group(2));
        } catch (IllegalArgumentException e) {
            throw InvalidSpecException.of(field, "has invalid base64 in its PEM block");
        }
        byte[] pkcs8 = switch (block.group(1)) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM_ID, der);
            case "EC PRIVATE KEY" -> pkcs8(ecAlgorithmId(der, field), der);
            case "ENCRYPTED PRIVATE KEY" -> throw InvalidSpecException.of(field, "is encrypted; give the key without a passphrase");
            default -> throw InvalidSpecException.of(field, "is a '" + block.group(1) + "' block, not a private key");
        };
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // not this algorithm: try the next one
            }
        }
        throw InvalidSpecException.of(field, "is not an RSA, EC or Ed25519 private key");
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING privateKey } (RFC 5208). */
    private static byte[] pkcs8(byte[] algorithmId, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithmId);
        body.writeBytes(der(0x04, key));
        return der(0x30, body.toByteArray());
    }

    /**
     * The SEC1 key (RFC 5915) carries its curve in the optional {@code [0]} field; PKCS#8 wants it in the
     * AlgorithmIdentifier {@code SEQUENCE { id-ecPublicKey, namedCurve }}.
     */
    private static byte[] ecAlgorithmId(byte[] sec1, String field) {
        DerReader outer = new DerReader(sec1);
        DerReader fields = new DerReader(outer.next(0x30));
        fields.next(0x02);
        fields.next(0x04);
        while (fields.hasMore()) {
            int tag = fields.peekTag();
            byte[] value = fields.next(tag);
            if (tag == 0xa0) {
                ByteArrayOutputStream id = new ByteArrayOutputStream();
                id.writeBytes(EC_PUBLIC_KEY_OID);
                id.writeBytes(value);
                return der(0x30, id.toByteArray());
            }
        }
        throw InvalidSpecException.of(field, "is an EC key without its curve parameters");
    }

    private static byte[] der(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** Just enough DER to walk one SEC1 structure. */
    private static final class DerReader {
        private final byte[] data;
        private int position;

        DerReader(byte[] data) {
            this.data = data;
        }

        boolean hasMore() {
            return position < data.length;
        }

        int peekTag() {
            return data[position] & 0xff;
        }

        byte[] next(int expectedTag) {
            if (position + 2 > data.length || (data[position] & 0xff) != expectedTag) {
                throw InvalidSpecException.of("credentials." + SwarmEndpoint.CLIENT_KEY, "is not a valid EC private key");
            }
            position++;
            int length = data[position++] & 0xff;
            if (length >= 0x80) {
                int bytes = length & 0x7f;
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (data[position++] & 0xff);
                }
            }
            if (length < 0 || position + length > data.length) {
                throw InvalidSpecException.of("credentials." + SwarmEndpoint.CLIENT_KEY, "is not a valid EC private key");
            }
            byte[] value = java.util.Arrays.copyOfRange(data, position, position + length);
            position += length;
            return value;
        }
    }
}
