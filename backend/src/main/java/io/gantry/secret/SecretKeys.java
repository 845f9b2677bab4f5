package io.gantry.secret;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's master key: {@code gantry.secret-key} (base64 of 32 bytes) when set, else a key
 * file generated once in the data directory with owner-only permissions (see {@link PrivateFiles}). Everything secret that
 * Gantry keeps (engine credentials, signed cursors) is keyed from it.
 */
public final class SecretKeys {
    static final String KEY_FILE = "secret.key";
    private static final int KEY_BYTES = 32;

    private final byte[] master;

    private SecretKeys(byte[] master) {
        this.master = master;
    }

    /**
     * @throws IllegalArgumentException when {@code configured} is set but not the base64 of 32 bytes
     */
    public static SecretKeys load(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return new SecretKeys(decode(configured.trim()));
        }
        return new SecretKeys(keyFile(dataDir.resolve(KEY_FILE)));
    }

    private static byte[] decode(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gantry.secret-key (GANTRY_SECRET_KEY) is not valid base64; "
                    + "it must be the base64 encoding of 32 random bytes (e.g. `openssl rand -base64 32`)");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("gantry.secret-key (GANTRY_SECRET_KEY) decodes to " + key.length
                    + " bytes; it must be the base64 encoding of exactly 32 bytes (e.g. `openssl rand -base64 32`)");
        }
        return key;
    }

    private static byte[] keyFile(Path file) {
        return decode(PrivateFiles.readOrCreate(file, () -> {
            byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            return Base64.getEncoder().encodeToString(key);
        }));
    }

    /** The AES-256 key that encrypts engine credentials. */
    public SecretKey encryptionKey() {
        return new SecretKeySpec(derive("credentials"), "AES");
    }

    /** A key for one purpose (e.g. {@code cursor}), so that no two uses share key material. */
    public byte[] derive(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "SecretKeys[redacted]";
    }
}
