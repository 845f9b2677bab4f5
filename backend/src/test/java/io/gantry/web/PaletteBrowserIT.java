package io.gantry.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.gantry.support.Api;
import io.gantry.support.Browser;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The command palette (issue 20) in a real headless Chromium: Ctrl-K opens it on any page, part of a workload's name
 * finds it through GET /api/v1/search, Enter opens its page; "/" opens it too, "?" lists the shortcuts; on the
 * workload's page "scale NAME to N" is confirmed and reaches the engine.
 */
class PaletteBrowserIT extends IntegrationTest {
    private static final String NAME = "pal-kookaburra-web";

    @Test
    void ctrlKFindsAWorkloadByPartOfItsNameAndEnterOpensIt() {
        FakeEngine engine = FakeEngine.named("palette-a");
        engine.putQuietly(FakeEngine.workload("birds", NAME, "nginx:1.27", 1, Map.of("app", "kookaburra")));
        engine.putQuietly(FakeEngine.workload("birds", "pal-magpie", "nginx:1.27", 1, Map.of()));
        Api api = api();
        Engines.awaitStatus(api, Engines.register(api, "palette-a", Map.of()), "UP");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/workloads?engine=palette-a").json()
                .get("total").asInt() == 2);
        String site = "http://localhost:" + port;

        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
            page.navigate(site + "/events");
            Locator palette = page.locator("#palette");
            assertThat(palette).isHidden();

            page.keyboard().press("Control+k");
            assertThat(palette).isVisible();
            Locator input = palette.getByRole(AriaRole.COMBOBOX);
            assertThat(input).isFocused();
            input.pressSequentially("kookab", new Locator.PressSequentiallyOptions().setDelay(30));
            Locator first = palette.getByRole(AriaRole.OPTION).first();
            assertThat(first).containsText(NAME);
            assertThat(first).hasAttribute("aria-selected", "true");
            assertThat(input).hasAttribute("aria-activedescendant", first.getAttribute("id"));
            assertThat(palette.getByRole(AriaRole.LISTBOX)).not().containsText("pal-magpie");
            Browser.screenshot(page, "palette-search");

            input.press("Enter");
            page.waitForURL(Pattern.compile(".*/workloads/[0-9a-f-]{36}$"));
            assertThat(page.locator("h1")).containsText(NAME);

            // "/" opens it too (not while typing in a field); arrows move; Escape closes
            page.locator("body").press("/");
            assertThat(palette).isVisible();
            input.fill("pal-");
            assertThat(palette.getByRole(AriaRole.OPTION)).hasCount(2);
            input.press("ArrowDown");
            assertThat(palette.getByRole(AriaRole.OPTION).nth(1)).hasAttribute("aria-selected", "true");
            input.press("Escape");
            assertThat(palette).isHidden();

            // "?" lists the shortcuts
            page.locator("body").press("?");
            Locator shortcuts = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Keyboard shortcuts"));
            assertThat(shortcuts).isVisible();
            assertThat(shortcuts).containsText("Ctrl K");
            Browser.screenshot(page, "palette-shortcuts");
            page.keyboard().press("Escape");
            assertThat(shortcuts).isHidden();

            // an action on this workload, confirmed first, reaches the engine
            page.keyboard().press("Control+k");
            input.fill("scale " + NAME + " to 3");
            assertThat(palette.getByRole(AriaRole.OPTION).first()).containsText("Scale " + NAME + " to 3");
            page.onceDialog(dialog -> {
                assertThat(dialog.message()).contains("Scale " + NAME + " to 3");
                dialog.accept();
            });
            input.press("Enter");
            assertThat(page.locator("#palette-status")).containsText("accepted");
            await().atMost(Duration.ofSeconds(15)).until(() -> engine.current("birds/" + NAME)
                    .map(w -> w.spec().replicas() != null && w.spec().replicas() == 3).orElse(false));
        }
    }
}
