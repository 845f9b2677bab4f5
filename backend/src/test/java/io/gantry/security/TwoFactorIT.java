package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two-factor sign-in through the API and the login form: enrolment takes a code made from the new secret, then the
 * token endpoint and the form need a code, which works once; a recovery code works once; turning it off takes a
 * code; an ADMIN may require it of everyone, after which a user without one gets no token and a session that only
 * reaches enrolment.
 */
class TwoFactorIT extends IntegrationTest {
    @AfterEach
    void requireNothing() {
        api().put("/api/v1/settings/security", Map.of("totpRequired", false));
    }

    @Test
    void aUserWithAnAuthenticatorNeedsAFreshCodeForATokenAndForTheForm() {
        String token = userToken("totp-ann", "OPERATOR");
        HttpCaller http = new HttpCaller(port);
        Authenticator phone = enrol(http, token);

        HttpCaller.Reply missing = tokenFor(http, "totp-ann", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("type").asString()).endsWith("/totp-required");
        assertThat(tokenFor(http, "totp-ann", "000000").status()).isEqualTo(401);

        String code = phone.nextCode();
        HttpCaller.Reply granted = tokenFor(http, "totp-ann", code);
        assertThat(granted.status()).as(granted.body()).isEqualTo(200);
        HttpCaller.Reply replayed = tokenFor(http, "totp-ann", code);
        assertThat(replayed.status()).as("a code works once").isEqualTo(401);
        assertThat(replayed.json().get("type").asString()).endsWith("/unauthorized");

        HttpCaller browser = new HttpCaller(port);
        assertThat(browser.formLogin("totp-ann", "password-of-totp-ann").header("Location")).endsWith("/login?code");
        assertThat(browser.formLogin("totp-ann", "password-of-totp-ann", "123456").header("Location"))
                .endsWith("/login?error");
        // a recovery code: a third TOTP code would wait for the clock (the server takes each 30 s step once)
        HttpCaller.Reply signedIn = browser.formLogin("totp-ann", "password-of-totp-ann", phone.recoveryCodes.get(0));
        assertThat(signedIn.header("Location")).doesNotContain("/login");
        assertThat(browser.get("/api/v1/auth/me", null).status()).isEqualTo(200);

        HttpCaller.Reply status = http.get("/api/v1/auth/totp", token);
        assertThat(status.json().get("enabled").asBoolean()).isTrue();
        assertThat(status.json().get("recoveryCodesLeft").asInt()).isEqualTo(TwoFactor.RECOVERY_CODES - 1);
        JsonNode users = api().get("/api/v1/users").json().get("items");
        assertThat(users).anySatisfy(u -> {
            assertThat(u.get("username").asString()).isEqualTo("totp-ann");
            assertThat(u.get("twoFactor").asBoolean()).isTrue();
        });
    }

    @Test
    void aRecoveryCodeWorksOnceAndTurningItOffTakesACode() {
        String token = userToken("totp-bob", "VIEWER");
        HttpCaller http = new HttpCaller(port);
        Authenticator phone = enrol(http, token);
        String recovery = phone.recoveryCodes.get(0).toUpperCase().replace("-", " ");
        assertThat(tokenFor(http, "totp-bob", recovery).status()).as("typed as it pleased them").isEqualTo(200);
        assertThat(tokenFor(http, "totp-bob", recovery).status()).as("used up").isEqualTo(401);
        assertThat(http.get("/api/v1/auth/totp", token).json().get("recoveryCodesLeft").asInt())
                .isEqualTo(TwoFactor.RECOVERY_CODES - 1);

        HttpCaller.Reply enrolAgain = http.send("POST", "/api/v1/auth/totp", token, null, Map.of());
        assertThat(enrolAgain.status()).as("no swapping the authenticator without turning it off").isEqualTo(409);
        HttpCaller.Reply wrong = http.send("DELETE", "/api/v1/auth/totp", token, "{\"code\":\"000000\"}", Map.of());
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.body()).contains("\"field\":\"code\"");
        HttpCaller.Reply off = http.send("DELETE", "/api/v1/auth/totp", token,
                "{\"code\":\"" + phone.nextCode() + "\"}", Map.of());
        assertThat(off.status()).as(off.body()).isEqualTo(200);
        assertThat(off.json().get("enabled").asBoolean()).isFalse();
        assertThat(tokenFor(http, "totp-bob", null).status()).isEqualTo(200);
    }

    @Test
    void whenAnAdminRequiresItAUserWithoutOneOnlyReachesEnrolment() {
        String token = userToken("totp-cid", "OPERATOR");
        HttpCaller http = new HttpCaller(port);
        assertThat(http.send("PUT", "/api/v1/settings/security", token, "{\"totpRequired\":true}", Map.of()).status())
                .as("an ADMIN's switch").isEqualTo(403);
        HttpCaller.Reply required = http.send("PUT", "/api/v1/settings/security", ADMIN_TOKEN, "{\"totpRequired\":true}",
                Map.of());
        assertThat(required.status()).as(required.body()).isEqualTo(200);
        assertThat(required.json().get("updatedBy").asString()).isEqualTo("admin");

        HttpCaller.Reply noToken = tokenFor(http, "totp-cid", null);
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.json().get("detail").asString()).contains("enrol");

        HttpCaller browser = new HttpCaller(port);
        assertThat(browser.formLogin("totp-cid", "password-of-totp-cid").header("Location")).doesNotContain("/login");
        assertThat(browser.get("/workloads", null).header("Location")).endsWith("/tokens?enrol");
        HttpCaller.Reply api = browser.get("/api/v1/workloads", null);
        assertThat(api.status()).isEqualTo(403);
        assertThat(api.json().get("detail").asString()).contains("Two-factor sign-in is required");
        assertThat(browser.get("/tokens", null).status()).isEqualTo(200);
        assertThat(browser.get("/api/v1/auth/totp", null).json().get("required").asBoolean()).isTrue();

        Authenticator phone = enrol(http, token);
        assertThat(browser.get("/api/v1/workloads", null).status()).as("enrolled: the session is whole").isEqualTo(200);
        assertThat(tokenFor(http, "totp-cid", phone.nextCode()).status()).isEqualTo(200);

        assertThat(http.send("DELETE", "/api/v1/users/totp-cid/totp", ADMIN_TOKEN, null, Map.of()).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/auth/totp", token).json().get("enabled").asBoolean()).isFalse();
    }

    private HttpCaller.Reply tokenFor(HttpCaller http, String username, String code) {
        String body = HttpCaller.JSON.writeValueAsString(code == null
                ? Map.of("username", username, "password", "password-of-" + username)
                : Map.of("username", username, "password", "password-of-" + username, "code", code));
        return http.send("POST", "/api/v1/auth/token", null, body, Map.of());
    }

    /** Enrols the token's user and confirms with a code, as a phone would make it. */
    private static Authenticator enrol(HttpCaller http, String token) {
        HttpCaller.Reply enrolment = http.send("POST", "/api/v1/auth/totp", token, null, Map.of());
        assertThat(enrolment.status()).as(enrolment.body()).isEqualTo(201);
        JsonNode e = enrolment.json();
        assertThat(e.get("otpauthUri").asString()).startsWith("otpauth://totp/Gantry:").contains("secret=" + e.get("secret").asString());
        assertThat(e.get("qrCode").asString()).startsWith("data:image/svg+xml;base64,");
        Authenticator phone = new Authenticator(base32(e.get("secret").asString()),
                e.get("recoveryCodes").valueStream().map(JsonNode::asString).toList());
        assertThat(phone.recoveryCodes).hasSize(TwoFactor.RECOVERY_CODES).doesNotHaveDuplicates();
        HttpCaller.Reply wrong = http.send("POST", "/api/v1/auth/totp/confirm", token, "{\"code\":\"000000\"}", Map.of());
        assertThat(wrong.status()).isEqualTo(400);
        HttpCaller.Reply confirmed = http.send("POST", "/api/v1/auth/totp/confirm", token,
                "{\"code\":\"" + phone.nextCode() + "\"}", Map.of());
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        assertThat(confirmed.json().get("enabled").asBoolean()).isTrue();
        return phone;
    }

    /**
     * A phone's authenticator that never repeats a step: the server takes each step's code once, up to one step ahead
     * of now, so two codes are at hand at once (now's and the next's); a third waits for the clock.
     */
    private static final class Authenticator {
        private final byte[] secret;
        private final List<String> recoveryCodes;
        private long lastStep;

        Authenticator(byte[] secret, List<String> recoveryCodes) {
            this.secret = secret;
            this.recoveryCodes = recoveryCodes;
        }

        String nextCode() {
            long now = Totp.step(Instant.now().getEpochSecond());
            while (lastStep >= now + Totp.WINDOW) {
                sleepMillis(500);
                now = Totp.step(Instant.now().getEpochSecond());
            }
            lastStep = Math.max(lastStep + 1, now);
            return Totp.code(secret, lastStep, Totp.DIGITS);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] base32(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : text.toCharArray()) {
            buffer = buffer << 5 | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.write(buffer >> bits - 8 & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }
}
