package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.gantry.support.Api;
import io.gantry.support.Browser;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.OidcProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 19's "Done when": a real Chromium signs in through the real OIDC provider as a user whose group maps to a team
 * with OPERATOR on one engine's namespace (and no role of their own). That user lists only those workloads (the total
 * too), gets a 404 for another namespace's workload by id, scales their own, and their live stream carries no event
 * from outside.
 */
class OidcTeamScopeBrowserIT extends OidcIntegrationTest {
    private static final String ENGINE = "oidc-shop";
    private static final String HIDDEN = "ledger-9c1e";

    @Test
    void aTeamMemberFromTheIdentityProviderSeesAndActsOnlyInTheTeamsNamespace() {
        Api admin = api();
        FakeEngine engine = FakeEngine.named(ENGINE);
        engine.put(FakeEngine.workload("shop", "shop-web", "nginx:1", 1, Map.of()));
        engine.put(FakeEngine.workload("shop", "shop-api", "api:1", 1, Map.of()));
        engine.put(FakeEngine.workload("finance", HIDDEN, "ledger:1", 1, Map.of()));
        Engines.awaitStatus(admin, Engines.register(admin, ENGINE, Map.of()), "UP");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                admin.get("/api/v1/workloads?engine=" + ENGINE).json().get("total").asInt() == 3);
        assertThat(admin.post("/api/v1/teams", Map.of("name", "shop", "oidcGroup", "shop-devs")).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/grants", Map.of("team", "shop", "role", "OPERATOR", "engine", ENGINE,
                "namespace", "shop")).status()).isEqualTo(201);
        String hiddenId = idOf(admin, HIDDEN);
        String webId = idOf(admin, "shop-web");

        OidcProvider.get().setUser("sam", "pw-sam", List.of("shop-devs"));
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            page.navigate(site() + "/login");
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign in with Test IdP")).click();
            page.waitForURL(url -> url.startsWith(OidcProvider.get().issuer + "/login"));
            page.getByLabel("Username").fill("sam");
            page.getByLabel("Password").fill("pw-sam");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            page.waitForURL(site() + "/");

            JsonNode me = json(page.evaluate("fetch('/api/v1/auth/me').then(r => r.text())"));
            assertThat(me.get("username").asString()).isEqualTo("sam");
            assertThat(me.get("role").asString()).isEqualTo("NONE");
            assertThat(me.get("grants").get(0).get("team").asString()).isEqualTo("shop");

            JsonNode list = json(page.evaluate("fetch('/api/v1/workloads').then(r => r.text())"));
            assertThat(list.get("total").asInt()).isEqualTo(2);
            assertThat(list.get("items").valueStream().map(w -> w.get("name").asString()))
                    .containsExactlyInAnyOrder("shop-web", "shop-api");
            assertThat(page.evaluate("fetch('/api/v1/workloads/" + hiddenId + "').then(r => r.status)")).isEqualTo(404);

            Object scaled = page.evaluate("Gantry.api('POST', '/api/v1/workloads/" + webId + "/scale', {replicas: 2})"
                    + ".then(r => r.status)");
            assertThat(scaled).isEqualTo(202);
            Object refused = page.evaluate("Gantry.api('POST', '/api/v1/workloads/" + hiddenId + "/scale', {replicas: 2})"
                    + ".then(r => r.status)");
            assertThat(refused).isEqualTo(404);

            page.navigate(site() + "/tokens");
            assertThat(page.locator("#my-grants").innerText()).contains("OPERATOR", ENGINE, "team shop");
            assertThat(page.locator("nav[aria-label=Main]").innerText()).contains("Workloads").doesNotContain("Users");

            page.navigate(site() + "/workloads");
            assertThat(page.locator("main").innerText()).contains("shop-web").doesNotContain(HIDDEN);
            Browser.screenshot(page, "team-member-workloads");

            // the live stream as a page holds it, recording every event it is sent; then a change on each side
            page.navigate(site() + "/");
            page.evaluate("new Promise(open => { window.seen = []; const s = new EventSource('/api/v1/stream');"
                    + "s.onopen = open; ['workload.updated', 'workload.deleted', 'operation.updated', 'engine.status',"
                    + " 'workload.revision'].forEach(t => s.addEventListener(t, e => window.seen.push(t + ' ' + e.data))); })");
            engine.put(FakeEngine.workload("finance", HIDDEN, "ledger:3", 1, Map.of()));
            engine.put(FakeEngine.workload("shop", "shop-api", "api:3", 1, Map.of()));
            page.waitForFunction("() => window.seen.some(e => e.includes('api:3'))", null,
                    new Page.WaitForFunctionOptions().setTimeout(15_000));
            String seen = String.valueOf(page.evaluate("window.seen.join('\\n')"));
            assertThat(seen).contains("shop-api").doesNotContain(HIDDEN, "finance");
        }
        JsonNode operations = admin.get("/api/v1/operations?workload=" + webId).json();
        assertThat(operations.get("items")).anySatisfy(o -> assertThat(o.get("user").asString()).isEqualTo("sam"));
    }

    private static JsonNode json(Object text) {
        return Api.JSON.readTree(String.valueOf(text));
    }

    private static String idOf(Api admin, String name) {
        for (JsonNode w : admin.get("/api/v1/workloads?q=" + name).json().get("items")) {
            if (w.get("name").asString().equals(name)) {
                return w.get("id").asString();
            }
        }
        throw new AssertionError("no workload " + name);
    }
}
