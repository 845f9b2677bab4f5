package io.gantry.security;

import io.gantry.secret.CredentialCipher;
import io.gantry.web.BadRequestException;
import io.gantry.web.ConflictException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Users' authenticators (TOTP) and recovery codes: enrolling, confirming, checking a code at sign-in, turning it off.
 * A code or a recovery code works once. Whether everyone must have one is {@link SecuritySettings}.
 */
@Service
class TwoFactor {
    static final String ISSUER = "Gantry";
    static final int RECOVERY_CODES = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final CredentialCipher cipher;
    private final Clock clock = Clock.systemUTC();

    TwoFactor(JdbcTemplate jdbc, CredentialCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    /** A new secret, not yet in force, and the recovery codes that come with it (shown this once). */
    record Enrolment(String secret, String otpauthUri, List<String> recoveryCodes) {
    }

    /** Where a user stands: {@code enabled} once confirmed; {@code recoveryCodesLeft} unused ones. */
    record Status(boolean enabled, Instant enabledAt, int recoveryCodesLeft) {
    }

    /**
     * Starts (or restarts) enrolment: a fresh secret that counts only once {@link #confirm}ed. Refused while one is
     * in force: turn it off first, proving a code, so that a borrowed session cannot swap the victim's authenticator.
     */
    @Transactional
    Enrolment enrol(String username) {
        if (status(username).enabled()) {
            throw new ConflictException("two-factor sign-in is already on; turn it off first (DELETE "
                    + "/api/v1/auth/totp with a code) to enrol another authenticator");
        }
        byte[] secret = new byte[Totp.SECRET_BYTES];
        RANDOM.nextBytes(secret);
        jdbc.update("DELETE FROM user_totp WHERE username = ?", username);
        jdbc.update("INSERT INTO user_totp (username, secret, created_at) VALUES (?, ?, ?)", username,
                cipher.encrypt(secret), Timestamp.from(clock.instant()));
        jdbc.update("DELETE FROM totp_recovery_codes WHERE username = ?", username);
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            String code = recoveryCode();
            codes.add(code);
            jdbc.update("INSERT INTO totp_recovery_codes (username, code_hash) VALUES (?, ?)", username,
                    TokenSecrets.hash(normalized(code)));
        }
        return new Enrolment(Totp.base32(secret), Totp.uri(ISSUER, username, secret), codes);
    }

    /** Puts the enrolling secret in force when {@code code} is one of its codes. */
    @Transactional
    void confirm(String username, String code) {
        Optional<Stored> stored = stored(username);
        if (stored.isEmpty()) {
            throw new ConflictException("no enrolment to confirm: start one with POST /api/v1/auth/totp");
        }
        if (stored.get().confirmed()) {
            throw new ConflictException("two-factor sign-in is already on");
        }
        if (!acceptTotp(username, stored.get(), code)) {
            throw BadRequestException.field("code", "is not the current code of the authenticator being enrolled");
        }
        jdbc.update("UPDATE user_totp SET confirmed_at = ? WHERE username = ?", Timestamp.from(clock.instant()), username);
    }

    /** Turns two-factor sign-in off for oneself, proving a current code (or a recovery code). */
    @Transactional
    void disable(String username, String code) {
        if (!status(username).enabled()) {
            throw new ConflictException("two-factor sign-in is not on");
        }
        if (!verify(username, code)) {
            throw BadRequestException.field("code", "is not a current code or an unused recovery code");
        }
        reset(username);
    }

    /** An ADMIN's way out for a user who lost their phone and their recovery codes. */
    @Transactional
    void reset(String username) {
        jdbc.update("DELETE FROM user_totp WHERE username = ?", username);
        jdbc.update("DELETE FROM totp_recovery_codes WHERE username = ?", username);
    }

    /**
     * Whether {@code code} passes {@code username}'s second factor now: a current TOTP code not used before, or an
     * unused recovery code (used up by this call). False when the user has none in force.
     */
    @Transactional
    boolean verify(String username, String code) {
        Optional<Stored> stored = stored(username).filter(Stored::confirmed);
        if (stored.isEmpty() || code == null || code.isBlank()) {
            return false;
        }
        return acceptTotp(username, stored.get(), code.trim()) || acceptRecoveryCode(username, code);
    }

    Status status(String username) {
        Optional<Stored> stored = stored(username);
        Integer left = jdbc.queryForObject("SELECT count(*) FROM totp_recovery_codes WHERE username = ? AND used_at IS NULL",
                Integer.class, username);
        boolean enabled = stored.map(Stored::confirmed).orElse(false);
        return new Status(enabled, enabled ? stored.get().confirmedAt() : null, enabled && left != null ? left : 0);
    }

    Set<String> enabledUsers() {
        return Set.copyOf(jdbc.queryForList("SELECT username FROM user_totp WHERE confirmed_at IS NOT NULL", String.class));
    }

    boolean enabled(String username) {
        Integer rows = jdbc.queryForObject("SELECT count(*) FROM user_totp WHERE username = ? AND confirmed_at IS NOT NULL",
                Integer.class, username);
        return rows != null && rows > 0;
    }

    /** Records the step it matched, in the same statement that checks it is newer: two racing sign-ins, one wins. */
    private boolean acceptTotp(String username, Stored stored, String code) {
        OptionalLong step = Totp.match(cipher.decrypt(stored.secret()), code, Totp.step(clock.instant().getEpochSecond()),
                stored.lastStep());
        return step.isPresent() && jdbc.update("UPDATE user_totp SET last_step = ? WHERE username = ? AND last_step < ?",
                step.getAsLong(), username, step.getAsLong()) == 1;
    }

    private boolean acceptRecoveryCode(String username, String code) {
        return jdbc.update("UPDATE totp_recovery_codes SET used_at = ? WHERE username = ? AND code_hash = ? "
                + "AND used_at IS NULL", Timestamp.from(clock.instant()), username, TokenSecrets.hash(normalized(code))) == 1;
    }

    private Optional<Stored> stored(String username) {
        return jdbc.query("SELECT secret, confirmed_at, last_step FROM user_totp WHERE username = ?",
                (rs, i) -> new Stored(rs.getBytes(1), rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant(),
                        rs.getLong(3)), username).stream().findFirst();
    }

    private record Stored(byte[] secret, Instant confirmedAt, long lastStep) {
        boolean confirmed() {
            return confirmedAt != null;
        }
    }

    /** 80 random bits as four groups of four Base32 letters: easy to type from paper, hopeless to guess. */
    private static String recoveryCode() {
        byte[] raw = new byte[10];
        RANDOM.nextBytes(raw);
        String text = Totp.base32(raw).toLowerCase(Locale.ROOT);
        return text.substring(0, 4) + "-" + text.substring(4, 8) + "-" + text.substring(8, 12) + "-" + text.substring(12, 16);
    }

    /** What a recovery code is, however it was typed: no dashes or spaces, any case. */
    private static String normalized(String code) {
        return code.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
    }
}
