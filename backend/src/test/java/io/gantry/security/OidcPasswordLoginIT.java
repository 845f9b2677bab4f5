package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.OidcProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An ADMIN turns password sign-in off once an identity provider is configured: the form goes, passwords are refused
 * at the form and the token endpoint, and the way back in (API tokens, the bootstrap token among them) stays open.
 */
class OidcPasswordLoginIT extends OidcIntegrationTest {
    @AfterEach
    void passwordsBackOn() {
        assertThat(api().put("/api/v1/settings/security", Map.of("passwordLogin", true)).status()).isEqualTo(200);
    }

    @Test
    void withPasswordSignInOffOnlyTheProviderAndApiTokensLetAnyoneIn() {
        String viewerToken = userToken("ivy", "VIEWER");
        HttpCaller form = new HttpCaller(port);
        String csrf = HttpCaller.csrfFieldOf(form.get("/login", null));
        assertThat(form.get("/login", null).body()).contains("Sign in with Test IdP", "name=\"password\"");

        HttpCaller.Reply off = new HttpCaller(port).send("PUT", "/api/v1/settings/security", ADMIN_TOKEN,
                "{\"passwordLogin\":false}", Map.of());
        assertThat(off.status()).as(off.body()).isEqualTo(200);
        assertThat(off.json().get("passwordLogin").asBoolean()).isFalse();
        assertThat(off.json().get("totpRequired").asBoolean()).as("left as it was").isFalse();

        HttpCaller.Reply token = new HttpCaller(port).send("POST", "/api/v1/auth/token", null,
                "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}", Map.of());
        assertThat(token.status()).isEqualTo(403);
        assertThat(token.contentType()).startsWith("application/problem+json");
        assertThat(token.json().get("type").asString()).isEqualTo("https://gantry.io/problems/password-login-off");

        HttpCaller.Reply page = form.get("/login", null);
        assertThat(page.body()).contains("Sign in with Test IdP").doesNotContain("name=\"password\"");
        HttpCaller.Reply posted = form.postForm("/login", Map.of("username", "admin", "password", ADMIN_PASSWORD,
                "_csrf", csrf), Map.of("Origin", form.base));
        assertThat(posted.header("Location")).endsWith("/login?passwordOff");
        assertThat(form.get("/login?passwordOff", null).body()).contains("Sign-in with a password is turned off");
        assertThat(form.get("/api/v1/auth/me", null).status()).isEqualTo(401);

        // the break-glass: tokens made before, the bootstrap token among them
        assertThat(new HttpCaller(port).get("/api/v1/auth/me", viewerToken).status()).isEqualTo(200);
        assertThat(api().get("/api/v1/users").status()).isEqualTo(200);

        OidcProvider.get().setUser("jill", "pw-jill", List.of());
        OidcBrowserFlow browser = new OidcBrowserFlow();
        assertThat(browser.signIn(site(), PROVIDER, "jill", "pw-jill")).isEqualTo(site() + "/");
    }

    @Test
    void anOidcSessionIsNotAskedForGantrysSecondFactor() {
        assertThat(api().put("/api/v1/settings/security", Map.of("totpRequired", true)).status()).isEqualTo(200);
        try {
            OidcProvider.get().setUser("kim", "pw-kim", List.of());
            OidcBrowserFlow browser = new OidcBrowserFlow();
            browser.signIn(site(), PROVIDER, "kim", "pw-kim");
            assertThat(browser.get(site() + "/").statusCode()).as("no detour to enrolment").isEqualTo(200);
            assertThat(browser.get(site() + "/api/v1/workloads").statusCode()).isEqualTo(200);
        } finally {
            assertThat(api().put("/api/v1/settings/security", Map.of("totpRequired", false)).status()).isEqualTo(200);
        }
    }
}
