package io.gantry.security;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords as authenticator apps make them (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second
 * steps, 6 digits, the secret shared in Base32 (RFC 4648) inside an {@code otpauth://} URI. Those are the values
 * every app supports; the others (SHA-256, 8 digits) are ignored by some, so Gantry offers none of them.
 */
final class Totp {
    static final int SECRET_BYTES = 20;
    static final int DIGITS = 6;
    static final long STEP_SECONDS = 30;
    /** Steps either side of now that still count: a phone's clock may be a little off, and typing takes time. */
    static final int WINDOW = 1;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Totp() {
    }

    /** The time step of {@code epochSeconds}. */
    static long step(long epochSeconds) {
        return Math.floorDiv(epochSeconds, STEP_SECONDS);
    }

    /** The code of {@code step} with {@code digits} digits (RFC 4226 section 5.3, dynamic truncation). */
    static String code(byte[] secret, long step, int digits) {
        byte[] hash;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            hash = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
        int offset = hash[hash.length - 1] & 0xf;
        int binary = (hash[offset] & 0x7f) << 24 | (hash[offset + 1] & 0xff) << 16 | (hash[offset + 2] & 0xff) << 8
                | hash[offset + 3] & 0xff;
        String code = Integer.toString(binary % (int) Math.pow(10, digits));
        return "0".repeat(digits - code.length()) + code;
    }

    /**
     * The step {@code code} belongs to, within {@link #WINDOW} of {@code now}, and newer than {@code lastUsed}: a
     * code works once, so one seen over someone's shoulder (or replayed from a log) is worth nothing afterwards.
     */
    static OptionalLong match(byte[] secret, String code, long now, long lastUsed) {
        if (code == null || !code.matches("\\d{" + DIGITS + "}")) {
            return OptionalLong.empty();
        }
        for (long step = now - WINDOW; step <= now + WINDOW; step++) {
            // constant time per comparison: how far a guess matched must not show in the answer's timing
            if (step > lastUsed && MessageDigest.isEqual(code(secret, step, DIGITS).getBytes(StandardCharsets.US_ASCII),
                    code.getBytes(StandardCharsets.US_ASCII))) {
                return OptionalLong.of(step);
            }
        }
        return OptionalLong.empty();
    }

    /** {@code otpauth://totp/Gantry:alice?secret=...&issuer=Gantry}, what authenticator apps scan. */
    static String uri(String issuer, String account, byte[] secret) {
        String label = component(issuer) + ":" + component(account);
        return "otpauth://totp/" + label + "?secret=" + base32(secret) + "&issuer=" + component(issuer)
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP_SECONDS;
    }

    /** RFC 4648 Base32 without padding, as authenticator apps take secrets. */
    static String base32(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = buffer << 8 | b & 0xff;
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt(buffer >> bits - 5 & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt(buffer << 5 - bits & 31));
        }
        return out.toString();
    }

    /** Percent-encoding for the otpauth URI's label and parameters (a space is %20 there, not +). */
    private static String component(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
