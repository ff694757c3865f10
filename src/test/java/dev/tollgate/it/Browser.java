package dev.tollgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium for the dashboard tests: Debian's chromium driven through Debian's
 * chromedriver (Selenium is given both paths, so it downloads nothing), logged in to the
 * dashboard with the realm's BASIC credentials in the URL.
 */
public final class Browser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The overview's figures, by their names in /_qs/metrics' totals. */
    public static final List<String> KPIS = List.of("requests", "tokens", "cost_usd", "success_rate", "avg_latency_ms",
            "p95_latency_ms", "avg_ttft_ms");

    private final WebDriver driver;

    /** Whether this machine has Chromium and its driver (apt-get install chromium chromium-driver; .ci/run does). */
    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public Browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,1100");
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
    }

    public WebDriver driver() {
        return driver;
    }

    /** A dashboard page ({@code ""}, {@code "/requests"}…) of the gateway at TestRig's base, as {@code user:password}. */
    public void open(String credentials, String page) {
        URI base = URI.create(TestRig.base());
        driver.get(base.getScheme() + "://" + credentials + "@" + base.getAuthority() + base.getPath() + "_qs/metrics/ui" + page);
    }

    public WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
        // pages reload after admin actions: an element read mid-reload is stale or "not in the document"
        wait.ignoring(StaleElementReferenceException.class).ignoring(WebDriverException.class);
        return wait;
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The overview's figures once its script has loaded them, and the query it asked /_qs/metrics. */
    public Map<String, String> shownFigures() {
        waitUpTo(20).until(d -> "true".equals(d.findElement(By.id("kpis")).getDomAttribute("data-loaded")));
        Map<String, String> out = new HashMap<>();
        for (String k : KPIS) {
            out.put(k, driver.findElement(By.id("kpi-" + k)).getDomAttribute("data-value"));
        }
        out.put("query", driver.findElement(By.id("kpis")).getDomAttribute("data-query"));
        return out;
    }

    /** Every figure on the overview equals /_qs/metrics' answer to the same query. */
    public void assertFiguresEqualTheApi() {
        Map<String, String> shown = shownFigures();
        JsonObject totals = TestRig.json(TestRig.operator("_qs/metrics?" + shown.get("query"), TestRig.VIEWER).body())
                .getJsonObject("totals");
        for (String k : KPIS) {
            assertEquals(0, totals.getJsonNumber(k).bigDecimalValue().compareTo(new BigDecimal(shown.get(k))),
                    k + ": page " + shown.get(k) + ", /_qs/metrics " + totals.get(k));
        }
    }

    /** Waits until the page says its live feed is connected. */
    public void awaitLive() {
        waitUpTo(15).until(d -> d.findElement(By.id("live-status")).getText().equals("live"));
    }

    public void screenshot(String name) throws IOException {
        Path dir = Path.of("target/screenshots");
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
