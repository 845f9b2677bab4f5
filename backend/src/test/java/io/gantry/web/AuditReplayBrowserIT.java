package io.gantry.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.gantry.support.Api;
import io.gantry.support.Browser;
import io.gantry.support.ConsoleClient;
import io.gantry.support.ConsoleTarget;
import io.gantry.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The audit page in a real Chromium, with consoles recorded: an ADMIN finds a console session in the table and
 * replays it in a terminal at its recorded pace (a pause in the session is a pause in the replay), pauses and plays
 * it again. An OPERATOR has neither the page nor its link.
 */
class AuditReplayBrowserIT extends IntegrationTest {
    /** The recorded session waits this long between its two lines, long enough to see the replay wait too. */
    private static final int GAP_SECONDS = 3;

    @DynamicPropertySource
    static void record(DynamicPropertyRegistry registry) {
        registry.add("gantry.exec.record", () -> "true");
        registry.add("gantry.exec.recording-dir", () -> "target/it-recordings");
    }

    /** Where the recorded sessions run: the one place that picks their engine (see {@link ConsoleTarget}). */
    private ConsoleTarget target() {
        return ConsoleTarget.onFakeEngine(api(), "ui-audit");
    }

    @Test
    void anAdminReplaysARecordedConsoleAtItsPace() {
        ConsoleTarget target = target();
        // an older session, a command: on the second page of one session each
        Api.Response run = api().post(target.execPath(), Map.of("command", List.of("true")));
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        try (ConsoleClient console = ConsoleClient.open(port, target.execPath() + "?command=sh", ADMIN_TOKEN)) {
            console.type("echo first-$((1+1)); sleep " + GAP_SECONDS + "; echo second-$((6*7)); exit 5\n");
            assertThat(console.awaitExit()).isEqualTo(5);
        }
        JsonNode session = await().atMost(Duration.ofSeconds(10)).until(() -> api().get("/api/v1/audit/sessions").json()
                .get("items").get(0), s -> !s.get("endedAt").isNull());
        String id = session.get("id").asString();
        assertThat(session.get("recorded").asBoolean()).isTrue();

        String site = "http://localhost:" + port;
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
            page.locator("header.top nav").getByText("Audit").click();
            page.waitForURL(site + "/audit");
            Locator row = page.locator("#sessions tr[data-session='" + id + "']");
            assertThat(row).containsText("admin");
            assertThat(row).containsText("web-0");
            assertThat(row.locator(".exit")).hasText("5");
            assertThat(row).containsText("exited");
            assertThat(page.locator("#sessions tbody tr")).hasCount(2);

            // a page at a time: the older session comes with the next page
            page.navigate(site + "/audit?limit=1");
            Locator rows = page.locator("#sessions tbody tr");
            assertThat(rows).hasCount(1);
            assertThat(rows.first()).hasAttribute("data-session", id);
            page.locator("#sessions-more").click();
            assertThat(rows).hasCount(2);
            assertThat(rows.nth(1)).containsText("run");
            assertThat(rows.nth(1).locator("button.replay")).hasCount(0);
            assertThat(page.locator("#sessions-more")).isHidden();

            row.locator("button.replay").click();
            Locator screen = page.locator("#replay-terminal .xterm-rows");
            Locator state = page.locator("#replay-state");
            assertThat(screen).containsText("first-2");
            // the session waited before its second line: so does the replay
            assertThat(screen).not().containsText("second-42");
            assertThat(state).hasAttribute("data-state", "playing");
            Browser.screenshot(page, "audit-replay");
            assertThat(screen).containsText("second-42");
            assertThat(state).hasAttribute("data-state", "ended");

            // from the start, paused: nothing more comes until Play
            page.locator("#replay-restart").click();
            assertThat(state).hasAttribute("data-state", "paused");
            assertThat(screen).not().containsText("first-2");
            page.locator("#replay-play").click();
            assertThat(screen).containsText("first-2");
            page.locator("#replay-play").click();
            assertThat(state).hasAttribute("data-state", "paused");
            page.waitForTimeout(GAP_SECONDS * 1000 + 500);
            assertThat(screen).not().containsText("second-42");
            // faster: the rest of the gap at 8× takes well under the gap
            page.locator("#replay-speed").selectOption("8");
            page.locator("#replay-play").click();
            assertThat(screen).containsText("second-42",
                    new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(GAP_SECONDS * 1000 / 2.0));
            assertThat(state).hasAttribute("data-state", "ended");

            String operator = "audit-operator";
            userToken(operator, "OPERATOR");
            Page other = browser.newPage();
            Browser.signIn(other, site, operator, "password-of-" + operator);
            assertThat(other.locator("header.top nav")).not().containsText("Audit");
            assertThat(other.navigate(site + "/audit").status()).isEqualTo(403);
        }
        assertThat(new Api(port).get("/api/v1/audit/sessions/" + id + "/recording").body()).contains("second-42");
    }
}
