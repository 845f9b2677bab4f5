package io.gantry.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.gantry.agent.adapter.AgentProcess;
import io.gantry.support.Browser;
import io.gantry.support.ConsoleTarget;
import io.gantry.support.FakeEngine;
import io.gantry.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console in a real Chromium: from an instance's Console button to a terminal whose keystrokes reach the command
 * and whose output is read back from the screen; copy and paste, the exit code shown when the command ends, and
 * Reconnect opening a new session. Then what needs the fake engine's hands: the terminal following the window's size
 * (the fake engine records the sizes it is told), and a refused console explained. A VIEWER sees why there is no
 * console for them.
 */
class ConsoleBrowserIT extends IntegrationTest {
    /** A real node agent for the main scenario: its raw task's shell runs on a real pty. */
    private static AgentProcess agent;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = new AgentProcess(Files.createTempDirectory(Path.of("target"), "console-browser-").resolve("agent")).start();
    }

    @AfterAll
    static void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
    }

    /** Where the main scenario's console opens: the one place that picks its engine (see {@link ConsoleTarget}). */
    private ConsoleTarget target() {
        return ConsoleTarget.onAgent(api(), "ui-console-agent", agent);
    }

    @Test
    void anAdminRunsACommandCopiesPastesSeesItsExitCodeAndReconnects() {
        ConsoleTarget target = target();
        try (Browser browser = Browser.start()) {
            Page page = openConsole(browser, target);
            Locator status = page.locator("#console-status");
            Locator screen = page.locator("#terminal .xterm-rows");

            page.locator("#terminal").click();
            // computed by the shell, so that the output cannot be the echo of what was typed
            page.keyboard().type("echo console-$((6*7))");
            page.keyboard().press("Enter");
            assertThat(screen).containsText("console-42");
            Browser.screenshot(page, "console");

            // copy: a selection, then Ctrl+Shift+C, lands on the clipboard
            page.context().grantPermissions(List.of("clipboard-read", "clipboard-write"));
            // xterm's screen layer takes the mouse above its rows: the double click goes there, at the word
            screen.getByText("console-42").dblclick(new Locator.DblclickOptions().setForce(true));
            page.keyboard().press("Control+Shift+C");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    String.valueOf(page.evaluate("() => navigator.clipboard.readText()")).contains("console"));
            // paste: the browser's paste (Ctrl+Shift+V) reaches the shell; bash asks for bracketed paste, so a pasted
            // line waits for the user's Enter instead of running at once (what keeps a pasted script from running)
            page.evaluate("() => navigator.clipboard.writeText('echo pasted-$((3*3))')");
            page.locator("#terminal").click();
            page.keyboard().press("Control+Shift+V");
            assertThat(screen).containsText("echo pasted-$((3*3))");
            page.keyboard().press("Enter");
            assertThat(screen).containsText("pasted-9");

            page.keyboard().type("exit 3");
            page.keyboard().press("Enter");
            assertThat(status).hasAttribute("data-state", "exited");
            assertThat(status).hasText("Exited with code 3");
            assertThat(page.locator("#console-exit")).hasText("exit 3");
            assertThat(screen).containsText("[process exited with code 3]");

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Reconnect")).click();
            assertThat(status).hasAttribute("data-state", "connected");
            assertThat(page.locator("#console-exit")).isHidden();
            assertThat(screen).not().containsText("console-42");
            page.locator("#terminal").click();
            page.keyboard().type("echo again-$((2+3)); exit 0");
            page.keyboard().press("Enter");
            assertThat(screen).containsText("again-5");
            assertThat(status).hasText("Exited with code 0");
        }
    }

    @Test
    void theTerminalFollowsTheWindowAndARefusalSaysWhy() {
        ConsoleTarget target = ConsoleTarget.onFakeEngine(api(), "ui-console-fake");
        FakeEngine fake = FakeEngine.named(target.engine());
        try (Browser browser = Browser.start()) {
            Page page = openConsole(browser, target);
            Locator status = page.locator("#console-status");

            // the terminal follows the window, and the command hears the new size
            List<String> sizes = fake.resizes();
            String before = sizes.get(sizes.size() - 1);
            page.setViewportSize(900, 600);
            await().atMost(Duration.ofSeconds(10)).until(() -> !sizes.get(sizes.size() - 1).equals(before));

            // a refused upgrade shows the browser no status: the page finds out why from the API
            fake.put(FakeEngine.workload("team", "web", "shell:1", 1, 0, Map.of()));
            await().atMost(Duration.ofSeconds(10)).until(() -> api().get("/api/v1/workloads/" + target.workloadId())
                    .json().get("instances").isEmpty());
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Reconnect")).click();
            assertThat(status).hasAttribute("data-state", "error");
            assertThat(status).hasText("Could not open the console: instance " + target.instance() + " does not exist (any more)");
        }
        assertThat(fake.calls()).filteredOn(c -> c.startsWith("exec")).hasSize(1);
    }

    @Test
    void aViewerSeesWhyThereIsNoConsole() {
        ConsoleTarget target = ConsoleTarget.onFakeEngine(api(), "ui-console-viewer");
        userToken("console-viewer", "VIEWER");
        String site = "http://localhost:" + port;
        try (Browser browser = Browser.start()) {
            Page page = browser.newPage();
            Browser.signIn(page, site, "console-viewer", "password-of-console-viewer");
            page.navigate(site + target.workloadPage());
            Locator button = page.locator("#instances tr[data-instance='" + target.instance() + "'] button.console");
            assertThat(button).isDisabled();
            assertThat(button.locator("xpath=..")).hasAttribute("title", "A console takes the OPERATOR role");
            assertThat(page.context().request().get(site + "/workloads/" + target.workloadId() + "/console?instance="
                    + target.instance()).status()).isEqualTo(403);
        }
    }

    /** Signs in as the admin and opens the console from the instance's Console button on the workload page. */
    private Page openConsole(Browser browser, ConsoleTarget target) {
        String site = "http://localhost:" + port;
        Page page = browser.newPage();
        Browser.signIn(page, site, "admin", ADMIN_PASSWORD);
        page.navigate(site + target.workloadPage());
        page.locator("#instances tr[data-instance='" + target.instance() + "'] a.console").click();
        page.waitForURL(Pattern.compile(".*/workloads/" + target.workloadId() + "/console\\?instance=" + target.instance()));
        assertThat(page.locator("#console-status")).hasAttribute("data-state", "connected");
        return page;
    }
}
