package io.gantry.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import io.gantry.history.HistorySampler;
import io.gantry.manifest.ManifestFormats;
import io.gantry.spi.InstanceUsage;
import io.gantry.spi.PhaseRule;
import io.gantry.spi.Rollout;
import io.gantry.spi.Workload;
import io.gantry.spi.WorkloadStatus;
import io.gantry.support.Api;
import io.gantry.support.Browser;
import io.gantry.support.Engines;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 7's done-when scenario in a real headless Chromium against two fake engines: the UI is the
 * subject. Screenshots of each page go to {@code backend/target/screenshots/}.
 */
class DashboardBrowserIT extends IntegrationTest {
    private static final String VIEWER = "ui-viewer";
    private static final String VIEWER_PASSWORD = "viewer-password-123";

    /** The application context (and its database) outlives this class's instances: set up once. */
    private static boolean enginesRegistered;

    private String site;

    @Autowired
    HistorySampler sampler;
    @Autowired
    ManifestFormats formats;

    @BeforeEach
    void twoEngines() {
        site = "http://localhost:" + port;
        Api api = api();
        if (enginesRegistered) {
            return;
        }
        enginesRegistered = true;
        FakeEngine.named("ui-alpha").putQuietly(FakeEngine.workload("shop", "ui-web", "nginx:1.27", 2, Map.of("app", "shop")));
        FakeEngine.named("ui-alpha").putQuietly(FakeEngine.workload("shop", "ui-cart", "nginx:1.25", 2, 1, Map.of("app", "shop")));
        FakeEngine.named("ui-beta").putQuietly(FakeEngine.workload("shop", "ui-api", "eclipse-temurin:17", 1, Map.of("app", "shop")));
        Engines.awaitStatus(api, Engines.register(api, "ui-alpha", Map.of()), "UP");
        Engines.awaitStatus(api, Engines.register(api, "ui-beta", Map.of()), "UP");
        assertThat(api.post("/api/v1/users", Map.of("username", VIEWER, "password", VIEWER_PASSWORD, "role", "VIEWER"))
                .status()).isEqualTo(201);
        // two samples, so that the charts have totals and a CPU rate to draw
        Instant earlier = Instant.now().minusSeconds(60);
        FakeEngine.named("ui-alpha").reportUsage("shop/ui-web", List.of(new InstanceUsage("ui-web-0", 3.0, 48L << 20, earlier),
                new InstanceUsage("ui-web-1", 4.0, 52L << 20, earlier)));
        sampler.sampleNow(earlier);
        FakeEngine.named("ui-alpha").reportUsage("shop/ui-web", List.of(new InstanceUsage("ui-web-0", 9.0, 50L << 20,
                earlier.plusSeconds(30)), new InstanceUsage("ui-web-1", 7.0, 60L << 20, earlier.plusSeconds(30))));
        sampler.sampleNow(earlier.plusSeconds(30));
    }

    @Test
    void anOperatorFiltersScalesComparesAndDeploysWithoutReloading() {
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
            assertThat(page.locator("#current-user")).hasText("admin");
            assertThat(page.locator("#current-role")).hasText("ADMIN");
            assertThat(page.locator("#engine-cards")).containsText("ui-alpha");
            assertThat(page.locator("#engine-cards")).containsText("ui-beta");
            assertThat(page.locator("#attention")).containsText("ui-cart");
            assertThat(page.locator("#history-title")).hasText("Running instances per engine, last 6 hours");
            assertThat(page.locator("#history-chart .uplot canvas")).isVisible();
            assertThat(page.locator("#history-chart .u-legend")).containsText("ui-alpha");
            assertThat(page.locator("#history-empty")).isHidden();
            Browser.screenshot(page, "dashboard");
            // the chart is redrawn in the dark theme's colours when the system switches
            page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.DARK));
            assertThat(page.locator("#history-chart .uplot canvas")).isVisible();
            Browser.screenshot(page, "dashboard-dark");
            page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.LIGHT));

            // one table across both engines, then filtered by engine through the form (kept in the URL)
            page.navigate(site + "/workloads?q=ui-");
            Locator rows = page.locator("#workloads tbody tr");
            assertThat(rows).hasCount(3);
            assertThat(page.locator("#workloads")).containsText("ui-alpha");
            assertThat(page.locator("#workloads")).containsText("ui-beta");
            Browser.screenshot(page, "workloads");
            page.getByLabel("Engine").selectOption("ui-beta");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply")).click();
            page.waitForURL(Pattern.compile(".*engine=ui-beta.*"));
            assertThat(rows).hasCount(1);
            assertThat(rows.first()).containsText("ui-api");
            page.navigate(site + "/workloads?q=ui-&sort=-name");
            assertThat(rows.first()).containsText("ui-web");

            // the detail page scales; the operation is followed to its end, and the open list
            // page (same session, another tab) shows the new count without a reload
            BrowserContext context = page.context();
            Page detail = context.newPage();
            detail.navigate(site + "/workloads?q=ui-web");
            detail.locator("#workloads a.name", new Page.LocatorOptions().setHasText("ui-web")).click();
            detail.waitForURL(Pattern.compile(".*/workloads/[0-9a-f-]{36}"));
            assertThat(detail.locator("h1")).containsText("ui-web");
            assertThat(detail.locator("#logs")).containsText("hello from shop/ui-web");
            assertThat(detail.locator("#native")).containsText("DB_PASSWORD");
            assertThat(detail.locator("#native")).not().containsText("hunter2");
            assertThat(detail.locator("#replica-chart .uplot canvas")).isVisible();
            assertThat(detail.locator("#replica-chart .u-legend")).containsText("desired");
            assertThat(detail.locator("#usage-chart .uplot canvas")).isVisible();
            assertThat(detail.locator("#usage-chart .u-legend")).containsText("memory");
            Browser.screenshot(detail, "workload");
            assertThat(page.locator("body")).hasAttribute("data-live", "on");
            Locator webRow = page.locator("#workloads tbody tr", new Page.LocatorOptions().setHasText("ui-web"));
            assertThat(webRow.locator(".replicas")).hasText("2/2");
            detail.getByLabel("Replicas").fill("3");
            detail.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Scale")).click();
            Locator operation = detail.locator("#operations .op").first();
            assertThat(operation).hasAttribute("data-state", "SUCCEEDED");
            assertThat(detail.locator("#replicas")).hasText("3/3 running");
            assertThat(webRow.locator(".replicas")).hasText("3/3");
            assertThat(page.url()).endsWith("/workloads?q=ui-&sort=-name");

            // compare two workloads from two engines: differing fields highlighted, "only differences"
            page.locator("#workloads tbody tr", new Page.LocatorOptions().setHasText("ui-web")).locator("input.select").check();
            page.locator("#workloads tbody tr", new Page.LocatorOptions().setHasText("ui-api")).locator("input.select").check();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Compare (2)")).click();
            page.waitForURL(Pattern.compile(".*/compare\\?ids=.*"));
            Locator image = page.locator("#compare-table tr[data-path='spec.image']");
            assertThat(image).hasClass("diff");
            assertThat(image).containsText("eclipse-temurin:17");
            Locator same = page.locator("#compare-table tr.same").first();
            assertThat(same).isVisible();
            Browser.screenshot(page, "compare");
            page.getByLabel("Only differences").check();
            assertThat(same).isHidden();
            assertThat(image).isVisible();

            // deploy from the form: a field error from the API first, then a deploy that succeeds
            page.navigate(site + "/deploy");
            // the import form offers the formats the server has, not a list written into the page
            assertThat(page.locator("#i-format option").all().stream()
                    .map(o -> new ManifestFormats.Choice(o.getAttribute("value"), o.textContent())).toList())
                    .isEqualTo(formats.choices())
                    .contains(new ManifestFormats.Choice("kubernetes", "Kubernetes YAML"));
            page.locator("#d-engine").selectOption("ui-alpha");
            page.getByLabel("Namespace").fill("shop");
            page.getByLabel("Replicas").fill("-1");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Deploy")).click();
            assertThat(page.locator("#deploy-error")).isVisible();
            assertThat(page.locator("#d-name")).hasAttribute("aria-invalid", "true");
            Browser.screenshot(page, "deploy-errors");
            page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("ui-deployed");
            page.getByLabel("Image").fill("nginx:1.27");
            page.getByLabel("Replicas").fill("2");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Deploy")).click();
            assertThat(page.locator("#operations .op").first()).hasAttribute("data-state", "SUCCEEDED");
            page.locator("#deployed-link").click();
            assertThat(page.locator("h1")).containsText("ui-deployed");
            assertThat(FakeEngine.named("ui-alpha").calls()).contains("deploy ui-deployed");

            page.navigate(site + "/operations");
            assertThat(page.locator("#journal table")).containsText("scale");
            Browser.screenshot(page, "operations");
        }
    }

    @Test
    void aPausedRolloutAndAFailingOneSayWhyOnTheDashboardAndBesideTheBadge() {
        FakeEngine beta = FakeEngine.named("ui-beta");
        beta.put(withStatus(FakeEngine.workload("shop", "held-rollout", "nginx:1.27", 2, Map.of()),
                PhaseRule.status(new PhaseRule.Facts(2, 2, 2, false, Rollout.PAUSED, 0, 2, false),
                        "update paused: update paused due to failure or early termination of task abc", null)));
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
            // a paused rollout goes nowhere until someone resumes it: it needs attention, with Swarm's words
            Locator held = page.locator("#attention tbody tr", new Page.LocatorOptions().setHasText("held-rollout"));
            assertThat(held.locator(".badge")).hasText("PAUSED");
            assertThat(held.locator(".badge")).hasClass(Pattern.compile(".*phase-PAUSED.*"));
            assertThat(held).containsText("update paused due to failure");

            held.locator("a").click();
            page.waitForURL(Pattern.compile(".*/workloads/[0-9a-f-]{36}"));
            assertThat(page.locator("#phase .badge")).hasText("PAUSED");
            assertThat(page.locator("#phase-reason")).containsText("update paused due to failure");
            Browser.screenshot(page, "workload-paused");

            // the reason beside the badge follows the engine without a reload
            Workload crashing = FakeEngine.workload("shop", "held-rollout", "nginx:1.27", 2, 1, Map.of());
            beta.put(withStatus(crashing, PhaseRule.status(new PhaseRule.Facts(2, 1, 1, false, Rollout.NONE, 1, 2, false),
                    "CrashLoopBackOff on 1 of 2 instances", null)));
            assertThat(page.locator("#phase .badge")).hasText("DEGRADED");
            assertThat(page.locator("#phase-reason")).hasText("CrashLoopBackOff on 1 of 2 instances");
        }
    }

    private static Workload withStatus(Workload w, WorkloadStatus status) {
        return new Workload(w.nativeId(), w.namespace(), w.name(), w.kind(), w.labels(), w.spec(), status,
                w.instances(), w.createdAt(), w.nativeObject());
    }

    @Test
    void anOperatorRestartsEditsAndDeletesFromTheDetailPage() {
        Api.Response deployed = api().post("/api/v1/workloads", Map.of("engine", "ui-alpha", "namespace", "shop",
                "name", "ui-doomed", "spec", Map.of("image", "busybox", "replicas", 1)));
        assertThat(deployed.status()).isEqualTo(202);
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
            page.navigate(site + "/workloads?q=ui-doomed");
            page.locator("#workloads a.name").first().click();
            page.waitForURL(Pattern.compile(".*/workloads/[0-9a-f-]{36}"));
            Locator newest = page.locator("#operations .op").first();

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Restart")).click();
            assertThat(newest).hasAttribute("data-state", "SUCCEEDED");
            assertThat(newest).containsText("restart");
            assertThat(FakeEngine.named("ui-alpha").calls()).contains("restart shop/ui-doomed");

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Edit spec")).click();
            Locator spec = page.getByLabel("Spec (JSON, as in the API)");
            spec.fill(spec.inputValue().replace("\"busybox\"", "\"busybox:1.36\""));
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save spec")).click();
            assertThat(newest).containsText("update");
            assertThat(newest).hasAttribute("data-state", "SUCCEEDED");
            assertThat(page.locator("#spec-image")).hasText("busybox:1.36");

            Locator delete = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete"));
            assertThat(delete).isDisabled();
            page.getByLabel("Type ui-doomed to delete").fill("ui-doome");
            assertThat(delete).isDisabled();
            page.getByLabel("Type ui-doomed to delete").fill("ui-doomed");
            delete.click();
            assertThat(newest).containsText("delete");
            assertThat(newest).hasAttribute("data-state", "SUCCEEDED");
            assertThat(page.locator("#phase")).hasText("DELETED");
        }
        assertThat(FakeEngine.named("ui-alpha").calls()).contains("delete shop/ui-doomed");
    }

    @Test
    void theWorkloadsTableGoesBackPageByPageAndFiltersBySeveralLabels() {
        FakeEngine many = FakeEngine.named("ui-many");
        for (int i = 0; i < 105; i++) {
            many.putQuietly(FakeEngine.workload("pages", String.format("pg-%03d", i), "nginx:1.27", 1,
                    Map.of("tier", i % 2 == 0 ? "front" : "back", "team", i % 3 == 0 ? "red" : "blue")));
        }
        Engines.awaitStatus(api(), Engines.register(api(), "ui-many", Map.of()), "UP");
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
            page.navigate(site + "/workloads?engine=ui-many");
            Locator rows = page.locator("#workloads tbody tr");
            Locator previous = page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Previous page"));
            Locator next = page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Next page"));
            assertThat(rows).hasCount(50);
            assertThat(previous).hasCount(0);

            next.click();
            assertThat(rows.first()).containsText("pg-050");
            next.click();
            assertThat(rows).hasCount(5);
            assertThat(rows.first()).containsText("pg-100");
            assertThat(next).hasCount(0);
            Browser.screenshot(page, "workloads-last-page");
            previous.click();
            assertThat(rows.first()).containsText("pg-050");
            assertThat(rows).hasCount(50);
            previous.click();
            assertThat(rows.first()).containsText("pg-000");
            assertThat(previous).hasCount(0);
            assertThat(page.url()).doesNotContain("cursor=");

            Locator total = page.locator("#total");
            Locator addLabel = page.getByLabel("Add label (k=v)");
            Locator apply = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply"));
            addLabel.fill("tier=front");
            apply.click();
            assertThat(total).hasText(Pattern.compile("^53 across.*"));
            addLabel.fill("team=red");
            apply.click();
            assertThat(total).hasText(Pattern.compile("^18 across.*"));
            assertThat(page.locator("#label-filters li")).hasCount(2);
            assertThat(page.url()).contains("label=tier%3Dfront").contains("label=team%3Dred");
            Browser.screenshot(page, "workloads-labels");
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Remove label filter tier=front")).click();
            assertThat(total).hasText(Pattern.compile("^35 across.*"));
            assertThat(page.locator("#label-filters li")).hasCount(1);
            assertThat(page.locator("#label-filters")).containsText("team=red");
        }
    }

    @Test
    void anAdminTestsAnEngineBeforeSavingItAndManagesUsersAndTokens() {
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);

            page.navigate(site + "/engines");
            assertThat(page.locator("#engines-table")).containsText("ui-alpha");
            Locator save = page.locator("#engine-save");
            page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("ui-gamma");
            page.getByLabel("Kind").selectOption("test");
            page.getByLabel("Endpoint").fill("not-a-test-endpoint");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Test connection")).click();
            assertThat(page.locator("#e-endpoint")).hasAttribute("aria-invalid", "true");
            assertThat(save).isDisabled();
            FakeEngine.named("ui-gamma").mode(FakeEngine.Mode.FAIL);
            page.getByLabel("Endpoint").fill("test://ui-gamma");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Test connection")).click();
            assertThat(page.locator("#engine-test-result")).containsText("connection refused");
            assertThat(save).isDisabled();
            FakeEngine.named("ui-gamma").mode(FakeEngine.Mode.OK);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Test connection")).click();
            assertThat(page.locator("#engine-test-result")).containsText("Connected");
            Browser.screenshot(page, "engines");
            save.click();
            assertThat(page.locator("#engines-table tr[data-engine='ui-gamma']")).isVisible();

            page.navigate(site + "/nodes");
            assertThat(page.locator("section[data-engine='ui-alpha']")).containsText("node-1");
            Browser.screenshot(page, "nodes");

            page.navigate(site + "/events?type=Warning");
            assertThat(page.locator("#ev-type")).hasValue("Warning");
            assertThat(page.locator("#timeline")).not().containsText("Loading");
            Browser.screenshot(page, "events");

            page.navigate(site + "/users");
            page.getByLabel("Username").fill("ui-operator");
            page.getByLabel("Password", new Page.GetByLabelOptions().setExact(true)).fill("short");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add user")).click();
            assertThat(page.locator("#u-password")).hasAttribute("aria-invalid", "true");
            page.getByLabel("Password", new Page.GetByLabelOptions().setExact(true)).fill("operator-password-123");
            page.locator("#u-role").selectOption("OPERATOR");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add user")).click();
            assertThat(page.locator("#users-table tr[data-user='ui-operator']")).isVisible();
            Browser.screenshot(page, "users");

            page.navigate(site + "/tokens");
            page.getByLabel("Name").fill("ui-token");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
            assertThat(page.locator("#token-value")).not().isEmpty();
            assertThat(page.locator("#tokens-table")).containsText("ui-token");
            Browser.screenshot(page, "tokens");
        }
        assertThat(api().get("/api/v1/engines/ui-gamma").status()).isEqualTo(200);
    }

    @Test
    void aViewerSeesNoActionsAndAForgedActionIsRefused() {
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, VIEWER, VIEWER_PASSWORD);
            assertThat(page.locator("#current-role")).hasText("VIEWER");
            assertThat(page.locator("nav")).not().containsText("Deploy");
            page.navigate(site + "/workloads?q=ui-api");
            page.locator("#workloads a.name").first().click();
            page.waitForURL(Pattern.compile(".*/workloads/[0-9a-f-]{36}"));
            assertThat(page.locator("h1")).containsText("ui-api");
            assertThat(page.locator("#replica-chart .uplot canvas")).isVisible();
            assertThat(page.locator("#usage-empty")).hasText("No history yet: samples are taken every 30 s");
            assertThat(page.locator("#usage-chart")).isHidden();
            assertThat(page.locator("button", new Page.LocatorOptions().setHasText(Pattern.compile("Scale|Restart|Delete|Edit spec"))))
                    .hasCount(0);
            Browser.screenshot(page, "workload-viewer");

            String id = page.url().substring(page.url().lastIndexOf('/') + 1);
            Object status = page.evaluate("fetch('/api/v1/workloads/" + id + "/scale', {method: 'POST', headers: {"
                    + "'Content-Type': 'application/json', [document.querySelector('meta[name=csrf-header]').content]:"
                    + " document.querySelector('meta[name=csrf-token]').content}, body: JSON.stringify({replicas: 5})})"
                    + ".then(r => r.status)");
            assertThat(status).as("a viewer's forged scale, with a valid session and CSRF token").isEqualTo(403);
            assertThat(FakeEngine.named("ui-beta").calls()).noneMatch(c -> c.startsWith("scale"));

            assertThat(page.navigate(site + "/deploy").status()).isEqualTo(403);
            assertThat(page.locator("h1")).hasText("Not allowed");
            assertThat(page.navigate(site + "/workloads/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
            assertThat(page.locator(".alert")).containsText("404");
            Browser.screenshot(page, "not-found");
        }
    }
}
