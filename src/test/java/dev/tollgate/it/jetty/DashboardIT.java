package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromedriver; never a
 * downloaded browser), logged in with the realm's BASIC credentials: its figures against
 * {@code /_qs/metrics} for the same query, its charts, its live updates, and who may see what.
 * Screenshots of each page land in target/screenshots (the ones in docs/ come from there).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<String> KPIS = List.of("requests", "tokens", "cost_usd", "success_rate", "avg_latency_ms",
            "p95_latency_ms", "avg_ttft_ms");
    private WebDriver browser;

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(DashboardIT.class, "50ms");
    }

    @BeforeEach
    void browser() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** A page of the dashboard, logged in as {@code credentials} ("user:password"). */
    private void open(String credentials, String page) {
        URI base = URI.create(TestRig.base());
        browser.get(base.getScheme() + "://" + credentials + "@" + base.getAuthority() + base.getPath() + "_qs/metrics/ui" + page);
    }

    private WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // pages reload after admin actions
        return wait;
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private void screenshot(String name) throws IOException {
        Path dir = Path.of("target/screenshots");
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void proxied(String key, String model, boolean stream) {
        assertEquals(200, TestRig.post("v1/chat/completions", key, chat(model, stream, stream ? true : null, "hello")).statusCode());
    }

    private Map<String, String> shownFigures() {
        waitUpTo(20).until(d -> "true".equals(d.findElement(By.id("kpis")).getDomAttribute("data-loaded")));
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (String k : KPIS) {
            out.put(k, browser.findElement(By.id("kpi-" + k)).getDomAttribute("data-value"));
        }
        out.put("query", browser.findElement(By.id("kpis")).getDomAttribute("data-query"));
        return out;
    }

    private void assertFiguresEqualTheApi() {
        Map<String, String> shown = shownFigures();
        JsonObject totals = json(TestRig.operator("_qs/metrics?" + shown.get("query"), TestRig.VIEWER).body())
                .getJsonObject("totals");
        for (String k : KPIS) {
            assertEquals(0, totals.getJsonNumber(k).bigDecimalValue().compareTo(new BigDecimal(shown.get(k))),
                    k + ": page " + shown.get(k) + ", /_qs/metrics " + totals.get(k));
        }
    }

    @Test
    void theOverviewShowsWhatMetricsSaysDrawsEveryChartAndUpdatesLive() throws Exception {
        String key = TestRig.newKey();
        for (int i = 0; i < 3; i++) {
            proxied(key, "fake-gpt", false);
        }
        proxied(key, "fake-gpt", true);
        proxied(key, "dash-model", false);
        TestRig.awaitRecords(key, 5);

        open(TestRig.VIEWER, "");
        assertFiguresEqualTheApi();
        long requests = Long.parseLong(shownFigures().get("requests"));
        assertTrue(requests >= 5, "the five requests are in the last 24 hours: " + requests);
        for (String chart : List.of("chart-tokens", "chart-models", "chart-providers")) {
            Number points = (Number) js("const c = Chart.getChart(arguments[0]); "
                    + "return c ? c.data.datasets[0].data.filter(v => v > 0).length : -1;", chart);
            assertTrue(points.intValue() > 0, chart + " has data: " + points);
        }
        Number providerRequests = (Number) js("return Chart.getChart('chart-providers').data.datasets[0].data.reduce((a, b) => a + b, 0);");
        assertEquals(requests, providerRequests.longValue(), "the bar chart counts every request");
        assertFalse(browser.findElement(By.id("empty-state")).isDisplayed());
        screenshot("overview");

        // live: a request made now shows without a reload
        js("window.tollgateMarker = 'still the same page';");
        waitUpTo(10).until(d -> d.findElement(By.id("live-status")).getText().equals("live"));
        proxied(key, "fake-gpt", false);
        waitUpTo(10).until(d -> Long.parseLong(d.findElement(By.id("kpi-requests")).getDomAttribute("data-value")) == requests + 1);
        assertEquals("still the same page", js("return window.tollgateMarker;"));
        assertFiguresEqualTheApi();

        // the model filter drives every figure
        open(TestRig.VIEWER, "?range=24h&model=dash-model");
        assertFiguresEqualTheApi();
        assertTrue(shownFigures().get("query").contains("model=dash-model"));
    }

    @Test
    void theRequestsPageListsTheLatestAndAddsNewOnesLive() throws Exception {
        String key = TestRig.newKey();
        proxied(key, "fake-gpt", false);
        TestRig.awaitRecords(key, 1);
        open(TestRig.VIEWER, "/requests");
        List<WebElement> rows = browser.findElements(By.cssSelector("#requests tbody tr"));
        assertFalse(rows.isEmpty());
        assertTrue(rows.get(0).getText().contains(TestRig.masked(key)), rows.get(0).getText());
        waitUpTo(10).until(d -> d.findElement(By.id("live-status")).getText().equals("live"));
        String other = TestRig.newKey();
        proxied(other, "fake-gpt", true);
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("#requests tbody tr")).getText().contains(TestRig.masked(other)));
        String first = browser.findElement(By.cssSelector("#requests tbody tr")).getText();
        assertTrue(first.contains("fake-gpt") && first.contains("yes"), "model and stream: " + first);
        screenshot("requests");

        open(TestRig.VIEWER, "/requests?key=" + TestRig.masked(key).replace("*", "%2A"));
        List<WebElement> mine = browser.findElements(By.cssSelector("#requests tbody tr"));
        assertEquals(1, mine.size(), "filtered by key");
        open(TestRig.VIEWER, "/providers");
        assertTrue(browser.findElement(By.id("providers")).getText().contains("ok"));
        assertFalse(browser.getPageSource().contains("sk-upstream-secret"), "no secret on the page: " + browser.getPageSource());
        screenshot("providers");
    }

    @Test
    void anAdminManagesKeysThroughThePageAndAViewerCannotReachIt() throws Exception {
        assertEquals(401, TestRig.operator("_qs/metrics/ui", null).statusCode(), "no credentials, no page");
        assertEquals(403, TestRig.operator("_qs/metrics/ui/keys", TestRig.VIEWER).statusCode());
        open(TestRig.VIEWER, "");
        assertTrue(browser.findElements(By.linkText("Keys & users")).isEmpty(), "viewers get no admin link");

        close();
        browser();
        open(TestRig.ADMIN, "/keys");
        browser.findElement(By.cssSelector("#create-user input[name=id]")).sendKeys("dash-user");
        browser.findElement(By.cssSelector("#create-user input[name=name]")).sendKeys("Dash <b>User</b>");
        browser.findElement(By.cssSelector("#create-user button")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("users")).getText().contains("dash-user"));
        assertTrue(browser.findElement(By.id("users")).getText().contains("Dash <b>User</b>"), "a name is text, not markup");
        browser.findElement(By.cssSelector("#issue-key button")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("action-result")).getText().contains("sk-proxy-"));
        String issued = browser.findElement(By.cssSelector("#action-result code")).getText();
        assertTrue(browser.findElement(By.id("keys")).getText().contains("***" + issued.substring(issued.length() - 3)),
                "the new key is listed, masked");
        screenshot("keys");
        assertEquals(200, TestRig.post("v1/chat/completions", issued, chat("fake-gpt", false, null, "hi")).statusCode(),
                "the key issued on the page works");

        // limits set through the page land in the admin API
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.cssSelector("#set-limits select[name=subject]")))
                .selectByValue("users/dash-user");
        browser.findElement(By.cssSelector("#set-limits input[name=requests_per_minute]")).sendKeys("7");
        browser.findElement(By.cssSelector("#set-limits button")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("action-result")).getText().contains("Limits saved"));
        assertEquals(7, json(TestRig.admin("GET", "admin/users/dash-user/limits", null).body())
                .getJsonObject("limits").getInt("requests_per_minute"));

        // and a key revoked there is refused from the next request
        browser.navigate().refresh();
        String keyId = browser.findElement(By.cssSelector("button[data-revoke]")).getDomAttribute("data-revoke");
        browser.findElement(By.cssSelector("button[data-revoke='" + keyId + "']")).click();
        browser.switchTo().alert().accept();
        waitUpTo(10).until(d -> d.findElement(By.id("keys")).getText().contains("revoked"));
        assertEquals("revoked", json(TestRig.admin("GET", "admin/keys/" + keyId, null).body()).getString("state"));

        // the same page on a phone
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        open(TestRig.ADMIN, "");
        shownFigures();
        screenshot("overview-phone");
    }
}
