package io.gantry.bulk;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.gantry.support.Api;
import io.gantry.support.Browser;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bulk scale from the workloads page in a real Chromium: more workloads match the filter than one page shows, "select
 * all matching" takes them all, the preview groups them by engine, the run is confirmed and followed, and every row
 * (on this page by the live stream, on the next after a load) shows the new replica count.
 */
class BulkBrowserIT extends IntegrationTest {
    private static final int PER_ENGINE = 26;

    @Test
    void anOperatorScalesEveryWorkloadTheFilterMatchesAcrossPages() {
        Api api = api();
        for (String engine : new String[] {"ui-bulk-a", "ui-bulk-b"}) {
            FakeEngine fake = FakeEngine.named(engine);
            for (int i = 0; i < PER_ENGINE; i++) {
                fake.putQuietly(FakeEngine.workload("shop", engine.substring(3) + "-" + i, "nginx:1", 1, Map.of("tier", "ui")));
            }
            Engines.awaitStatus(api, Engines.register(api, engine, Map.of()), "UP");
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/workloads?label=tier=ui").json().get("total").asInt() == 2 * PER_ENGINE);

        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            String base = "http://localhost:" + port;
            Browser.signIn(page, base, "admin", ADMIN_PASSWORD);
            page.navigate(base + "/workloads?label=tier=ui");
            assertThat(page.locator("#workloads tbody tr")).hasCount(50);

            page.locator("#select-matching").click();
            assertThat(page.locator("#bulk-selection")).hasText("All 52 matching this filter selected");
            page.locator("#bulk-action").selectOption("scale");
            page.locator("#bulk-replicas").fill("3");
            page.locator("#bulk-preview").click();

            assertThat(page.locator("#bulk-title")).hasText("scale: 52 workload(s)");
            assertThat(page.locator("#bulk-summary")).hasText("52 will be acted on.");
            assertThat(page.locator(".bulk-engine[data-engine='ui-bulk-a'] h3")).hasText("ui-bulk-a (26)");
            assertThat(page.locator(".bulk-engine[data-engine='ui-bulk-b'] tbody tr")).hasCount(PER_ENGINE);
            assertThat(page.locator(".bulk-engine tbody tr").first()).containsText("spec.replicas: 1 → 3");
            Browser.screenshot(page, "bulk-preview");
            page.locator("#bulk-batch").fill("20");
            page.locator("#bulk-run").click();

            assertThat(page.locator("#bulk-progress")).hasAttribute("data-state", "SUCCEEDED",
                    new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(30_000));
            assertThat(page.locator("#bulk-items tbody tr")).hasCount(52);
            assertThat(page.locator("#bulk-items tbody tr[data-state='SUCCEEDED']")).hasCount(52);
            assertThat(page.locator("#bulk-progress-message")).containsText("3 of 3 batch(es) done");
            Locator replicas = page.locator("#workloads td.replicas");
            for (int i = 0; i < 50; i++) {
                assertThat(replicas.nth(i)).hasText("3/3");
            }
            Browser.screenshot(page, "bulk-done");

            page.locator("#next-page").click();
            assertThat(page.locator("#workloads td.replicas")).hasCount(2);
            assertThat(page.locator("#workloads td.replicas").first()).hasText("3/3");
            assertThat(page.locator("#workloads td.replicas").last()).hasText("3/3");
            JsonNode items = api.get("/api/v1/workloads?label=tier=ui&limit=100").json().get("items");
            assertThat(items).hasSize(52).allSatisfy(w -> assertThat(w.get("status").get("desired").asInt()).isEqualTo(3));

            // a delete of the two rows of this page runs only once their count is typed
            page.locator("#workloads input.select").nth(0).check();
            page.locator("#workloads input.select").nth(1).check();
            assertThat(page.locator("#bulk-selection")).hasText("2 row(s) selected");
            page.locator("#bulk-action").selectOption("delete");
            page.locator("#bulk-preview").click();
            assertThat(page.locator("#bulk-title")).hasText("delete: 2 workload(s)");
            assertThat(page.locator("#bulk-run")).isDisabled();
            page.getByLabel("This cannot be undone").fill("3");
            assertThat(page.locator("#bulk-run")).isDisabled();
            page.getByLabel("This cannot be undone").fill("2");
            page.locator("#bulk-run").click();
            assertThat(page.locator("#bulk-progress")).hasAttribute("data-state", "SUCCEEDED",
                    new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(30_000));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    api.get("/api/v1/workloads?label=tier=ui").json().get("total").asInt() == 50);
        }
    }
}
