package dev.tollgate.it.server;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.dataLines;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.number;
import static dev.tollgate.it.TestRig.operator;
import static dev.tollgate.it.TestRig.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.Browser;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.OtlpReceiver;
import dev.tollgate.it.SlowReader;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * The WAR on a real server (Tomcat 10.1, Tomcat 11, WildFly; one failsafe execution each), set up
 * by src/test/containers/ with the very files in tomcat-conf/ or wildfly-conf/ and the WAR placed
 * where the README tells ops to put it: its JNDI pool, its realm, a restart, an undeploy.
 * One ordered class per server, because each start of a server costs seconds.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppServerIT {
    private static final String SERVER = System.getProperty("arquillian.launch");
    private static final Path HOME = Path.of(System.getProperty("container.home", "."));
    private static final String KEY = TestRig.newKey();
    private static final OtlpReceiver OTLP = receiver();
    /** A key issued through the admin API, limited to 2 requests a day. */
    private static String issuedKey;

    @ArquillianResource
    private ContainerController controller;


    private static OtlpReceiver receiver() {
        try {
            return new OtlpReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean wildfly() {
        return SERVER.equals("wildfly");
    }

    /** The database file behind the server's JNDI pool, as tomcat-conf/ and wildfly-conf/ configure it. */
    private static Path database() {
        return wildfly() ? HOME.resolve("standalone/data/tollgate.db") : HOME.resolve("data/tollgate/tollgate.db");
    }

    /** Where the setup put the WAR: the server deploys it at start and undeploys it when it goes. */
    private static Path deployedWar() {
        return wildfly() ? HOME.resolve("standalone/deployments/tollgate.war") : HOME.resolve("webapps/tollgate.war");
    }

    private static void awaitStatus(String path, int status) {
        TestRig.await(() -> operator(path, null).statusCode() == status, path + " to answer " + status);
    }

    @Test
    @Order(1)
    void deploysAndUsesTheContainersPool() throws IOException {
        // the server reads its config from -Dtollgate.config (arquillian.xml); the fake upstream's port is known only now
        // OpenTelemetry on, to a receiver in this JVM: the SDK must load and export from inside the container
        Files.writeString(HOME.resolve("tollgate-it.yaml"), TestRig.configYaml(HOME.resolve("unused.db"), "200ms",
                "otel: {endpoint: '" + OTLP.endpoint() + "', metric-interval: 1s}\n"));
        // the journal beside that path would replay an earlier build's unwritten records into this build's database
        try (var old = Files.walk(HOME.resolve("journal")).sorted(Comparator.reverseOrder())) {
            old.forEach(p -> p.toFile().delete());
        } catch (NoSuchFileException e) {
            // first build
        }
        TestRig.target("http://127.0.0.1:" + System.getProperty("container.http.port") + "/tollgate/", database());
        controller.start(SERVER);
        awaitStatus("_qs/health", 200);
        JsonObject health = json(operator("_qs/health", null).body());
        assertTrue(health.getBoolean("ok"), health.toString());
        assertEquals("jndi:sqlite", health.getString("persistence"), "the gateway uses the container's pool");
    }

    @Test
    @Order(2)
    void proxiesStreamingAndNotAndRecordsThroughThePool() {
        HttpResponse<String> plain = post("v1/chat/completions", KEY, chat("fake-gpt", false, null, "hi", "there"));
        assertEquals(200, plain.statusCode(), plain.body());
        HttpResponse<String> stream = post("v1/chat/completions", KEY, chat("fake-gpt", true, null, "hi"));
        assertEquals(200, stream.statusCode(), stream.body());
        List<String> data = dataLines(stream.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        assertTrue(!stream.body().contains("\"usage\""), "usage chunk hidden");

        List<Map<String, Object>> rows = TestRig.awaitRecords(KEY, 2);
        assertEquals(2, rows.size(), "rows in the file behind the container's pool: " + database());
        String requestId = plain.headers().firstValue("x-tollgate-request-id").orElseThrow();
        TestRig.await(() -> OTLP.spans().stream().anyMatch(s -> requestId.equals(s.attributes().get("tollgate.request_id"))
                && "chat fake-gpt".equals(s.span().getName()) && "openai".equals(s.attributes().get("gen_ai.provider.name"))),
                "the call's OpenTelemetry span from inside " + SERVER);
        assertEquals(FakeOpenAi.promptTokens(2) + 5, number(rows.get(0), "total_tokens"));
        assertEquals(0, number(rows.get(0), "stream"));
        assertEquals(FakeOpenAi.promptTokens(1) + 5, number(rows.get(1), "total_tokens"));
        assertEquals(1, number(rows.get(1), "stream"));
        assertEquals("reported", rows.get(1).get("usage_quality"));
    }

    @Test
    @Order(3)
    void operatorsLogInWithTheContainerRealm() {
        assertEquals(401, operator("_qs/metrics", null).statusCode());
        assertEquals(403, operator("admin/config", TestRig.VIEWER).statusCode());
        HttpResponse<String> metrics = operator("_qs/metrics", TestRig.VIEWER);
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertEquals(2, json(metrics.body()).getJsonObject("totals").getInt("requests"));
        assertEquals(200, operator("admin/config", TestRig.ADMIN).statusCode());
        assertEquals(200, operator("_qs/health", null).statusCode());
        assertEquals(200, operator("health", null).statusCode(), "the seed's load-balancer path");
        // the gateway log buffer hears the gateway's own logger under each container's logging
        HttpResponse<String> log = operator("admin/log?q=ready", TestRig.ADMIN);
        assertEquals(200, log.statusCode(), log.body());
        assertTrue(json(log.body()).getJsonArray("data").getJsonObject(0).getString("message").contains("ready"), log.body());
        assertEquals(403, operator("_qs/metrics/ui/system", TestRig.VIEWER).statusCode(), "the System page is for admins");
        assertEquals(200, operator("_qs/metrics/ui/system", TestRig.ADMIN).statusCode());
    }

    @Test
    @Order(4)
    void anAdminIssuesALimitedKeyThroughTheRealm() {
        assertEquals(403, TestRig.operator("admin/users", TestRig.VIEWER).statusCode());
        assertEquals(201, TestRig.admin("POST", "admin/users", "{\"id\":\"server-user\",\"name\":\"Server User\"}").statusCode());
        HttpResponse<String> issued = TestRig.admin("POST", "admin/users/server-user/keys", "{\"name\":\"ci\"}");
        assertEquals(201, issued.statusCode(), issued.body());
        issuedKey = json(issued.body()).getString("key");
        String keyId = json(issued.body()).getString("id");
        assertEquals(200, TestRig.admin("PUT", "admin/keys/" + keyId + "/limits", "{\"requests_per_day\":2}").statusCode());
        for (String remaining : List.of("1", "0")) {
            HttpResponse<String> r = post("v1/chat/completions", issuedKey, chat("fake-gpt", false, null, "hi"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(remaining, r.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        }
        HttpResponse<String> refused = post("v1/chat/completions", issuedKey, chat("fake-gpt", false, null, "hi"));
        assertEquals(429, refused.statusCode());
        assertTrue(refused.headers().firstValue("retry-after").isPresent());
        assertEquals("rate_limit_exceeded", json(refused.body()).getJsonObject("error").getString("code"));
    }

    @Test
    @Order(5)
    void recordsAndLimitsSurviveARestart() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post("v1/chat/completions", KEY, chat("fake-gpt", i == 1, null, "again")).statusCode());
        }
        controller.stop(SERVER);
        assertEquals(5, TestRig.records(KEY).size(), "written at the latest by the graceful shutdown");
        controller.start(SERVER);
        awaitStatus("_qs/health", 200);
        JsonObject metrics = json(operator("_qs/metrics", TestRig.ADMIN).body());
        assertEquals(5 + 3, metrics.getJsonObject("totals").getInt("requests"), "with the issued key's 2 calls and 1 refusal");
        assertEquals(FakeOpenAi.promptTokens(2) + 6 * FakeOpenAi.promptTokens(1) + 7 * 5,
                metrics.getJsonObject("totals").getJsonNumber("tokens").longValue());
        HttpResponse<String> still = post("v1/chat/completions", issuedKey, chat("fake-gpt", false, null, "hi"));
        assertEquals(429, still.statusCode(), "the day's count was rebuilt from the records, not reset: " + still.body());
    }

    @Test
    @Order(6)
    void theDashboardIsBehindTheRealmAndItsLiveFeedStreams() throws Exception {
        assertEquals(401, operator("_qs/metrics/ui", null).statusCode());
        HttpResponse<String> overview = operator("_qs/metrics/ui", TestRig.VIEWER);
        assertEquals(200, overview.statusCode(), overview.body());
        assertTrue(overview.body().contains("id=\"kpi-requests\""), overview.body());
        assertEquals(403, operator("_qs/metrics/ui/keys", TestRig.VIEWER).statusCode(), "admins only");
        assertEquals(200, operator("_qs/metrics/ui/keys", TestRig.ADMIN).statusCode());
        assertEquals(200, operator("_qs/metrics/ui/assets/chart.umd.min.js", TestRig.VIEWER).statusCode(), "Chart.js from its WebJar");
        // the live feed: an event per finished request, pushed through the server's async I/O
        HttpRequest events = HttpRequest.newBuilder(
                        URI.create(TestRig.base() + "_qs/metrics/ui/events"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(TestRig.VIEWER.getBytes()))
                .header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Stream<String>>> feed =
                HttpClient.newHttpClient().sendAsync(events, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> open = feed.get(20, TimeUnit.SECONDS);
        assertEquals(200, open.statusCode());
        Iterator<String> lines = open.body().iterator();
        assertEquals(200, post("v1/chat/completions", TestRig.newKey(), chat("fake-gpt", false, null, "live")).statusCode());
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<String> event = reader.submit(() -> {
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.startsWith("data:") && line.contains("fake-gpt")) {
                    return line;
                }
            }
            return "the feed ended";
        });
        assertTrue(event.get(20, TimeUnit.SECONDS).contains("\"status\":200"));
        open.body().close(); // the dashboard goes away...
        reader.shutdownNow();
        // ...and the calls after it must not be disturbed (with Jersey's SSE sinks on Tomcat, one hung: jersey#3719)
        for (int i = 0; i < 3; i++) {
            CompletableFuture<HttpResponse<String>> call = CompletableFuture
                    .supplyAsync(() -> post("v1/chat/completions", TestRig.newKey(), chat("fake-gpt", false, null, "after")));
            assertEquals(200, call.get(30, TimeUnit.SECONDS).statusCode());
        }

        // and in a real browser: the figures equal /_qs/metrics, and a new request shows up live
        Assumptions.assumeTrue(Browser.installed(), "no Chromium on this machine");
        try (Browser browser = new Browser()) {
            browser.open(TestRig.VIEWER, "");
            browser.assertFiguresEqualTheApi();
            long before = Long.parseLong(browser.shownFigures().get("requests"));
            browser.awaitLive();
            assertEquals(200, post("v1/chat/completions", TestRig.newKey(), chat("fake-gpt", true, true, "live")).statusCode());
            browser.waitUpTo(15).until(d -> Long.parseLong(d.findElement(By.id("kpi-requests"))
                    .getDomAttribute("data-value")) == before + 1);
            browser.assertFiguresEqualTheApi();
        }
    }

    @Test
    @Order(7)
    void anthropicClientsStreamThroughTheRealServer() {
        String key = TestRig.newKey();
        String ask = "{\"model\":\"claude-fake\",\"max_tokens\":20,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> same = TestRig.postWith("v1/messages", ask, "x-api-key", key);
        assertEquals(200, same.statusCode(), same.body());
        assertTrue(same.body().contains("event: message_stop"), same.body());
        HttpResponse<String> translated = TestRig.postWith("v1/messages", ask.replace("claude-fake", "fake-gpt"),
                "x-api-key", key);
        assertTrue(translated.body().contains("\"text\":\" upstream\"") && translated.body().contains("event: message_stop"),
                translated.body());
        List<Map<String, Object>> rows = TestRig.awaitRecords(key, 2);
        assertEquals(List.of("anthropic", "openai"), rows.stream().map(r -> (String) r.get("provider")).toList());
        assertTrue(rows.stream().allMatch(r -> "reported".equals(r.get("usage_quality"))));
    }

    /** A bundle leaves and comes back through this container's JAX-RS and login, adding nothing. */
    @Test
    @Order(7)
    void aBundleDownloadsAndImportsThroughTheRealServer() throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString(TestRig.ADMIN.getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> bundle = http.send(HttpRequest.newBuilder(URI.create(TestRig.base() + "admin/bundles"))
                .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, bundle.statusCode(), new String(bundle.body(), StandardCharsets.UTF_8));
        assertEquals("application/zip", bundle.headers().firstValue("content-type").orElseThrow());
        HttpResponse<String> back = http.send(HttpRequest.newBuilder(URI.create(TestRig.base() + "admin/bundles"))
                .header("Authorization", auth).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bundle.body())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, back.statusCode(), back.body());
        JsonObject counts = json(back.body());
        assertEquals(0, counts.getInt("records_added"), back.body());
        assertTrue(counts.getInt("records_skipped") >= 2, back.body());
    }

    @Test
    @Order(7)
    void aSlowClientHoldsItsUpstreamBackAndGetsEveryEvent() throws Exception {
        SlowReader.readsAFloodSlowlyAndGetsAllOfIt(); // non-blocking writes, the way this container does them
    }

    @Test
    @Order(8)
    void undeploysCleanly() throws IOException {
        assertEquals(200, post("v1/chat/completions", KEY, chat("fake-gpt", false, null, "last")).statusCode());
        Files.delete(deployedWar()); // the server's deployment scanner undeploys it
        awaitStatus("_qs/health", 404);
        assertEquals(6, TestRig.records(KEY).size(), "the undeploy flushed the last record");
        controller.stop(SERVER);
    }
}
