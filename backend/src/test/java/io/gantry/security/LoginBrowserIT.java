package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** Signing in and calling the API the way the dashboard will: from a real browser page. */
class LoginBrowserIT extends IntegrationTest {
    @Autowired
    JdbcTemplate db;

    @Test
    void aRealBrowserSignsInAndChangesThingsOnlyFromThisSite() throws Exception {
        String site = "http://localhost:" + port;
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(site + "/login");
            signIn(browser, "admin", "not-the-password");
            // the URL changes before the new page has rendered: wait for the page itself
            browser.waitFor("location.search === '?error' && document.readyState === 'complete'"
                    + " && document.body.innerText.length > 0");
            assertThat(browser.eval("document.body.innerText").asString()).contains("Wrong username or password.");

            signIn(browser, "admin", ADMIN_PASSWORD);
            browser.waitFor("location.pathname === '/'");
            JsonNode me = browser.eval("fetch('/api/v1/auth/me').then(r => r.json())");
            assertThat(me.get("username").asString()).isEqualTo("admin");
            assertThat(me.get("authenticatedBy").asString()).isEqualTo("session");

            assertThat(browser.eval(post("'/api/v1/tokens'", "browser-with-csrf",
                    "{'" + me.get("csrfHeader").asString() + "': '" + me.get("csrfToken").asString() + "'}")).asInt())
                    .as("the page's own change, with its CSRF token").isEqualTo(201);
            assertThat(browser.eval(post("'/api/v1/tokens'", "browser-without-csrf", "{}")).asInt())
                    .as("a change without the CSRF token").isEqualTo(403);

            // Another site (127.0.0.1 is not localhost) posting to Gantry with the browser's cookie jar:
            // the SameSite=Lax session cookie stays home, so the request arrives anonymous.
            long refusedBefore = anonymousTokenPosts();
            browser.open("http://127.0.0.1:" + port + "/login");
            browser.eval("fetch('" + site + "/api/v1/tokens', {method: 'POST', mode: 'no-cors', credentials: 'include',"
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

    private long anonymousTokenPosts() {
        return db.queryForObject("SELECT count(*) FROM audit_log WHERE action = 'POST /api/v1/tokens' "
                + "AND username = 'anonymous' AND status = 401", Long.class);
    }

    private static void signIn(HeadlessChromium browser, String username, String password) throws Exception {
        browser.eval("document.getElementById('username').value = '" + username + "';"
                + "document.getElementById('password').value = '" + password + "';"
                + "document.querySelector('form').submit(); true");
    }

    private static String post(String url, String name, String headers) {
        return "fetch(" + url + ", {method: 'POST', headers: Object.assign({'Content-Type': 'application/json'}, "
                + headers + "), body: JSON.stringify({name: '" + name + "'})}).then(r => r.status)";
    }
}
