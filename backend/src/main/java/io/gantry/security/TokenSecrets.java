package io.gantry.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Token secrets: 256 random bits, shown once, stored only as SHA-256. A fast hash is right here
 * (unlike for passwords): the secret has full entropy, so there is nothing to brute-force, and the
 * hash is the lookup key of every API request.
 */
final class TokenSecrets {
    /** Marks a Gantry secret so that secret scanners and people can recognize a leaked one. */
    static final String PREFIX = "gantry_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {
    }

    static String generate() {
        return PREFIX + randomText(32);
    }

    /** URL-safe random text from {@code bytes} random bytes. */
    static String randomText(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static String hash(String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
