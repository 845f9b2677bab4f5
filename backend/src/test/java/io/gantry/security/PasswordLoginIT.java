package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.Api;
import io.gantry.support.IntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without an identity provider, password sign-in cannot be turned off: nobody could sign in. */
class PasswordLoginIT extends IntegrationTest {
    @Test
    void passwordSignInStaysOnWithoutAProvider() {
        Api.Response refused = api().put("/api/v1/settings/security", Map.of("passwordLogin", false));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).isEqualTo("https://gantry.io/problems/conflict");
        Api.Response settings = api().get("/api/v1/settings/security");
        assertThat(settings.json().get("passwordLogin").asBoolean()).isTrue();
        assertThat(new HttpCaller(port).get("/login", null).body()).contains("name=\"password\"")
                .doesNotContain("Sign in with");
    }
}
