package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.Browser;
import dev.tollgate.it.TestRig;
import jakarta.json.Json;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromedriver; never a
 * downloaded browser), logged in with the realm's BASIC credentials: its figures against
 * {@code /_qs/metrics} for the same query, its charts, its live updates, and who may see what.
 * Screenshots of each page land in target/screenshots (the ones in docs/ come from there).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DashboardIT {
    private Browser browser;

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(DashboardIT.class, "50ms");
    }

    @BeforeEach
    void browser() {
        Assumptions.assumeTrue(Browser.installed(),
                "Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does)");
        browser = new Browser();
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.close();
        }
    }

    private static void proxied(String key, String model, boolean stream) {
        assertEquals(200, TestRig.post("v1/chat/completions", key, chat(model, stream, stream ? true : null, "hello")).statusCode());
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

        browser.open(TestRig.VIEWER, "");
        browser.assertFiguresEqualTheApi();
        long requests = Long.parseLong(browser.shownFigures().get("requests"));
        assertTrue(requests >= 5, "the five requests are in the last 24 hours: " + requests);
        for (String chart : List.of("chart-tokens", "chart-models", "chart-providers")) {
            Number points = (Number) browser.js("const c = Chart.getChart(arguments[0]); "
                    + "return c ? c.data.datasets[0].data.filter(v => v > 0).length : -1;", chart);
            assertTrue(points.intValue() > 0, chart + " has data: " + points);
        }
        Number providerRequests = (Number) browser.js("return Chart.getChart('chart-providers').data.datasets[0].data.reduce((a, b) => a + b, 0);");
        assertEquals(requests, providerRequests.longValue(), "the bar chart counts every request");
        assertFalse(browser.driver().findElement(By.id("empty-state")).isDisplayed());
        browser.screenshot("overview");

        // live: a request made now shows without a reload
        browser.js("window.tollgateMarker = 'still the same page';");
        browser.awaitLive();
        proxied(key, "fake-gpt", false);
        browser.waitUpTo(10).until(d -> Long.parseLong(d.findElement(By.id("kpi-requests")).getDomAttribute("data-value")) == requests + 1);
        assertEquals("still the same page", browser.js("return window.tollgateMarker;"));
        browser.assertFiguresEqualTheApi();

        // the model filter drives every figure
        browser.open(TestRig.VIEWER, "?range=24h&model=dash-model");
        browser.assertFiguresEqualTheApi();
        assertTrue(browser.shownFigures().get("query").contains("model=dash-model"));
        // dash-model has no price: its calls cost n/a, not $0, and the card says how many were not counted
        assertEquals("n/a", browser.driver().findElement(By.id("kpi-cost_usd")).getText());
        assertTrue(browser.driver().findElement(By.id("kpi-cost-note")).getText().contains("without a price"));
    }

    @Test
    void theRequestsPageListsTheLatestAndAddsNewOnesLive() throws Exception {
        String key = TestRig.newKey();
        proxied(key, "fake-gpt", false);
        TestRig.awaitRecords(key, 1);
        browser.open(TestRig.VIEWER, "/requests");
        List<WebElement> rows = browser.driver().findElements(By.cssSelector("#requests tbody tr"));
        assertFalse(rows.isEmpty());
        assertTrue(rows.get(0).getText().contains(TestRig.masked(key)), rows.get(0).getText());
        browser.awaitLive();
        String other = TestRig.newKey();
        proxied(other, "fake-gpt", true);
        browser.waitUpTo(10).until(d -> d.findElement(By.cssSelector("#requests tbody tr")).getText().contains(TestRig.masked(other)));
        String first = browser.driver().findElement(By.cssSelector("#requests tbody tr")).getText();
        assertTrue(first.contains("fake-gpt") && first.contains("yes"), "model and stream: " + first);
        browser.screenshot("requests");

        browser.open(TestRig.VIEWER, "/requests?key=" + TestRig.masked(key).replace("*", "%2A"));
        List<WebElement> mine = browser.driver().findElements(By.cssSelector("#requests tbody tr"));
        assertEquals(1, mine.size(), "filtered by key");
        browser.open(TestRig.VIEWER, "/providers");
        assertTrue(browser.driver().findElement(By.id("providers")).getText().contains("ok"));
        assertFalse(browser.driver().getPageSource().contains("sk-upstream-secret"), "no secret on the page: " + browser.driver().getPageSource());
        browser.screenshot("providers");
    }

    @Test
    void anAdminManagesKeysThroughThePageAndAViewerCannotReachIt() throws Exception {
        assertEquals(401, TestRig.operator("_qs/metrics/ui", null).statusCode(), "no credentials, no page");
        assertEquals(403, TestRig.operator("_qs/metrics/ui/keys", TestRig.VIEWER).statusCode());
        assertEquals(200, TestRig.operator("_qs/metrics/ui/requests?page=abc", TestRig.VIEWER).statusCode(), "a bad page is page 1");
        assertEquals(400, TestRig.operator("_qs/metrics/ui/requests?status=teapot", TestRig.VIEWER).statusCode());
        browser.open(TestRig.VIEWER, "");
        assertTrue(browser.driver().findElements(By.linkText("Keys & users")).isEmpty(), "viewers get no admin link");

        close();
        browser();
        browser.open(TestRig.ADMIN, "/keys");
        browser.driver().findElement(By.cssSelector("#create-user input[name=id]")).sendKeys("dash-user");
        browser.driver().findElement(By.cssSelector("#create-user input[name=name]")).sendKeys("Dash <b>User</b>");
        browser.driver().findElement(By.cssSelector("#create-user button")).click();
        browser.waitUpTo(10).until(d -> d.findElement(By.id("users")).getText().contains("dash-user"));
        assertTrue(browser.driver().findElement(By.id("users")).getText().contains("Dash <b>User</b>"), "a name is text, not markup");
        browser.driver().findElement(By.cssSelector("#issue-key button")).click();
        browser.waitUpTo(10).until(d -> d.findElement(By.id("action-result")).getText().contains("sk-proxy-"));
        String issued = browser.driver().findElement(By.cssSelector("#action-result code")).getText();
        assertTrue(browser.driver().findElement(By.id("keys")).getText().contains("***" + issued.substring(issued.length() - 3)),
                "the new key is listed, masked");
        browser.screenshot("keys");
        assertEquals(200, TestRig.post("v1/chat/completions", issued, chat("fake-gpt", false, null, "hi")).statusCode(),
                "the key issued on the page works");

        // limits set through the page land in the admin API
        new Select(browser.driver().findElement(By.cssSelector("#set-limits select[name=subject]")))
                .selectByValue("users/dash-user");
        browser.driver().findElement(By.cssSelector("#set-limits input[name=requests_per_minute]")).sendKeys("7");
        browser.driver().findElement(By.cssSelector("#set-limits button")).click();
        browser.waitUpTo(10).until(d -> d.findElement(By.id("action-result")).getText().contains("Limits saved"));
        assertEquals(7, json(TestRig.admin("GET", "admin/users/dash-user/limits", null).body())
                .getJsonObject("limits").getInt("requests_per_minute"));
        // a limit of another kind, set through the API, shows in the form and survives a save from the page
        assertEquals(200, TestRig.admin("PUT", "admin/users/dash-user/limits",
                "{\"requests_per_minute\":7,\"budget_usd_per_month\":12.5}").statusCode());
        browser.driver().navigate().refresh();
        new Select(browser.driver().findElement(By.cssSelector("#set-limits select[name=subject]")))
                .selectByValue("users/dash-user");
        browser.waitUpTo(10).until(d -> "12.5".equals(d.findElement(By.cssSelector("#set-limits input[name=budget_usd_per_month]"))
                .getDomProperty("value")));
        assertEquals("7", browser.driver().findElement(By.cssSelector("#set-limits input[name=requests_per_minute]"))
                .getDomProperty("value"), "the form shows the limits that are set");
        var rpm = browser.driver().findElement(By.cssSelector("#set-limits input[name=requests_per_minute]"));
        rpm.clear();
        rpm.sendKeys("9");
        browser.driver().findElement(By.cssSelector("#set-limits button")).click();
        browser.waitUpTo(10).until(d -> json(TestRig.admin("GET", "admin/users/dash-user/limits", null).body())
                .getJsonObject("limits").getInt("requests_per_minute") == 9);
        assertEquals(0, new BigDecimal("12.5").compareTo(json(TestRig.admin("GET", "admin/users/dash-user/limits", null)
                .body()).getJsonObject("limits").getJsonNumber("budget_usd_per_month").bigDecimalValue()), "the budget is kept");

        // and a key revoked there is refused from the next request
        browser.driver().navigate().refresh();
        String keyId = browser.driver().findElement(By.cssSelector("button[data-revoke]")).getDomAttribute("data-revoke");
        browser.driver().findElement(By.cssSelector("button[data-revoke='" + keyId + "']")).click();
        browser.driver().switchTo().alert().accept();
        browser.waitUpTo(10).until(d -> d.findElement(By.id("keys")).getText().contains("revoked"));
        assertEquals("revoked", json(TestRig.admin("GET", "admin/keys/" + keyId, null).body()).getString("state"));

        // the same page on a phone
        browser.driver().manage().window().setSize(new Dimension(390, 844));
        browser.open(TestRig.ADMIN, "");
        browser.shownFigures();
        browser.screenshot("overview-phone");
    }

    /** What a caller wrote is hostile text: shown as text on the search and the call's page, never run. */
    @Test
    void anAdminFindsACallAndReadsItAsTextNeverAsMarkup() throws Exception {
        String key = TestRig.newKey();
        String word = "zqdash" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "x");
        String hostile = word + " <script>window.pwned=1</script><b>bold</b><img src=x onerror=\"window.pwned=2\">";
        HttpResponse<String> r = TestRig.post("v1/chat/completions", key, "{\"model\":\"mock-gpt\",\"messages\":[{"
                + "\"role\":\"user\",\"content\":" + Json.createValue(hostile) + "}]}");
        assertEquals(200, r.statusCode(), r.body());
        String id = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
        TestRig.await(() -> TestRig.admin("GET", "admin/logs/" + id, null).statusCode() == 200, "the log entry");

        assertEquals(403, TestRig.operator("_qs/metrics/ui/logs", TestRig.VIEWER).statusCode(), "prompts are for admins");
        browser.open(TestRig.ADMIN, "/logs?q=" + word);
        List<WebElement> results = browser.driver().findElements(By.cssSelector("#log-results li"));
        assertEquals(1, results.size(), browser.driver().getPageSource());
        WebElement mark = results.get(0).findElement(By.tagName("mark"));
        assertEquals(word, mark.getText());
        assertTrue(results.get(0).getText().contains("<b>bold</b>"), results.get(0).getText());
        assertTrue(results.get(0).findElements(By.tagName("b")).isEmpty(), "markup stays text");
        assertEquals(null, browser.js("return window.pwned === undefined ? null : window.pwned;"));
        browser.screenshot("logs");

        results.get(0).findElement(By.cssSelector("a.log-link")).click();
        browser.waitUpTo(10).until(d -> !d.findElements(By.id("transcript")).isEmpty());
        String transcript = browser.driver().findElement(By.id("transcript")).getText();
        assertTrue(transcript.contains(hostile), transcript);
        assertTrue(transcript.contains("ANSWER") || transcript.toLowerCase().contains("answer"), transcript);
        assertTrue(browser.driver().findElements(By.cssSelector("#transcript img, #transcript b, #transcript script"))
                .isEmpty(), "no element came from the caller's text");
        assertEquals(null, browser.js("return window.pwned === undefined ? null : window.pwned;"));
        assertFalse(browser.driver().getPageSource().contains(key), "the caller's key is not on the page");
        browser.screenshot("log");

        // two follow-ups of the same call (a regenerated answer): the conversation view shows both as branches
        String answer = json(r.body()).getJsonArray("choices")
                .getJsonObject(0).getJsonObject("message").getString("content");
        String history = "{\"role\":\"user\",\"content\":" + Json.createValue(hostile) + "},{\"role\":\"assistant\","
                + "\"content\":" + Json.createValue(answer) + "}";
        for (String next : new String[] {"tell me more <i>now</i>", "tell me more <i>now</i>"}) {
            HttpResponse<String> more = TestRig.post("v1/chat/completions", key, "{\"model\":\"mock-gpt\",\"messages\":["
                    + history + ",{\"role\":\"user\",\"content\":" + Json.createValue(next) + "}]}");
            String moreId = more.headers().firstValue("x-tollgate-request-id").orElseThrow();
            TestRig.await(() -> TestRig.admin("GET", "admin/logs/" + moreId, null).statusCode() == 200, "the follow-up");
        }
        browser.driver().navigate().refresh();
        browser.waitUpTo(10).until(d -> !d.findElements(By.id("conversation-link")).isEmpty());
        browser.driver().findElement(By.id("conversation-link")).click();
        browser.waitUpTo(10).until(d -> !d.findElements(By.id("conversation")).isEmpty());
        List<WebElement> calls = browser.driver().findElements(By.cssSelector("#conversation > li.call"));
        assertEquals(3, calls.size(), browser.driver().getPageSource());
        assertTrue(calls.get(0).getText().contains(hostile), calls.get(0).getText());
        assertEquals(2, browser.driver().findElements(By.cssSelector("#conversation > li.call.branch")).size(),
                "both follow-ups continue the first call: two branches");
        assertTrue(calls.get(1).getText().contains("continues #1"), calls.get(1).getText());
        assertTrue(calls.get(2).getText().contains("tell me more <i>now</i>"), calls.get(2).getText());
        assertFalse(calls.get(2).getText().contains(hostile), "a later call shows only what it added");
        assertTrue(browser.driver().findElement(By.id("conversation-totals")).getText().startsWith("3 calls"));
        assertTrue(browser.driver().findElements(By.cssSelector("#conversation script, #conversation img, "
                + "#conversation b, #conversation i")).isEmpty(), "no element came from the caller's text");
        assertEquals(null, browser.js("return window.pwned === undefined ? null : window.pwned;"));
        browser.screenshot("conversation");
    }

    /** The Logs page's bundle link downloads the filtered calls, and its form imports a bundle and says what it added. */
    @Test
    void anAdminCarriesCallsAwayAndBackThroughTheLogsPage() throws Exception {
        String key = TestRig.newKey();
        HttpResponse<String> r = TestRig.post("v1/chat/completions", key, chat("mock-gpt", false, null, "bundle from the page"));
        String id = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
        TestRig.await(() -> TestRig.admin("GET", "admin/logs/" + id, null).statusCode() == 200, "the log entry");
        String day = LocalDate.now(ZoneOffset.UTC).toString();
        browser.open(TestRig.ADMIN, "/logs?from=" + day + "&key=" + URLEncoder.encode(TestRig.masked(key), StandardCharsets.UTF_8));
        String href = browser.driver().findElement(By.id("bundle-download")).getDomAttribute("href");
        assertTrue(href.contains("/admin/bundles?from=" + day) && href.contains("&key="), href);
        HttpResponse<byte[]> bundle = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(TestRig.base()
                + href.substring(href.indexOf("admin/bundles")))).header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString(TestRig.ADMIN.getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, bundle.statusCode());
        Path file = Files.createTempFile("dashboard-bundle", ".zip");
        Files.write(file, bundle.body());

        browser.driver().findElement(By.cssSelector("#bundles summary")).click();
        browser.driver().findElement(By.id("bundle-file")).sendKeys(file.toAbsolutePath().toString());
        browser.driver().findElement(By.cssSelector("#bundle-import button")).click();
        browser.waitUpTo(20).until(d -> d.findElement(By.id("bundle-result")).getText().startsWith("Imported"));
        assertEquals("Imported: 0 usage records added (1 already here), 0 logged calls, 0 messages.",
                browser.driver().findElement(By.id("bundle-result")).getText());
        browser.screenshot("bundles");
    }

    @Test
    void anAdminSeesTheSystemReloadsTheConfigAndReadsTheGatewayLogWithoutASecret() throws Exception {
        Path file = TestRig.configFile("tollgate-dashboardit");
        String good = Files.readString(file);
        // a key pasted into the wrong field: the refusal echoes the value, which must never reach a page
        try {
            Files.writeString(file, good + "request-retry: goog-upstream-secret\n");
            assertEquals(422, TestRig.admin("POST", "admin/config/reload", null).statusCode());
            Files.writeString(file, good + "request-retry: sk-proj-LeakedKey1234567890\n");
            assertEquals(422, TestRig.admin("POST", "admin/config/reload", null).statusCode());
        } finally {
            Files.writeString(file, good);
        }
        browser.open(TestRig.ADMIN, "/system");
        String hash = TestRig.json(TestRig.get("_qs/health", null).body()).getJsonObject("config").getString("hash");
        assertEquals(hash, browser.driver().findElement(By.id("config-hash")).getText());
        assertTrue(browser.driver().findElement(By.id("instances")).getText().contains("it-instance"));
        assertEquals("off", browser.driver().findElement(By.id("opentelemetry")).getText(), "off unless configured");
        browser.driver().findElement(By.id("config-reload")).click();
        browser.waitUpTo(10).until(d -> !d.findElement(By.id("config-result")).getText().isEmpty()
                && !d.findElement(By.id("config-result")).getText().contains("…"));
        assertEquals("The file has not changed.", browser.driver().findElement(By.id("config-result")).getText());
        assertEquals("—", browser.driver().findElement(By.id("config-error")).getText(), "the good file clears the error");
        browser.screenshot("system");

        browser.open(TestRig.ADMIN, "/gateway-log?level=WARNING");
        String page = browser.driver().getPageSource();
        assertTrue(page.contains("config reload refused"), page);
        assertFalse(page.contains("goog-upstream-secret") || page.contains("LeakedKey1234567890"), page);
        int rows = browser.driver().findElements(By.cssSelector("#gateway-log tbody tr")).size();
        // the page follows the log live: one more refusal shows up without a reload of the page
        try {
            Files.writeString(file, good + "request-retry: [1\n");
            TestRig.admin("POST", "admin/config/reload", null);
        } finally {
            Files.writeString(file, good);
            TestRig.admin("POST", "admin/config/reload", null);
        }
        browser.waitUpTo(10).until(d -> d.findElements(By.cssSelector("#gateway-log tbody tr")).size() > rows);
        browser.screenshot("gateway-log");
        browser.open(TestRig.VIEWER, "");
        assertTrue(browser.driver().findElements(By.linkText("System")).isEmpty(), "viewers get no System link");
    }

    @Test
    void anOperatorAddsAKeyFromTheProvidersPageAndTheRoutingPagePutsItInRotation() throws Exception {
        browser.open(TestRig.ADMIN, "/providers");
        assertTrue(browser.driver().findElement(By.id("providers")).getText().contains("from file"));
        var form = browser.driver().findElement(By.id("provider-form"));
        form.findElement(By.name("name")).sendKeys("paged");
        form.findElement(By.name("base-url")).sendKeys(TestRig.fake().baseUrl());
        form.findElement(By.name("api-key")).sendKeys("sk-paged-upstream-key");
        form.findElement(By.name("models")).sendKeys("fake-gpt=paged-model");
        form.findElement(By.name("excluded-models")).sendKeys("*-preview");
        form.findElement(By.name("headers")).sendKeys("X-Paged-Team: teal-secret-value");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waitUpTo(10).until(d -> d.findElement(By.id("providers")).getText().contains("paged#db-"));
        assertFalse(browser.driver().getPageSource().contains("sk-paged-upstream-key")
                || browser.driver().getPageSource().contains("teal-secret-value"), "the key and header values are never shown");
        String listed = TestRig.admin("GET", "admin/providers", null).body();
        assertTrue(listed.contains("\"excluded_models\":[\"*-preview\"]") && listed.contains("\"header_names\":[\"X-Paged-Team\"]"), listed);

        browser.open(TestRig.VIEWER, "/routing");
        String routing = browser.driver().findElement(By.id("routing")).getText();
        assertTrue(routing.contains("paged-model") && routing.contains("paged#db-"), routing);
        String key = TestRig.newKey();
        assertEquals(200, TestRig.post("v1/chat/completions", key, chat("paged-model", false, null, "hi")).statusCode());
        assertTrue(String.valueOf(TestRig.awaitRecords(key, 1).get(0).get("credential")).startsWith("paged#db-"));
        browser.screenshot("routing");

        // the admin switches the fleet to fill-first, then gives the choice back to the file
        browser.open(TestRig.ADMIN, "/routing");
        new Select(browser.driver().findElement(By.id("strategy-choice"))).selectByValue("fill-first");
        browser.driver().findElement(By.cssSelector("#strategy-form button")).click();
        browser.waitUpTo(10).until(d -> d.findElement(By.id("strategy")).getText().equals("fill-first"));
        assertEquals("dashboard", TestRig.json(TestRig.admin("GET", "admin/routing", null).body()).getString("strategy_source"));
        assertEquals(200, TestRig.admin("PUT", "admin/routing", "{\"strategy\":null}").statusCode());

        browser.open(TestRig.ADMIN, "/providers");
        browser.driver().findElement(By.cssSelector("button[data-provider-toggle]")).click();
        browser.waitUpTo(10).until(d -> d.findElement(By.cssSelector("#providers tr[data-label^='paged#'] .state")).getText().equals("disabled"));
        assertEquals(404, TestRig.post("v1/chat/completions", key, chat("paged-model", false, null, "hi")).statusCode());
        browser.driver().findElement(By.cssSelector("button[data-provider-delete]")).click();
        browser.driver().switchTo().alert().accept();
        browser.waitUpTo(10).until(d -> !d.findElement(By.id("providers")).getText().contains("paged#db-"));
        browser.screenshot("providers-managed");
    }
}
