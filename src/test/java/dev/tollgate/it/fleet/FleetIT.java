package dev.tollgate.it.fleet;

import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.it.TestRig;
import dev.tollgate.it.TomcatInstance;
import dev.tollgate.store.Database;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.Driver;

/**
 * Two real Tomcats, each with the WAR and tomcat-conf/'s PostgreSQL context, sharing one real
 * PostgreSQL, with requests spread across both: what README "Scaling out" promises, end to end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String KEY = TestRig.newKey();
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static PostgresServer pg;
    private static DirectPostgresDataSource ds;
    private static TomcatInstance a;
    private static TomcatInstance b;
    /** Ground truth: every proxied call this class made, and the tokens the 200s reported. */
    private static final AtomicLong calls = new AtomicLong();
    private static final AtomicLong tokens = new AtomicLong();

    @BeforeAll
    static void startFleet() throws Exception {
        Path home = Path.of(System.getProperty("tomcat.home", "missing"));
        Assumptions.assumeTrue(Files.exists(home.resolve("bin/catalina.sh")),
                "no unpacked Tomcat (the fleet test needs the tomcat executions' setup: not -Dskip.tomcat)");
        pg = PostgresServer.start();
        ds = new DirectPostgresDataSource();
        ds.setUrl(pg.url());
        ds.setUser(pg.user());
        Database.of(ds, "fleet-it").migrate();
        // a record older than the retention period, for exactly one instance to delete
        sql("INSERT INTO usage_records (id, ts, endpoint, stream, api_key_masked, status, latency_ms, prompt_tokens, "
                + "completion_tokens, total_tokens, cached_tokens, reasoning_tokens, usage_quality, attempts, admitted) "
                + "VALUES ('ancient', ?, '/v1/chat/completions', 0, '***old', 200, 1, 1, 1, 2, 0, 0, 'exact', 1, 1)",
                System.currentTimeMillis() - 100 * DAY);
        Path war = Path.of(System.getProperty("tollgate.war"));
        Path driver = Path.of(Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = Path.of("target/fleet").toAbsolutePath();
        Files.createDirectories(dir);
        a = instance(home, dir, "fleet-a", war, driver);
        b = instance(home, dir, "fleet-b", war, driver);
        a.start();
        b.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        for (TomcatInstance t : List.of(a, b)) {
            while (status(t.url() + "_qs/health") != 200) {
                assertTrue(System.nanoTime() < deadline, t.url() + " did not start:\n" + t.log());
                TestRig.pause(200);
            }
        }
    }

    private static TomcatInstance instance(Path home, Path dir, String id, Path war, Path driver) throws IOException {
        Path config = dir.resolve(id + ".yaml");
        Files.writeString(config, TestRig.configYaml(dir.resolve("unused.db"), "200ms", "")
                .replace("instance-id: it-instance", "instance-id: " + id)
                .replace("persistence:\n", "persistence:\n  retention-days: 30\n"));
        return TomcatInstance.create(home, dir.resolve(id), war, driver, config, pg.url(), pg.user());
    }

    @AfterAll
    static void stopFleet() throws InterruptedException {
        for (TomcatInstance t : new TomcatInstance[] {a, b}) {
            if (t != null) {
                t.stop();
            }
        }
    }

    @Test
    @Order(1)
    void bothInstancesUseTheSharedStoreSayWhoTheyAreAndRetentionRanOnce() throws Exception {
        for (TomcatInstance t : List.of(a, b)) {
            JsonObject health = json(send(t.url() + "_qs/health", "GET", null, null).body());
            assertEquals("jndi:postgresql", health.getString("persistence"), health.toString());
            assertEquals(t == a ? "fleet-a" : "fleet-b", health.getString("instance_id"));
            assertFalse(t.log().contains("tollgate.db"), "the database settings come from catalina.properties, never logged");
        }
        assertEquals(1L, count("SELECT COUNT(*) FROM fleet_job_runs WHERE name = 'retention'"),
                "two instances started, retention ran once");
        assertEquals(0L, count("SELECT COUNT(*) FROM usage_records WHERE id = 'ancient'"));
    }

    @Test
    @Order(2)
    void aKeyIssuedOnOneInstanceWorksOnTheOtherAndItsRequestLimitHoldsFleetWide() {
        assertEquals(201, admin(a, "POST", "admin/users", "{\"id\":\"fleet-user\",\"name\":\"Fleet\"}").statusCode());
        JsonObject issued = json(admin(a, "POST", "admin/users/fleet-user/keys", "{\"name\":\"rpm\"}").body());
        String key = issued.getString("key");
        String keyId = issued.getString("id");
        assertEquals(200, admin(a, "PUT", "admin/keys/" + keyId + "/limits", "{\"requests_per_minute\":10}").statusCode());
        // the other instance re-reads limits every 10 s
        TestRig.await(() -> admin(b, "GET", "admin/keys/" + keyId + "/limits", null).body().contains("\"requests_per_minute\":10"),
                "instance b to see the new limit");
        int ok = 0;
        int refused = 0;
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = proxy(i % 2 == 0 ? a : b, key);
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(429, r.statusCode(), r.body());
                refused++;
            }
        }
        assertEquals(10, ok, "10 a minute across both instances, not 10 each");
        assertEquals(20, refused);
    }

    @Test
    @Order(3)
    void postgresqlStoppedMidLoadLosesNoRecordAndCountsNothingTwice() throws Exception {
        JsonObject issued = json(admin(b, "POST", "admin/users/fleet-user/keys", "{\"name\":\"outage\"}").body());
        String limitedKey = issued.getString("key");
        String keyId = issued.getString("id");
        assertEquals(200, admin(b, "PUT", "admin/keys/" + keyId + "/limits", "{\"requests_per_day\":100000}").statusCode());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong limitedCalls = new AtomicLong();
        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            workers.add(load.submit(() -> {
                for (int i = 0; running.get(); i++) {
                    boolean limited = worker % 2 == 1;
                    HttpResponse<String> r = proxy((i + worker) % 2 == 0 ? a : b, limited ? limitedKey : KEY);
                    assertEquals(200, r.statusCode(), "proxying goes on while the database is away: " + r.body());
                    if (limited) {
                        limitedCalls.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        TestRig.pause(1500);
        pg.stop();
        TestRig.pause(3000);
        long duringOutage = calls.get();
        TestRig.pause(1000);
        assertTrue(calls.get() > duringOutage, "requests were answered while PostgreSQL was down");
        pg.restart();
        TestRig.pause(1500);
        running.set(false);
        for (Future<?> f : workers) {
            f.get();
        }
        load.shutdown();

        for (TomcatInstance t : List.of(a, b)) {
            TestRig.await(() -> {
                JsonObject h = json(send(t.url() + "_qs/health", "GET", null, null).body());
                return h.getBoolean("ok") && h.getInt("queue_depth") == 0;
            }, t.url() + " to write what it held");
        }
        assertEquals(calls.get(), count("SELECT COUNT(*) FROM usage_records"), "one record per call, none lost");
        assertEquals(calls.get(), count("SELECT COUNT(DISTINCT id) FROM usage_records"), "none written twice");
        // what each instance counted while alone reached the fleet once: both see exactly the calls made
        for (TomcatInstance t : List.of(a, b)) {
            try {
                TestRig.await(() -> usedRequestsPerDay(t, keyId) == limitedCalls.get(),
                        t.url() + " to count " + limitedCalls.get() + " calls of the limited key");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": a counts " + usedRequestsPerDay(a, keyId) + ", b counts "
                        + usedRequestsPerDay(b, keyId) + ", the ledger holds " + count(
                        "SELECT COALESCE(SUM(requests), 0) FROM limit_ledger WHERE subject = 'KEY:" + keyId + "'")
                        + " requests in " + count("SELECT COUNT(*) FROM limit_ledger WHERE subject = 'KEY:" + keyId
                        + "' AND requests > 0") + " rows", e);
            }
        }
        assertEquals(limitedCalls.get(), usedRequestsPerDay(a, keyId));
    }

    @Test
    @Order(4)
    void metricsFromEitherInstanceEqualTheGroundTruth() {
        for (TomcatInstance t : List.of(a, b)) {
            JsonObject totals = json(admin(t, "GET", "_qs/metrics", null).body()).getJsonObject("totals");
            assertEquals(calls.get(), totals.getJsonNumber("requests").longValue(), t.url() + " " + totals);
            assertEquals(tokens.get(), totals.getJsonNumber("tokens").longValue(), t.url() + " " + totals);
        }
    }

    private static long usedRequestsPerDay(TomcatInstance t, String keyId) {
        JsonObject limits = json(admin(t, "GET", "admin/keys/" + keyId + "/limits", null).body());
        return limits.getJsonObject("used").getJsonNumber("requests_per_day").longValue();
    }

    @Test
    @Order(5)
    void aCredentialAddedOnOneInstanceServesCallsOnTheOther() {
        HttpResponse<String> added = admin(a, "POST", "admin/providers", "{\"format\":\"openai\",\"name\":\"fleet-added\","
                + "\"base-url\":\"" + TestRig.fake().baseUrl() + "\",\"api-key\":\"sk-fleet-added\","
                + "\"models\":[{\"id\":\"fake-gpt\",\"alias\":\"fleet-added-model\"}]}");
        assertEquals(201, added.statusCode(), added.body());
        String label = "fleet-added#" + json(added.body()).getString("id");
        // instance b re-reads the stored credentials every 3 s
        TestRig.await(() -> {
            calls.incrementAndGet();
            return send(b.url() + "v1/chat/completions", "POST", "Bearer " + KEY,
                    chat("fleet-added-model", false, null, "via b")).statusCode() == 200;
        }, "instance b to serve the credential added on a");
        assertTrue(admin(b, "GET", "admin/providers", null).body().contains("\"label\":\"" + label + "\""));
        // the System page's list: both instances, each with its config file's hash (the files differ by instance-id)
        TestRig.await(() -> json(admin(a, "GET", "admin/system", null).body()).getJsonArray("instances").size() == 2,
                "both instances in the fleet's list");
        JsonObject system = json(admin(a, "GET", "admin/system", null).body());
        String ownHash = system.getJsonObject("config").getString("hash");
        for (JsonObject i : system.getJsonArray("instances").getValuesAs(JsonObject.class)) {
            assertEquals("up", i.getString("state"), i.toString());
            assertEquals(i.getString("instance_id").equals("fleet-a"), i.getString("config_hash").equals(ownHash), i.toString());
        }
    }

    private static HttpResponse<String> proxy(TomcatInstance t, String key) {
        HttpResponse<String> r = send(t.url() + "v1/chat/completions", "POST", "Bearer " + key,
                chat("fake-gpt", false, null, "hello fleet"));
        calls.incrementAndGet();
        if (r.statusCode() == 200) {
            tokens.addAndGet(json(r.body()).getJsonObject("usage").getJsonNumber("total_tokens").longValue());
        }
        return r;
    }

    private static HttpResponse<String> admin(TomcatInstance t, String method, String path, String body) {
        return send(t.url() + path, method, "Basic " + Base64.getEncoder()
                .encodeToString(TestRig.ADMIN.getBytes(StandardCharsets.UTF_8)), body);
    }

    private static int status(String url) {
        try {
            return send(url, "GET", null, null).statusCode();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    private static HttpResponse<String> send(String url, String method, String authorization, String body) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        try {
            return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long count(String query) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(query);
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sql(String statement, long param) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(statement)) {
            p.setLong(1, param);
            p.executeUpdate();
        }
    }
}
