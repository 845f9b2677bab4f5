package io.gantry.config;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.gantry.spi.config.ConfigKind;
import io.gantry.support.Api;
import io.gantry.support.Browser;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Configs page in real Chromium: list with users, create (values in password inputs), rotate, delete and its 409. */
class ConfigsBrowserIT extends IntegrationTest {
    private static final String ENGINE = "cfg-ui";

    @Test
    void anOperatorCreatesRotatesAndDeletesAndSeesWhoUsesWhat() {
        Api api = api();
        FakeEngine engine = FakeEngine.named(ENGINE);
        Engines.awaitStatus(api, Engines.register(api, ENGINE, Map.of()), "UP");
        assertThat(api.post("/api/v1/configs", Map.of("engine", ENGINE, "namespace", "shop", "name", "cfg-db",
                "kind", "SECRET", "data", Map.of("password", "pw"))).status()).isEqualTo(201);
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", ENGINE, "namespace", "shop", "name", "cfg-app",
                "spec", Map.of("image", "app:1", "secrets", List.of(Map.of("source", "cfg-db", "env", "DB_PASSWORD",
                        "key", "password")))));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        Operations.await(api, deploy.location(), "SUCCEEDED");

        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            page.onDialog(d -> d.accept());
            Browser.signIn(page, "http://localhost:" + port, "admin", ADMIN_PASSWORD);
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Configs").setExact(true)).click();
            page.waitForURL(url -> url.endsWith("/configs"));

            Locator db = page.locator("#configs-table tr[data-name='cfg-db']");
            assertThat(db.locator("td.users a")).hasText("cfg-app");
            assertThat(db.locator("td.users a")).hasAttribute("href", java.util.regex.Pattern.compile("/workloads/.+"));

            page.locator("#c-kind").selectOption("SECRET");
            page.locator("#c-engine").selectOption(ENGINE);
            page.locator("#c-namespace").fill("shop");
            page.locator("#c-name").fill("cfg-token");
            page.locator("#c-key-0").fill("token");
            assertThat(page.locator("#c-value-0")).hasAttribute("type", "password");
            page.locator("#c-value-0").fill("first-ui-value");
            page.locator("#c-submit").click();
            Locator token = page.locator("#configs-table tr[data-name='cfg-token']");
            assertThat(token.locator("td.mono")).hasText("token");
            assertThat(engine.configData("shop", "cfg-token", ConfigKind.SECRET).orElseThrow()).containsEntry("token", "first-ui-value");

            token.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Rotate")).click();
            assertThat(page.locator("#c-submit")).hasText("Rotate");
            assertThat(page.locator("#c-key-0")).hasValue("token");
            page.locator("#c-value-0").fill("second-ui-value");
            page.locator("#c-submit").click();
            assertThat(page.locator("#config-operations .op")).hasAttribute("data-state", "SUCCEEDED");
            assertThat(engine.configData("shop", "cfg-token", ConfigKind.SECRET).orElseThrow()).containsEntry("token", "second-ui-value");
            Browser.screenshot(page, "configs");

            db.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Delete")).click();
            assertThat(page.locator("#config-error")).containsText("cfg-app");
            assertThat(page.locator("#config-error a")).hasText("cfg-app");

            token.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Delete")).click();
            assertThat(token).hasCount(0);
            assertThat(page.content()).doesNotContain("first-ui-value").doesNotContain("second-ui-value");

            // the deploy form picks the secret by name; the workload's page lists it and links back here
            page.navigate("http://localhost:" + port + "/deploy");
            page.locator("#d-engine").selectOption(ENGINE);
            page.locator("#d-namespace").fill("shop");
            page.locator("#d-namespace").dispatchEvent("change");
            assertThat(page.locator("#d-ref-source option")).hasText("secret cfg-db");
            page.locator("#d-ref-key").selectOption("password");
            page.locator("#d-ref-target").fill("DB_PASS");
            page.locator("#d-ref-add").click();
            assertThat(page.locator("#d-refs li")).containsText("secret cfg-db[password] → env DB_PASS");
            page.locator("#d-name").fill("cfg-picked");
            page.locator("#d-image").fill("app:2");
            page.locator("#deploy-submit").click();
            page.locator("#deployed-link").click();
            assertThat(page.locator("#spec-secrets a")).hasText("secret cfg-db");
            page.locator("#spec-secrets a").click();
            page.waitForURL(url -> url.contains("/configs?"));
            assertThat(page.locator("#configs-table tr[data-name='cfg-db'][aria-current='true'] td.users"))
                    .containsText("cfg-picked");
        }
    }
}
