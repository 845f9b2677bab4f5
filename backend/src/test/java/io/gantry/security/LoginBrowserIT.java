package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import io.gantry.support.Browser;
import io.gantry.support.IntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Signing in and calling the API the way the dashboard does: from a real browser page. */
class LoginBrowserIT extends IntegrationTest {
    @Autowired
    JdbcTemplate db;

    @Test
    void aRealBrowserSignsInAndChangesThingsOnlyFromThisSite() {
        String site = "http://localhost:" + port;
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            page.navigate(site + "/login");
            page.getByLabel("Username").fill("admin");
            page.getByLabel("Password").fill("not-the-password");
            page.locator("form button").click();
            page.waitForURL(url -> url.endsWith("/login?error"));
            assertThat(page.locator("body").innerText()).contains("Wrong username, password or code.");

            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
            assertThat(page.url()).isEqualTo(site + "/");
            @SuppressWarnings("unchecked")
            Map<String, Object> me = (Map<String, Object>) page.evaluate("fetch('/api/v1/auth/me').then(r => r.json())");
            assertThat(me.get("username")).isEqualTo("admin");
            assertThat(me.get("authenticatedBy")).isEqualTo("session");

            assertThat(page.evaluate(post("browser-with-csrf",
                    "{'" + me.get("csrfHeader") + "': '" + me.get("csrfToken") + "'}")))
                    .as("the page's own change, with its CSRF token").isEqualTo(201);
            assertThat(page.evaluate(post("browser-without-csrf", "{}")))
                    .as("a change without the CSRF token").isEqualTo(403);

            // Another site (127.0.0.1 is not localhost) posting to Gantry with the browser's cookie jar:
            // the SameSite=Lax session cookie stays home, so the request arrives anonymous.
            long refusedBefore = anonymousTokenPosts();
            page.navigate("http://127.0.0.1:" + port + "/login");
            page.evaluate("fetch('" + site + "/api/v1/tokens', {method: 'POST', mode: 'no-cors', credentials: 'include',"
                    + " headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({name: 'cross-site'})})"
                    + ".then(() => true, () => true)");
            assertThat(anonymousTokenPosts()).as("the cross-site post reached Gantry without the session")
                    .isEqualTo(refusedBefore + 1);
        }
        assertThat(db.queryForObject("SELECT count(*) FROM api_tokens WHERE name = 'browser-with-csrf'", Long.class))
                .isEqualTo(1);
        assertThat(db.queryForObject("SELECT count(*) FROM api_tokens WHERE name IN ('browser-without-csrf', "
                + "'cross-site')", Long.class)).isZero();
    }

    /** The tokens page lists one's browser sessions; ending another one signs that browser out at once. */
    @Test
    void theTokensPageEndsAnotherBrowsersSession() {
        String site = "http://localhost:" + port;
        HttpCaller.Reply created = new HttpCaller(port).send("POST", "/api/v1/users", ADMIN_TOKEN,
                "{\"username\":\"two-windows\",\"password\":\"password-of-two-windows\",\"role\":\"VIEWER\"}",
                Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        try (Browser browser = Browser.start()) {
            Page here = browser.newPage();
            Page there = browser.newPage();
            Browser.signIn(there, site, "two-windows", "password-of-two-windows");
            Browser.signIn(here, site, "two-windows", "password-of-two-windows");

            here.navigate(site + "/tokens");
            var rows = here.locator("#sessions-table tbody tr");
            rows.nth(1).waitFor();
            assertThat(rows.count()).isEqualTo(2);
            Browser.screenshot(here, "sessions");
            here.locator("#sessions-table tbody tr:not(:has-text('this browser')) button").click();
            here.waitForCondition(() -> rows.count() == 1);

            there.navigate(site + "/");
            assertThat(there.url()).endsWith("/login?expired");
            here.navigate(site + "/");
            assertThat(here.url()).isEqualTo(site + "/");
        }
    }

    private long anonymousTokenPosts() {
        return db.queryForObject("SELECT count(*) FROM audit_log WHERE action = 'POST /api/v1/tokens' "
                + "AND username = 'anonymous' AND status = 401", Long.class);
    }

    private static String post(String name, String headers) {
        return "fetch('/api/v1/tokens', {method: 'POST', headers: Object.assign({'Content-Type': 'application/json'}, "
                + headers + "), body: JSON.stringify({name: '" + name + "'})}).then(r => r.status)";
    }
}
