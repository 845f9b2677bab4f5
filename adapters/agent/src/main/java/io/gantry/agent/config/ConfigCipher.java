package io.gantry.agent.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM over the agent's config store, a fresh random 96-bit nonce per write (NIST SP 800-38D: never reuse a
 * nonce under one key). The key is derived with HKDF-SHA256 (RFC 5869) from the agent's token when it has one, so
 * that a copy of the data dir without the token opens nothing; an agent without a token keeps a random key in a file
 * of mode 0600 beside the store. A token change makes the old store unreadable: the objects must then be created
 * again (the agent says so at start rather than starting with half of them).
 */
public final class ConfigCipher {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] HKDF_SALT = "gantry-agent-config-store".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HKDF_INFO = "aes-256-gcm v1".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private ConfigCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
        Arrays.fill(key, (byte) 0);
    }

    /**
     * @param token   the agent's token, or null/blank for none
     * @param keyFile where the random key lives when there is no token (created 0600 when missing)
     */
    public static ConfigCipher forAgent(String token, Path keyFile) {
        if (token != null && !token.isBlank()) {
            return new ConfigCipher(hkdfSha256(token.getBytes(StandardCharsets.UTF_8)));
        }
        return new ConfigCipher(keyFileBytes(keyFile));
    }

    /** @param associated bound to the ciphertext (the object's identity): a file moved to another name fails to open */
    byte[] seal(byte[] plain, String associated) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    /** @throws GeneralSecurityException when the data was not sealed with this key and associated data */
    byte[] open(byte[] sealed, String associated) throws GeneralSecurityException {
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new GeneralSecurityException("too short to be sealed data");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
        c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
        return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    }

    /** RFC 5869 with one block of output: exactly the 32 bytes of an AES-256 key. */
    static byte[] hkdfSha256(byte[] inputKeyMaterial) {
        try {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(HKDF_SALT, "HmacSHA256"));
            byte[] prk = extract.doFinal(inputKeyMaterial);
            Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(prk, "HmacSHA256"));
            expand.update(HKDF_INFO);
            expand.update((byte) 1);
            return expand.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    private static byte[] keyFileBytes(Path keyFile) {
        try {
            if (!Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS)) {
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                Files.createDirectories(keyFile.getParent());
                Files.write(Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))), fresh, StandardOpenOption.WRITE);
            }
            if (Files.isSymbolicLink(keyFile)) {
                throw new IOException(keyFile + " is a symbolic link");
            }
            byte[] key = Files.readAllBytes(keyFile);
            if (key.length != 32) {
                throw new IOException(keyFile + " does not hold a 32-byte key");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the config store key " + keyFile, e);
        }
    }
}
