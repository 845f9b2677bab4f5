package io.gantry.support;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.gantry.spi.RequiredEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real headless Chromium (Debian's {@code /usr/bin/chromium}) driven by Playwright. Playwright
 * never downloads a browser here ({@code PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD}); without Chromium the
 * test fails in CI and is skipped elsewhere ({@link RequiredEngine}). Each {@link #newPage()} has a
 * cookie jar of its own, so two users can be signed in at once.
 */
public final class Browser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Where every page's screenshot goes (issue 7). */
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser chromium;

    private Browser(Playwright playwright, com.microsoft.playwright.Browser chromium) {
        this.playwright = playwright;
        this.chromium = chromium;
    }

    public static Browser start() {
        RequiredEngine.require(Files.isExecutable(CHROMIUM), "Chromium at " + CHROMIUM + " (apt-get install chromium)");
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            return new Browser(playwright, playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(CHROMIUM).setHeadless(true)
                    .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking"))));
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /** A fresh page in a fresh context (own cookies), 1280 px wide as the issue asks to stay readable at. */
    public Page newPage() {
        BrowserContext context = chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(1280, 900));
        context.setDefaultTimeout(20_000);
        // a script error in a page is the first thing to know when a browser test fails
        context.onWebError(error -> System.out.println("browser page error: " + error.error()));
        context.onConsoleMessage(message -> {
            if ("error".equals(message.type())) {
                System.out.println("browser console error at " + message.location() + ": " + message.text());
            }
        });
        return context.newPage();
    }

    /** Signs in through the login form and waits for the dashboard. */
    public static void signIn(Page page, String base, String username, String password) {
        page.navigate(base + "/login");
        page.getByLabel("Username").fill(username);
        page.getByLabel("Password").fill(password);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        page.waitForURL(url -> !url.contains("/login"));
    }

    public static void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Override
    public void close() {
        chromium.close();
        playwright.close();
    }
}
