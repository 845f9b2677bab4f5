package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpTest {
    /** RFC 6238 appendix B's SHA-1 key. */
    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    /** RFC 6238 appendix B, the SHA-1 column (8 digits). */
    @ParameterizedTest
    @CsvSource({"59, 94287082", "1111111109, 07081804", "1111111111, 14050471", "1234567890, 89005924",
            "2000000000, 69279037", "20000000000, 65353130"})
    void codesAreTheRfcTestVectors(long epochSeconds, String expected) {
        assertThat(Totp.code(RFC_SECRET, Totp.step(epochSeconds), 8)).isEqualTo(expected);
    }

    /** RFC 4226 appendix D: HOTP values of the same key for counters 0 and 9 (six digits, leading digits kept). */
    @Test
    void sixDigitCodesAreTheHotpVectors() {
        assertThat(Totp.code(RFC_SECRET, 0, 6)).isEqualTo("755224");
        assertThat(Totp.code(RFC_SECRET, 9, 6)).isEqualTo("520489");
    }

    /** RFC 4648 section 10, without padding. */
    @Test
    void base32IsRfc4648() {
        assertThat(Totp.base32("".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(Totp.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MY");
        assertThat(Totp.base32("foob".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YQ");
        assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
        assertThat(Totp.base32(RFC_SECRET)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    @Test
    void aCodeMatchesWithinOneStepOfNowAndOnlyAfterTheLastUsedStep() {
        long now = 1_000_000;
        for (long step = now - 1; step <= now + 1; step++) {
            assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, step, 6), now, 0)).hasValue(step);
        }
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now - 2, 6), now, 0)).isEmpty();
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now + 2, 6), now, 0)).isEmpty();
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now, 6), now, now)).as("used already").isEmpty();
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now - 1, 6), now, now)).as("older than used").isEmpty();
        assertThat(Totp.match(RFC_SECRET, Totp.code(RFC_SECRET, now + 1, 6), now, now)).hasValue(now + 1);
    }

    @Test
    void anythingButSixDigitsNeverMatches() {
        long now = 1_000_000;
        String code = Totp.code(RFC_SECRET, now, 6);
        for (String bad : new String[] {null, "", " " + code, code + "0", "12345a", "１２３４５６"}) {
            assertThat(Totp.match(RFC_SECRET, bad, now, 0)).as(String.valueOf(bad)).isEqualTo(OptionalLong.empty());
        }
    }

    @Test
    void theUriIsWhatAuthenticatorAppsScan() {
        assertThat(Totp.uri("Gantry", "ann smith", RFC_SECRET)).isEqualTo("otpauth://totp/Gantry:ann%20smith?secret="
                + "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gantry&algorithm=SHA1&digits=6&period=30");
    }
}
