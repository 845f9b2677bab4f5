package io.gantry.spi.tls;

import io.gantry.spi.InvalidSpecException;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectParser;

/**
 * Certificates and private keys from PEM text, as {@code openssl} and {@code docker --tlsverify} write them:
 * certificates and CA bundles ({@code CERTIFICATE} blocks), keys in PKCS#8 ({@code PRIVATE KEY}: RSA, EC,
 * Ed25519), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}). Text outside the blocks
 * (the titles of a CA bundle, openssl's "subject=" lines) is ignored, as RFC 7468 allows; an unterminated
 * block, bad base64 or bytes after a block's structure are refused.
 *
 * <p>Every error is an {@link InvalidSpecException} naming the given field; its message never quotes the
 * PEM text, nor a library's message that might.
 */
public final class PemMaterial {
    /**
     * The converter asks the JDK's providers for a KeyFactory by name; its default names (ECDSA, and the bare
     * OID for Ed25519) are Bouncy Castle provider names the JDK does not register, so name the JDK's.
     */
    private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter()
            .setAlgorithmMapping(X9ObjectIdentifiers.id_ecPublicKey, "EC")
            .setAlgorithmMapping(EdECObjectIdentifiers.id_Ed25519, "Ed25519")
            .setAlgorithmMapping(EdECObjectIdentifiers.id_Ed448, "Ed448");
    private PemMaterial() {
    }

    /**
     * @param pem   one or more {@code CERTIFICATE} blocks; {@code null} is refused as empty
     * @param field the field errors name, e.g. {@code credentials.caCert}
     * @return the certificates in the order given, never empty
     * @throws InvalidSpecException when the text holds no certificate, another kind of block, or a broken one
     */
    public static List<X509Certificate> certificates(String pem, String field) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Block block : blocks(pem, field)) {
            Object decoded = block.decode(field);
            if (decoded instanceof X509TrustedCertificateBlock trusted) {
                // openssl's TRUSTED CERTIFICATE: the certificate plus trust settings the JDK has no use for
                decoded = trusted.getCertificateHolder();
            }
            if (!(decoded instanceof X509CertificateHolder holder)) {
                throw InvalidSpecException.of(field, "holds a '" + block.type() + "' block; give PEM certificates only");
            }
            try {
                certificates.add(converter.getCertificate(holder));
            } catch (CertificateException e) {
                throw InvalidSpecException.of(field, "holds a certificate the JDK cannot read");
            }
        }
        if (certificates.isEmpty()) {
            throw InvalidSpecException.of(field, "holds no PEM certificate");
        }
        return List.copyOf(certificates);
    }

    /**
     * The first private key in the text; other blocks before it ({@code EC PARAMETERS}, which
     * {@code openssl ecparam -genkey} writes first, or a certificate) are passed over.
     *
     * @param pem   text with a {@code PRIVATE KEY}, {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY} block
     * @param field the field errors name, e.g. {@code credentials.clientKey}
     * @throws InvalidSpecException when there is no such block, the key is encrypted, or the JDK cannot use it
     */
    public static PrivateKey privateKey(String pem, String field) {
        List<Block> blocks = blocks(pem, field);
        Block key = blocks.stream().filter(b -> b.type().endsWith("PRIVATE KEY")).findFirst().orElse(null);
        if (key == null) {
            throw InvalidSpecException.of(field, blocks.isEmpty() ? "is not a PEM private key"
                    : "is a '" + blocks.get(0).type() + "' block, not a private key");
        }
        if (key.encrypted()) {
            // Gantry has nowhere to keep a passphrase apart from the key: it would be stored beside it anyway
            throw InvalidSpecException.of(field, "is encrypted; give the key without a passphrase");
        }
        Object decoded = key.decode(field);
        PrivateKeyInfo info = decoded instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo()
                : decoded instanceof PrivateKeyInfo plain ? plain : null;
        if (info == null) {
            // a key block Bouncy Castle reads as something else, or not at all (OPENSSH PRIVATE KEY)
            throw InvalidSpecException.of(field, "is a '" + key.type()
                    + "' block: give an RSA, EC or Ed25519 key as PKCS#8, PKCS#1 or SEC1 PEM");
        }
        try {
            return KEYS.getPrivateKey(info);
        } catch (PEMException | RuntimeException e) {
            throw InvalidSpecException.of(field, "is not an RSA, EC or Ed25519 private key the JDK can use");
        }
    }

    private static List<Block> blocks(String pem, String field) {
        List<Block> blocks = new ArrayList<>();
        try (BlockReader reader = new BlockReader(pem == null ? "" : pem)) {
            for (Block block = reader.next(); block != null; block = reader.next()) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            // an END line missing, or base64 that does not decode (Bouncy Castle's DecoderException)
            throw InvalidSpecException.of(field, "is not valid PEM: a block is unterminated or its base64 is broken");
        }
        return blocks;
    }

    /** One block as read, decoded only when asked: its type and headers are enough to refuse most mistakes. */
    private record Block(PemObject raw, PemObjectParser parser) {
        String type() {
            return raw.getType();
        }

        /** PKCS#8's encrypted form, or the legacy OpenSSL one ({@code Proc-Type: 4,ENCRYPTED}). */
        boolean encrypted() {
            List<?> headers = raw.getHeaders();
            return type().equals(PEMParser.TYPE_ENCRYPTED_PRIVATE_KEY) || headers.stream()
                    .filter(PemHeader.class::isInstance).map(PemHeader.class::cast).anyMatch(h -> "Proc-Type".equalsIgnoreCase(h.getName())
                            && h.getValue() != null && h.getValue().contains("ENCRYPTED"));
        }

        /** Bouncy Castle's object for the block: X509CertificateHolder, PEMKeyPair, PrivateKeyInfo... */
        Object decode(String field) {
            if (parser == null) {
                return raw;
            }
            try {
                return parser.parseObject(raw);
            } catch (IOException | RuntimeException e) {
                // bytes after the structure, a truncated one, or another structure under the block's name
                throw InvalidSpecException.of(field, "has a '" + type() + "' block that does not decode");
            }
        }
    }

    /**
     * PEMParser's own per-type parsers, applied block by block: {@code readObject()} would decode and fail
     * before the caller could learn which kind of block it was given.
     */
    private static final class BlockReader extends PEMParser {
        BlockReader(String text) {
            super(new StringReader(text));
        }

        Block next() throws IOException {
            PemObject raw = readPemObject();
            return raw == null ? null : new Block(raw, (PemObjectParser) parsers.get(raw.getType()));
        }
    }
}
