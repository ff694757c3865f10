package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /_qs/metrics} against a known set of proxied requests, and {@code /_qs/health}. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MetricsIT {

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(MetricsIT.class, "100ms");
    }

    @Test
    void totalsModelsKeysAndBucketsEqualWhatWasSent() {
        String key = newKey();
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        long[] expectA = new long[6]; // requests, tokens, prompt, completion, cached, reasoning
        int requestsB = 0;
        for (int i = 0; i < 7; i++) {
            String[] messages = new String[1 + i % 3];
            Arrays.fill(messages, "m");
            boolean stream = i % 2 == 0;
            HttpResponse<String> r = TestRig.post("v1/chat/completions", key, chat("metrics-a", stream, null, messages));
            assertEquals(200, r.statusCode(), r.body());
            long prompt = FakeOpenAi.promptTokens(messages.length);
            expectA[0]++;
            expectA[1] += prompt + 5;
            expectA[2] += prompt;
            expectA[3] += 5;
            expectA[4] += FakeOpenAi.CACHED;
            expectA[5] += FakeOpenAi.REASONING;
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(200, TestRig.post("v1/chat/completions", key, chat("metrics-b", false, null, "x")).statusCode());
            requestsB++;
        }
        assertEquals(404, TestRig.post("v1/chat/completions", key, chat("metrics-missing", false, null, "x")).statusCode());
        awaitRecords(key, 11);
        Instant to = Instant.now().plus(1, ChronoUnit.MINUTES);

        JsonObject onlyA = metrics("?model=metrics-a&from=" + from + "&to=" + to);
        assertTotals(onlyA.getJsonObject("totals"), expectA, 0);
        // model-prices metrics-a: $3 input (no cached discount), $6 output per million tokens
        BigDecimal cost = new BigDecimal(expectA[2] * 3_000_000L + expectA[3] * 6_000_000L)
                .movePointLeft(12).stripTrailingZeros();
        assertEquals(0, cost.compareTo(onlyA.getJsonObject("totals").getJsonNumber("cost_usd").bigDecimalValue()),
                "cost_usd " + onlyA.getJsonObject("totals"));
        assertEquals(0, onlyA.getJsonObject("totals").getInt("unpriced_requests"));
        assertEquals(1, onlyA.getJsonArray("by_model").size());
        assertEquals("metrics-a", onlyA.getJsonObject("query_period").getString("model"));
        JsonArray buckets = onlyA.getJsonArray("timeseries");
        assertEquals(2, buckets.size(), "an hour back and now: the two hours touched, no gaps");
        long bucketTokens = 0;
        long bucketRequests = 0;
        for (JsonValue b : buckets) {
            JsonObject bucket = b.asJsonObject();
            assertTrue(bucket.getString("bucket_start").endsWith(":00:00Z"), bucket.toString());
            bucketTokens += bucket.getJsonNumber("tokens").longValue();
            bucketRequests += bucket.getJsonNumber("requests").longValue();
        }
        assertEquals(expectA[1], bucketTokens);
        assertEquals(expectA[0], bucketRequests);

        JsonObject all = metrics("?from=" + from + "&to=" + to + "&interval=day");
        JsonObject mine = find(all.getJsonArray("by_api_key"), "api_key", TestRig.masked(key));
        assertEquals(11, mine.getInt("requests"));
        assertEquals(1, mine.getInt("failed_requests"));
        assertEquals(expectA[1] + requestsB * (FakeOpenAi.promptTokens(1) + 5), mine.getJsonNumber("tokens").longValue());
        assertEquals(new BigDecimal("90.91"), mine.getJsonNumber("success_rate").bigDecimalValue(), "a percentage, as the seed documents it");
        JsonObject b = find(all.getJsonArray("by_model"), "model", "metrics-b");
        assertEquals(requestsB, b.getInt("requests"));
        assertEquals(requestsB, b.getInt("unpriced_requests"), "metrics-b has no price");
        assertEquals(0, b.getJsonNumber("cost_usd").bigDecimalValue().signum());
        assertEquals(0, cost(find(all.getJsonArray("by_model"), "model", "metrics-a")).compareTo(cost(mine)),
                "all of this key's priced spend is metrics-a");
        assertTrue(find(all.getJsonArray("by_provider"), "provider", "openai").getInt("requests") >= 10);
        assertTrue(all.getJsonArray("timeseries").size() >= 1);
        assertEquals("day", all.getJsonObject("query_period").getString("interval"));
        assertTrue(!all.toString().contains(key), "keys appear masked only");
    }

    @Test
    void prometheusScrapeCountsWhatThisInstanceSaw() {
        String key = newKey();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, TestRig.post("v1/chat/completions", key, chat("fake-gpt", i == 0, null, "x")).statusCode());
        }
        TestRig.awaitRecords(key, 3);
        assertEquals(401, TestRig.operator("_qs/metrics/prometheus", null).statusCode());
        HttpResponse<String> r = TestRig.operator("_qs/metrics/prometheus", TestRig.VIEWER);
        assertEquals(200, r.statusCode());
        String type = r.headers().firstValue("content-type").orElseThrow();
        assertTrue(type.startsWith("text/plain") && type.replace(" ", "").contains("version=0.0.4"), type);
        long requests = r.body().lines()
                .filter(l -> l.startsWith("tollgate_requests_total{model=\"fake-gpt\",provider=\"openai\",status=\"2xx\"}"))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertTrue(requests >= 3, r.body());
        assertTrue(r.body().contains("tollgate_database_up 1"), r.body());
    }

    @Test
    void defaultsAndBadParameters() {
        JsonObject d = metrics("");
        assertEquals("hour", d.getJsonObject("query_period").getString("interval"));
        assertEquals(25, d.getJsonArray("timeseries").size(), "the last 24 h, hourly, every bucket present");
        for (String bad : new String[] {"?from=yesterday", "?interval=minute", "?from=2026-01-02&to=2026-01-01"}) {
            HttpResponse<String> r = TestRig.operator("_qs/metrics" + bad, TestRig.VIEWER);
            assertEquals(400, r.statusCode(), bad);
            String message = json(r.body()).getJsonObject("error").getString("message");
            assertTrue(message.contains("'from'") || message.contains("'interval'"), message);
        }
    }

    @Test
    void healthReportsPersistence() {
        HttpResponse<String> r = TestRig.get("_qs/health", null);
        assertEquals(200, r.statusCode());
        JsonObject h = json(r.body());
        assertTrue(h.getBoolean("ok"));
        assertEquals(TestRig.expectedPersistence(), h.getString("persistence"));
        assertEquals("it-instance", h.getString("instance_id"));
        assertTrue(h.getBoolean("statistics_enabled") && h.getBoolean("persistence_enabled"));
        assertEquals("up", h.getJsonObject("database").getString("status"));
        assertEquals(0, h.getInt("dropped_records"));
        assertTrue(h.getString("version").startsWith("0."), h.toString());
        String key = newKey();
        long before = h.getJsonNumber("total_records_persisted").longValue();
        TestRig.post("v1/chat/completions", key, chat("fake-gpt", false, null, "x"));
        awaitRecords(key, 1);
        TestRig.await(() -> json(TestRig.get("_qs/health", null).body()).getJsonNumber("total_records_persisted")
                .longValue() == before + 1, "health to count the new record");
    }

    private static BigDecimal cost(JsonObject row) {
        return row.getJsonNumber("cost_usd").bigDecimalValue();
    }

    private static JsonObject metrics(String query) {
        HttpResponse<String> r = TestRig.operator("_qs/metrics" + query, TestRig.VIEWER);
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body());
    }

    private static JsonObject find(JsonArray rows, String field, String value) {
        return rows.stream().map(JsonValue::asJsonObject).filter(o -> o.getString(field).equals(value)).findFirst()
                .orElseThrow(() -> new AssertionError(value + " not in " + rows));
    }

    private static void assertTotals(JsonObject t, long[] e, int failed) {
        assertEquals(e[0], t.getJsonNumber("requests").longValue());
        assertEquals(e[1], t.getJsonNumber("tokens").longValue());
        assertEquals(e[2], t.getJsonNumber("prompt_tokens").longValue());
        assertEquals(e[3], t.getJsonNumber("completion_tokens").longValue());
        assertEquals(e[4], t.getJsonNumber("cached_tokens").longValue());
        assertEquals(e[5], t.getJsonNumber("reasoning_tokens").longValue());
        assertEquals(failed, t.getInt("failed_requests"));
    }
}
