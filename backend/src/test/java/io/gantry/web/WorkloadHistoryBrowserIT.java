package io.gantry.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.gantry.support.Api;
import io.gantry.support.Browser;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import io.gantry.support.Operations;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The workload page's History tab in a real Chromium: the revisions of a workload updated twice, two of them
 * compared, and a rollback to the first confirmed after seeing what changes; the phase goes DEPLOYING, then
 * RUNNING with the first revision's value, and the new revision arrives without a reload.
 */
class WorkloadHistoryBrowserIT extends IntegrationTest {

    @Test
    void anOperatorComparesRevisionsAndRollsBackFromTheHistoryTab() {
        Api api = api();
        FakeEngine fake = FakeEngine.named("ui-history");
        Engines.awaitStatus(api, Engines.register(api, "ui-history", Map.of()), "UP");
        Api.Response deploy = api.post("/api/v1/workloads", Map.of("engine", "ui-history", "namespace", "shop",
                "name", "hist-web", "spec", Map.of("image", "nginx:1.27", "replicas", 1, "env", Map.of("RELEASE", "1"))));
        assertThat(deploy.status()).as(deploy.toString()).isEqualTo(202);
        String id = Operations.await(api, deploy.location(), "SUCCEEDED").get("workloadId").asString();
        for (String release : new String[] {"2", "3"}) {
            Api.Response update = api.put("/api/v1/workloads/" + id + "/spec", Map.of("spec",
                    Map.of("image", "nginx:1.27", "replicas", 1, "env", Map.of("RELEASE", release))));
            assertThat(update.status()).as(update.toString()).isEqualTo(202);
            Operations.await(api, update.location(), "SUCCEEDED");
        }
        // the rollback rolls out for a moment, as an engine's rolling update does
        fake.rolloutsTake(Duration.ofSeconds(2));

        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, "http://localhost:" + port, "admin", ADMIN_PASSWORD);
            // a link can open the tab
            page.navigate("http://localhost:" + port + "/workloads/" + id + "#history");
            assertThat(page.locator("#tab-history")).hasAttribute("aria-selected", "true");
            Locator rows = page.locator("#revisions tbody tr");
            assertThat(rows).hasCount(3);
            assertThat(rows.first()).hasAttribute("data-revision", "3");
            assertThat(rows.first()).containsText("admin");
            assertThat(rows.first()).containsText("current");
            assertThat(page.locator("#revisions-more")).isHidden();

            page.getByLabel("from revision 1").check();
            page.getByLabel("to revision 3").check();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Compare")).click();
            Locator diff = page.locator("#revision-diff-table tr.diff");
            assertThat(diff).hasCount(1);
            assertThat(diff).containsText("RELEASE");
            assertThat(page.locator("#diff-count")).hasText("1");
            Browser.screenshot(page, "workload-history");

            // before saving an edit: what would change and the engine's answer, with nothing changed yet
            page.locator("#edit-toggle").click();
            Locator specInput = page.locator("#spec-input");
            specInput.fill(specInput.inputValue().replace("\"RELEASE\" : \"3\"", "\"RELEASE\" : \"9\"")
                    .replace("\"RELEASE\":\"3\"", "\"RELEASE\":\"9\""));
            page.locator("#spec-preview").click();
            assertThat(page.locator("#spec-validation")).containsText("1 change(s); the engine accepts them.");
            assertThat(page.locator("#spec-diff-table")).containsText("\"RELEASE\":\"9\"");
            assertThat(api.get("/api/v1/workloads/" + id).json().get("spec").get("env").get("RELEASE").asString())
                    .isEqualTo("3");
            page.locator("#edit-toggle").click();

            // roll back to revision 1: the confirmation shows what changes before anything does
            page.locator("#revisions tr[data-revision='1'] button.rollback").click();
            assertThat(page.locator("#rollback-dialog")).isVisible();
            assertThat(page.locator("#rollback-diff-table")).containsText("RELEASE");
            Browser.screenshot(page, "workload-rollback-confirm");
            page.locator("#rollback-confirm").click();

            assertThat(page.locator("#operations .op").first()).hasAttribute("data-state", "SUCCEEDED");
            assertThat(page.locator("#phase .badge")).hasText("DEPLOYING");
            assertThat(page.locator("#phase .badge")).hasText("RUNNING");
            // the fourth revision arrives through the live stream
            assertThat(rows).hasCount(4);
            assertThat(rows.first()).hasAttribute("data-revision", "4");
            assertThat(rows.first()).containsText("rollback to 1");
        }
        JsonNode now = api.get("/api/v1/workloads/" + id).json();
        assertThat(now.get("spec").get("env").get("RELEASE").asString()).isEqualTo("1");
        assertThat(fake.calls()).anyMatch(c -> c.startsWith("rollback shop/hist-web"));
    }
}
