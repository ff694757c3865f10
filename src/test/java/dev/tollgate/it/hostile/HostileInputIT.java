package dev.tollgate.it.hostile;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.post;
import static dev.tollgate.it.TestRig.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.Commands;
import dev.tollgate.it.TestRig;
import dev.tollgate.it.TomcatInstance;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tollgate on a real Tomcat 10.1 with a 512 MB heap, set up from tomcat-conf/ (harden.sh included),
 * tried as a hostile caller and a misbehaving upstream would: each attack must get a clear answer in
 * the caller's format, and after each the server must still answer health and a normal call. Ends
 * with a full disk under SQLite and a {@code kill -9} under load in journaled mode.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String KEY = TestRig.newKey();
    private static final String SECRET_KEY = "sk-it-never-in-a-log-" + System.nanoTime();
    private static TomcatInstance tomcat;
    private static Path data;
    private static boolean tmpfs;

    @BeforeAll
    static void start() throws Exception {
        Path home = Path.of(System.getProperty("tomcat.home", "missing"));
        Assumptions.assumeTrue(Files.exists(home.resolve("bin/catalina.sh")),
                "no unpacked Tomcat (the hostile-input test needs the tomcat executions' setup: not -Dskip.tomcat)");
        Path dir = Path.of("target/hostile").toAbsolutePath();
        Path base = dir.resolve("tomcat");
        data = base.resolve("data/tollgate");
        unmount();
        Files.createDirectories(data);
        // the database and journal on a small file system of their own, so that one test can fill it
        tmpfs = Commands.tryRun(List.of("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", data.toString()));
        Path config = Files.writeString(dir.resolve("hostile.yaml"), config(data.resolve("tollgate.db")));
        Path war = Path.of(System.getProperty("tollgate.war"));
        tomcat = TomcatInstance.sqlite(home, base, war, config, List.of("-Xmx512m"));
        tomcat.start();
        TestRig.target(tomcat.url(), data.resolve("tollgate.db"));
        awaitHealthy();
    }

    @AfterAll
    static void stop() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
        }
        unmount();
    }

    private static void unmount() {
        if (data != null) {
            Commands.tryRun(List.of("umount", data.toString()));
        }
    }

    private static String config(Path db) {
        return "instance-id: hostile\n"
                + "api-keys: [" + KEY + ", " + SECRET_KEY + "]\n"
                + "persistence: {path: " + db + ", buffer-size: 200, flush-interval: 200ms}\n"
                + "timeouts: {connect: 2s, request: 20s, stream-idle: 10s, keepalive: 1s}\n"
                + "input-limits: {max-body-size: 32MB, body-timeout: 15s, body-min-rate: 1KB, "
                + "max-upstream-body-size: 8MB}\n"
                + "model-prices:\n  fake: {input: 2.50, output: 10.00}\n"
                + "openai-api-key:\n"
                + "  - api-key: sk-upstream-secret\n"
                + "    base-url: " + TestRig.fake().baseUrl() + "\n"
                + "    models: [{id: fake-gpt}, {id: fake-nousage}, {id: fake-slow}, {id: \"fake-usage=*\"}, "
                + "{id: \"fake-huge=*\"}]\n";
    }

    @AfterEach
    void stillServing() {
        assertEquals(200, health().statusCode(), "health answers after the attack: " + health().body());
        HttpResponse<String> r = post("v1/chat/completions", KEY, chat("fake-gpt", false, null, "still there?"));
        assertEquals(200, r.statusCode(), "a normal call is served after the attack: " + r.body());
    }

    private static HttpResponse<String> health() {
        return TestRig.get("_qs/health", null);
    }

    private static void awaitHealthy() {
        TestRig.await(() -> {
            try {
                return health().statusCode() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        }, "tollgate on " + tomcat.url());
    }

    private static String error(HttpResponse<String> r) {
        return json(r.body()).getJsonObject("error").getString("message");
    }

    @Test
    @Order(1)
    void aPromptOfOneHugeWordIsEstimatedInBoundedMemory() {
        String word = "a".repeat(4 * 1024 * 1024);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        for (int i = 0; i < 3; i++) { // three at once, on a 512 MB heap
            calls.add(pool.submit(() -> post("v1/chat/completions", KEY, chat("fake-nousage", false, null, word))));
        }
        stillServing(); // while the three are being estimated
        for (Future<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = get(call);
            assertEquals(200, r.statusCode(), r.body());
            String id = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
            Map<String, Object> record = TestRig.awaitRows(() -> rows("SELECT * FROM usage_records WHERE id = ?", id), 1)
                    .get(0);
            assertEquals("estimated", record.get("usage_quality"));
            assertTrue(TestRig.number(record, "prompt_tokens") > 4 * 1024 * 1024 / 16, record.toString());
        }
        pool.shutdownNow();
    }

    @Test
    @Order(2)
    void aFloodOfGiantModelNamesStoresNothingAndBreaksNoReport() throws IOException {
        long before = dbBytes();
        String giant = "m".repeat(1024 * 1024);
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = post("v1/chat/completions", KEY, chat(giant + i, false, null, "hi"));
            assertEquals(400, r.statusCode());
            assertEquals("model", json(r.body()).getJsonObject("error").getString("param"));
            assertTrue(r.body().length() < 1000, "the name is not echoed");
            assertTrue(r.headers().firstValue("x-tollgate-request-id").isPresent(), "refusals carry the record's id");
        }
        for (String bad : new String[] {"nul\u0000", "cr\rlf\n", "sp ace"}) {
            assertEquals(400, post("v1/chat/completions", KEY, "{\"model\":" + Json.createValue(bad)
                    + ",\"messages\":[]}").statusCode());
        }
        for (int i = 0; i < 600; i++) { // valid names that route nowhere: 404, and a bounded set of labels
            assertEquals(404, post("v1/chat/completions", KEY, chat("unknown-model-" + i, false, null, "hi")).statusCode());
        }
        TestRig.pause(800);
        assertTrue(dbBytes() - before < 5 * 1024 * 1024, "the store grew by " + (dbBytes() - before) + " bytes");
        assertEquals(0, rows("SELECT id FROM usage_records WHERE length(requested_model) > 256 "
                + "OR length(model) > 256").size());
        for (String report : new String[] {"_qs/metrics", "_qs/metrics/prometheus", "_qs/metrics/ui/requests"}) {
            HttpResponse<String> r = TestRig.operator(report, TestRig.VIEWER);
            assertEquals(200, r.statusCode(), report);
        }
        HttpResponse<String> prometheus = TestRig.operator("_qs/metrics/prometheus", TestRig.VIEWER);
        long series = prometheus.body().lines().filter(l -> l.startsWith("tollgate_requests_total{")).count();
        assertTrue(series <= 501 + 10, series + " series");
        assertTrue(prometheus.body().contains("model=\"_other\""));
        assertEquals(200, TestRig.get("v1/usage/summary", KEY).statusCode());
    }

    private static long dbBytes() throws IOException {
        long total = 0;
        try (var files = Files.list(data)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
        }
        return total;
    }

    /**
     * 300 connections, more than Tomcat's 200 threads, each sending its body a byte every two
     * seconds, half with a valid key and half with none: health and normal calls go on meanwhile,
     * and each slow body is refused with 408 (or, unkeyed, 401 at once) and its connection closed.
     */
    @Test
    @Order(3)
    void slowBodiesHoldNoThreadsAndAreCutOff() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        URI u = URI.create(tomcat.url());
        for (int i = 0; i < 300; i++) {
            Socket s = new Socket(u.getHost(), u.getPort());
            s.setSoTimeout(60_000);
            String auth = i % 2 == 0 ? "Authorization: Bearer " + KEY + "\r\n" : "";
            s.getOutputStream().write(("POST /tollgate/v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            sockets.add(s);
        }
        AtomicBoolean dripping = new AtomicBoolean(true);
        Thread drip = new Thread(() -> {
            while (dripping.get()) {
                for (Socket s : sockets) {
                    try {
                        s.getOutputStream().write(' ');
                    } catch (IOException e) {
                        // refused and closed already
                    }
                }
                TestRig.pause(2000);
            }
        });
        drip.start();
        try {
            for (int i = 0; i < 3; i++) { // while all 300 are open
                assertEquals(200, health().statusCode());
                assertEquals(200, post("v1/chat/completions", KEY, chat("fake-gpt", false, null, "hi")).statusCode());
                TestRig.pause(1000);
            }
            int timedOut = 0;
            int unauthorised = 0;
            for (Socket s : sockets) {
                String head = readHead(s.getInputStream());
                if (head.startsWith("HTTP/1.1 408")) {
                    timedOut++;
                    assertTrue(head.toLowerCase().contains("connection: close"), head);
                } else if (head.startsWith("HTTP/1.1 401")) {
                    unauthorised++;
                }
            }
            assertEquals(150, timedOut, "every keyed slow body is cut off with 408");
            assertEquals(150, unauthorised);
        } finally {
            dripping.set(false);
            drip.join();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }

    @Test
    @Order(4)
    void deepJsonIsA400WithoutAStackTrace() throws IOException {
        int before = stackLines();
        String deep = "{\"model\":\"fake-gpt\",\"messages\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = post("v1/chat/completions", KEY, deep);
            assertEquals(400, r.statusCode());
            assertTrue(error(r).contains("nested deeper than"), r.body());
        }
        HttpResponse<String> anthropic = TestRig.postWith("v1/messages", "{\"model\":\"fake-gpt\",\"max_tokens\":5,"
                + "\"messages\":" + "[".repeat(3000) + "]".repeat(3000) + "}", "x-api-key", KEY);
        assertEquals(400, anthropic.statusCode());
        assertEquals("invalid_request_error", json(anthropic.body()).getJsonObject("error").getString("type"));
        assertTrue(stackLines() - before < 20, "no stack traces for bad input");
    }

    private static int stackLines() throws IOException {
        return (int) tomcat.allLogs().lines().filter(l -> l.trim().startsWith("at ")).count();
    }

    @Test
    @Order(5)
    void aValidTwentyMegabyteBodyIsServed() {
        String content = "lorem ipsum dolor sit amet ".repeat(20 * 1024 * 1024 / 27);
        HttpResponse<String> r = post("v1/chat/completions", KEY, chat("fake-gpt", false, null, content));
        assertEquals(200, r.statusCode(), r.body().length() > 500 ? r.body().substring(0, 500) : r.body());
        HttpResponse<String> tooBig = post("v1/chat/completions", KEY, chat("fake-gpt", false, null,
                "x".repeat(33 * 1024 * 1024)));
        assertEquals(413, tooBig.statusCode());
    }

    @Test
    @Order(6)
    void badNumbersAndTrailingGarbageAreRefused() {
        for (String cap : new String[] {"1e308", "\"100\"", "12.5", "-1"}) {
            HttpResponse<String> r = post("v1/chat/completions", KEY, "{\"model\":\"fake-gpt\",\"messages\":[],"
                    + "\"max_tokens\":" + cap + "}");
            assertEquals(400, r.statusCode(), cap);
            assertEquals("max_tokens", json(r.body()).getJsonObject("error").getString("param"));
        }
        assertEquals(400, post("v1/chat/completions", KEY, chat("fake-gpt", false, null, "hi") + "garbage").statusCode());
    }

    @Test
    @Order(7)
    void malformedHeadersAndQueryKeysNeverReachALog() throws Exception {
        URI u = URI.create(tomcat.url());
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.getOutputStream().write(("POST /tollgate/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + SECRET_KEY + "\u0000x\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(readHead(s.getInputStream()).startsWith("HTTP/1.1 400"));
        }
        HttpResponse<String> gemini = TestRig.get("v1beta/models?key=" + SECRET_KEY, null);
        assertEquals(200, gemini.statusCode(), gemini.body());
        assertEquals(401, post("v1/chat/completions", SECRET_KEY + "-wrong", chat("fake-gpt", false, null, "hi"))
                .statusCode());
        // the access log is buffered and written out every few seconds
        TestRig.await(() -> logs().contains("\"GET /tollgate/v1beta/models HTTP/1.1\" 200"), "the access log entry");
        assertFalse(logs().contains(SECRET_KEY), "no client key in any log");
    }

    private static String logs() {
        try {
            return tomcat.allLogs();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(8)
    void nonsenseUsageFromAnUpstreamIsClampedAndMarked() {
        String issued = issueKeyWithLimits("{\"tokens_per_day\":100000,\"budget_usd_per_day\":1}");
        HttpResponse<String> negative = post("v1/chat/completions", issued, chat("fake-usage=-100000,-5", false, null, "hi"));
        assertEquals(200, negative.statusCode(), negative.body());
        HttpResponse<String> huge = post("v1/chat/completions", KEY, chat("fake-usage=10,5e12", false, null, "hi"));
        assertEquals(200, huge.statusCode(), huge.body());
        HttpResponse<String> absurd = post("v1/chat/completions", KEY, chat("fake-usage=1e308,1e400", false, null, "hi"));
        assertEquals(200, absurd.statusCode(), absurd.body());
        for (HttpResponse<String> r : List.of(negative, huge, absurd)) {
            String id = r.headers().firstValue("x-tollgate-request-id").orElseThrow();
            Map<String, Object> rec = TestRig.awaitRows(() -> rows("SELECT * FROM usage_records WHERE id = ?", id), 1).get(0);
            assertEquals("clamped", rec.get("usage_quality"), rec.toString());
            assertNotNull(rec.get("usage_reported"));
            assertTrue(TestRig.number(rec, "prompt_tokens") >= 0 && TestRig.number(rec, "completion_tokens") >= 0);
            assertNotNull(rec.get("cost_pusd"), "priced, not lost");
            assertTrue(TestRig.number(rec, "cost_pusd") >= 0);
        }
        HttpResponse<String> used = TestRig.admin("GET", "admin/keys/" + keyId + "/limits", null);
        JsonObject u = json(used.body()).getJsonObject("used");
        for (String field : u.keySet()) {
            BigDecimal v = u.get(field) instanceof JsonNumber n ? n.bigDecimalValue()
                    : u.get(field) instanceof JsonString s ? new BigDecimal(s.getString())
                    : BigDecimal.ZERO;
            assertTrue(v.signum() >= 0, field + " went negative: " + used.body());
        }
        HttpResponse<String> metrics = TestRig.operator("_qs/metrics", TestRig.VIEWER);
        assertEquals(200, metrics.statusCode());
        assertTrue(json(metrics.body()).getJsonObject("totals").getJsonNumber("cost_usd").bigDecimalValue().signum() >= 0);
    }

    private static String keyId;

    private static String issueKeyWithLimits(String limits) {
        assertEquals(201, TestRig.admin("POST", "admin/users", "{\"id\":\"hostile\",\"name\":\"Hostile\"}").statusCode());
        JsonObject key = json(TestRig.admin("POST", "admin/users/hostile/keys", "{}").body());
        keyId = key.getString("id");
        assertEquals(200, TestRig.admin("PUT", "admin/keys/" + keyId + "/limits", limits).statusCode());
        return key.getString("key");
    }

    @Test
    @Order(9)
    void anUpstreamAnswerBeyondTheBoundIsA502NotAFullHeap() {
        HttpResponse<String> r = post("v1/chat/completions", KEY, chat("fake-huge=9000000", false, null, "hi"));
        assertEquals(502, r.statusCode());
        assertTrue(error(r).contains("larger than"), r.body());
        assertEquals(200, post("v1/chat/completions", KEY, chat("fake-huge=4000000", false, null, "hi")).statusCode());
    }

    @Test
    @Order(10)
    void aCrossSiteFormCannotCreateAUser() {
        String basic = "Basic " + Base64.getEncoder().encodeToString(TestRig.ADMIN.getBytes());
        HttpResponse<String> form = TestRig.exchange("POST", "admin/users", "id=csrf&name=Csrf", "Authorization", basic,
                "Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example");
        assertEquals(403, form.statusCode());
        assertEquals(404, TestRig.operator("admin/users/csrf", TestRig.ADMIN).statusCode());
    }

    /**
     * The database's file system fills up: calls go on being answered, health says what is wrong
     * (503, degraded, the real cause, the records waiting) and so does Prometheus; once space is
     * back, health recovers and every record lands.
     */
    @Test
    @Order(11)
    void aFullDiskIsReportedAndRecoveredFrom() throws Exception {
        Assumptions.assumeTrue(tmpfs, "needs a tmpfs mount (root) for the database's folder");
        Path filler = data.resolve("filler");
        Commands.tryRun(List.of("dd", "if=/dev/zero", "of=" + filler, "bs=1M", "count=64"));
        List<String> ids = new ArrayList<>();
        try {
            // SQLite writes on into pages it already has (its WAL file, free pages) for a while: call until it cannot
            for (int i = 0; i < 5000 && !databaseDegraded(); i++) {
                HttpResponse<String> r = post("v1/chat/completions", KEY,
                        chat("fake-gpt", i % 2 == 0, null, "while the disk is full"));
                assertEquals(200, r.statusCode(), "proxying goes on");
                ids.add(r.headers().firstValue("x-tollgate-request-id").orElseThrow());
            }
            HttpResponse<String> sick = health();
            assertEquals(503, sick.statusCode());
            JsonObject h = json(sick.body());
            assertFalse(h.getBoolean("ok"));
            assertEquals("degraded", h.getJsonObject("database").getString("status"), h.toString());
            assertTrue(h.getJsonObject("database").getString("error").toLowerCase().contains("full"), h.toString());
            assertTrue(h.getInt("queue_depth") > 0, h.toString());
            // the journal's segments are allocated ahead of need: it goes on holding every record
            JsonObject journal = h.getJsonObject("journal");
            assertTrue(journal.getInt("records_waiting") > 0, h.toString());
            assertTrue(journal.isNull("error") || journal.getString("error").contains("No space"), h.toString());
            assertTrue(TestRig.operator("_qs/metrics/prometheus", TestRig.VIEWER).body().lines()
                    .anyMatch("tollgate_database_up 0"::equals));
        } finally {
            Files.deleteIfExists(filler);
        }
        awaitHealthy();
        assertTrue(TestRig.operator("_qs/metrics/prometheus", TestRig.VIEWER).body().lines()
                .anyMatch("tollgate_database_up 1"::equals));
        for (String id : ids) {
            TestRig.awaitRows(() -> rows("SELECT id FROM usage_records WHERE id = ?", id), 1);
        }
    }

    private static boolean databaseDegraded() {
        return json(health().body()).getJsonObject("database").getString("status").equals("degraded");
    }

    /**
     * Mixed streaming and whole calls from eight clients; {@code kill -9} in the middle; restart:
     * every call whose answer was received is in the database exactly once.
     */
    @Test
    @Order(12)
    void killNineUnderLoadLosesNoAnsweredCall() throws Exception {
        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int c = 0; c < 8; c++) {
            boolean stream = c % 2 == 0;
            clients.submit(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(tomcat.url()
                                        + "v1/chat/completions")).timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(chat("fake-gpt", stream, null, "load")))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        boolean complete = r.statusCode() == 200 && (!stream || r.body().contains("[DONE]"));
                        if (complete) {
                            answered.add(r.headers().firstValue("x-tollgate-request-id").orElseThrow());
                        }
                    } catch (IOException | InterruptedException e) {
                        // the server died under this call: it was not answered
                    }
                }
            });
        }
        TestRig.await(() -> answered.size() >= 2000, "2000 answered calls before the kill");
        tomcat.kill();
        running.set(false);
        clients.shutdown();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        int before = answered.size();
        tomcat.start();
        awaitHealthy();
        List<String> missing = new ArrayList<>();
        for (String id : answered) {
            long n = TestRig.number(rows("SELECT COUNT(*) AS n FROM usage_records WHERE id = ?", id).get(0), "n");
            if (n != 1) {
                missing.add(id + "=" + n);
            }
        }
        assertEquals(0, missing.size(), missing.size() + " of " + before + " answered calls not found exactly once, e.g. "
                + missing.subList(0, Math.min(5, missing.size())));
        assertTrue(tomcat.log().contains("usage journal replayed"), "the journal was replayed at start");
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
