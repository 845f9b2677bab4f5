package io.gantry.spi.tls;

import io.gantry.spi.EngineConnection;
import io.gantry.spi.InvalidSpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of an engine registration, from the PEM credentials every adapter names alike: {@code caCert}
 * (certificates to trust; the JDK's trust store when absent) and {@code clientCert} + {@code clientKey} (the
 * identity shown to an engine that checks clients; both or neither). Read and checked at construction, so a
 * registration is refused before the first handshake. There is no way to trust every certificate.
 */
public final class TlsCredentials {
    public static final String CA_CERT = "caCert";
    public static final String CLIENT_CERT = "clientCert";
    public static final String CLIENT_KEY = "clientKey";
    private static final char[] NO_PASSWORD = new char[0];

    private final X509TrustManager trustManager;
    private final X509KeyManager keyManager;

    private TlsCredentials(X509TrustManager trustManager, X509KeyManager keyManager) {
        this.trustManager = trustManager;
        this.keyManager = keyManager;
    }

    /**
     * @param caCert     PEM certificates to trust, or {@code null}/blank for the JDK's trust store
     * @param clientCert PEM client certificate chain (leaf first), or {@code null}/blank for none
     * @param clientKey  PEM private key of {@code clientCert}; required with it
     * @throws InvalidSpecException naming {@code credentials.caCert}, {@code .clientCert} or {@code .clientKey}
     */
    public static TlsCredentials of(String caCert, String clientCert, String clientKey) {
        if (isBlank(clientCert) != isBlank(clientKey)) {
            String missing = isBlank(clientCert) ? CLIENT_CERT : CLIENT_KEY;
            throw InvalidSpecException.of("credentials." + missing,
                    "is required with " + (missing.equals(CLIENT_CERT) ? CLIENT_KEY : CLIENT_CERT));
        }
        X509TrustManager trust = isBlank(caCert) ? JdkTrust.MANAGER
                : trustManager(PemMaterial.certificates(caCert, "credentials." + CA_CERT));
        X509KeyManager identity = isBlank(clientCert) ? null
                : keyManager(PemMaterial.certificates(clientCert, "credentials." + CLIENT_CERT),
                        PemMaterial.privateKey(clientKey, "credentials." + CLIENT_KEY));
        return new TlsCredentials(trust, identity);
    }

    /** The three credentials of {@code connection}, as {@link #of(String, String, String)} reads them. */
    public static TlsCredentials of(EngineConnection connection) {
        return of(connection.credential(CA_CERT), connection.credential(CLIENT_CERT), connection.credential(CLIENT_KEY));
    }

    /** Whether the registration gives any of the three PEM credentials. */
    public static boolean given(EngineConnection connection) {
        return !isBlank(connection.credential(CA_CERT)) || !isBlank(connection.credential(CLIENT_CERT))
                || !isBlank(connection.credential(CLIENT_KEY));
    }

    /** Checks the server's chain against {@code caCert}, or the JDK's trust store without it. */
    public X509TrustManager trustManager() {
        return trustManager;
    }

    /** Presents {@code clientCert}, when one was given. */
    public Optional<X509KeyManager> keyManager() {
        return Optional.ofNullable(keyManager);
    }

    /** A new client (or server) context over these managers. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManager == null ? null : new KeyManager[] {keyManager}, new TrustManager[] {trustManager},
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            // the JDK always has a TLS context; nothing a registration could fix
            throw new IllegalStateException("no TLS context in this JDK", e);
        }
    }

    /** Read once: validating a registration without caCert should not parse the JDK's cacerts every time. */
    private static final class JdkTrust {
        static final X509TrustManager MANAGER = trustManager(null);
    }

    /** @param trusted the certificates to trust, or {@code null} for the JDK's trust store */
    private static X509TrustManager trustManager(List<X509Certificate> trusted) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trusted == null) {
                factory.init((KeyStore) null);
            } else {
                KeyStore store = emptyKeyStore();
                for (int i = 0; i < trusted.size(); i++) {
                    store.setCertificateEntry("ca-" + i, trusted.get(i));
                }
                factory.init(store);
            }
            return only(factory.getTrustManagers(), X509TrustManager.class);
        } catch (GeneralSecurityException | IOException e) {
            if (trusted == null) {
                throw new IllegalStateException("the JDK's trust store cannot be read", e);
            }
            throw InvalidSpecException.of("credentials." + CA_CERT, "cannot be used as a trust store");
        }
    }

    private static X509KeyManager keyManager(List<X509Certificate> chain, PrivateKey key) {
        checkPair(key, chain.get(0));
        try {
            KeyStore store = emptyKeyStore();
            store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return only(factory.getKeyManagers(), X509KeyManager.class);
        } catch (GeneralSecurityException | IOException e) {
            throw InvalidSpecException.of("credentials." + CLIENT_KEY, "cannot be used with " + CLIENT_CERT);
        }
    }

    /** A key that does not belong to the certificate would only fail at the first handshake: refuse it now. */
    private static void checkPair(PrivateKey key, X509Certificate certificate) {
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
        throw InvalidSpecException.of("credentials." + CLIENT_KEY, "does not belong to " + CLIENT_CERT);
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        return store;
    }

    private static <T> T only(Object[] managers, Class<T> type) throws GeneralSecurityException {
        for (Object manager : managers) {
            if (type.isInstance(manager)) {
                return type.cast(manager);
            }
        }
        throw new GeneralSecurityException("the JDK's factory made no " + type.getSimpleName());
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
