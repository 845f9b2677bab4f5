package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.gantry.support.Browser;
import io.gantry.support.OidcProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A real Chromium clicks "Sign in with Test IdP", signs in on the provider's own page and lands in Gantry. */
class OidcBrowserIT extends OidcIntegrationTest {
    @Test
    void aBrowserSignsInWithTheIdentityProvider() {
        OidcProvider.get().setUser("lena", "pw-lena", List.of("gantry-ops"));
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            page.navigate(site() + "/login");
            Browser.screenshot(page, "login-with-provider");
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign in with Test IdP")).click();

            page.waitForURL(url -> url.startsWith(OidcProvider.get().issuer + "/login"));
            page.getByLabel("Username").fill("lena");
            page.getByLabel("Password").fill("pw-lena");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();

            page.waitForURL(site() + "/");
            @SuppressWarnings("unchecked")
            Map<String, Object> me = (Map<String, Object>) page.evaluate("fetch('/api/v1/auth/me').then(r => r.json())");
            assertThat(me.get("username")).isEqualTo("lena");
            assertThat(me.get("role")).isEqualTo("OPERATOR");
            assertThat(me.get("authenticatedBy")).isEqualTo("session");
            Browser.screenshot(page, "signed-in-with-provider");
        }
    }
}
