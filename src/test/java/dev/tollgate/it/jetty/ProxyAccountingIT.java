package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.chat;
import static dev.tollgate.it.TestRig.dataLines;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static dev.tollgate.it.TestRig.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OpenAI-format proxying on a real servlet container against a fake upstream over loopback HTTP. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProxyAccountingIT {

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(ProxyAccountingIT.class, "100ms");
    }

    @Test
    void nonStreamRecordsTheUpstreamsUsageExactly() {
        String key = newKey();
        long sentAt = System.nanoTime();
        HttpResponse<String> r = post("v1/chat/completions", key, chat("fake-gpt", false, null, "hi", "there", "you"));
        double clientMs = (System.nanoTime() - sentAt) / 1e6;
        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = json(r.body());
        assertEquals("Hello from the fake upstream", body.getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message").getString("content"));
        assertEquals(FakeOpenAi.promptTokens(3), body.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals("req-fake-123", r.headers().firstValue("x-request-id").orElseThrow());
        String overheadHeader = r.headers().firstValue("x-tollgate-overhead-ms").orElseThrow();
        assertTrue(overheadHeader.matches("\\d+\\.\\d{3}"), overheadHeader);
        assertTrue(Double.parseDouble(overheadHeader) <= clientMs,
                "the gateway's own time " + overheadHeader + " ms is part of the " + clientMs + " ms the client waited");

        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(200, number(row, "status"));
        assertEquals(FakeOpenAi.promptTokens(3), number(row, "prompt_tokens"));
        assertEquals(5, number(row, "completion_tokens"));
        assertEquals(FakeOpenAi.promptTokens(3) + 5, number(row, "total_tokens"));
        assertEquals(FakeOpenAi.CACHED, number(row, "cached_tokens"));
        assertEquals(FakeOpenAi.REASONING, number(row, "reasoning_tokens"));
        assertEquals("reported", row.get("usage_quality"));
        assertEquals("it-instance", row.get("instance_id"), "the instance that served it");
        assertEquals("openai", row.get("provider"));
        assertEquals("fake-gpt", row.get("model"));
        assertEquals("/v1/chat/completions", row.get("endpoint"));
        assertEquals(0, number(row, "stream"));
        assertEquals("req-fake-123", row.get("upstream_request_id"));
        assertEquals(64, ((String) row.get("api_key_hash")).length());
        // model-prices fake-gpt: $1 input, $0.50 cached input, $2 output per million = 1e6, 5e5, 2e6 pico-USD per token
        long uncached = FakeOpenAi.promptTokens(3) - FakeOpenAi.CACHED;
        assertEquals(uncached * 1_000_000 + FakeOpenAi.CACHED * 500_000L + 5 * 2_000_000L, number(row, "cost_pusd"));
        assertEquals(1_000_000, number(row, "price_input_pusd"));
        assertEquals(500_000, number(row, "price_cached_pusd"));
        assertEquals(2_000_000, number(row, "price_output_pusd"));
        assertTrue(number(row, "latency_ms") >= 0);
        assertNull(row.get("ttfb_ms"));
    }

    @Test
    void streamWithoutIncludeUsageIsMeteredButTheUsageChunkStaysHidden() {
        String key = newKey();
        int before = TestRig.fake().received().size();
        HttpResponse<String> r = post("v1/chat/completions", key, chat("fake-gpt", true, null, "hi"));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertTrue(Double.parseDouble(r.headers().firstValue("x-tollgate-overhead-ms").orElseThrow()) >= 0);
        List<String> data = dataLines(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        assertEquals(FakeOpenAi.WORDS.length + 1, data.size(), "five content chunks and [DONE], no usage chunk");
        assertFalse(r.body().contains("\"usage\""), r.body());

        JsonObject sent = TestRig.fake().received().get(before).body();
        assertTrue(sent.getJsonObject("stream_options").getBoolean("include_usage"), "the gateway asked for usage");

        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(FakeOpenAi.promptTokens(1), number(row, "prompt_tokens"));
        assertEquals(5, number(row, "completion_tokens"));
        assertEquals(FakeOpenAi.CACHED, number(row, "cached_tokens"));
        assertEquals("reported", row.get("usage_quality"));
        assertEquals(1, number(row, "stream"));
        assertTrue(number(row, "ttfb_ms") <= number(row, "latency_ms"));
    }

    @Test
    void streamWithIncludeUsageGivesTheClientTheUsageChunk() {
        String key = newKey();
        HttpResponse<String> r = post("v1/chat/completions", key, chat("fake-gpt", true, true, "hi", "again"));
        List<String> data = dataLines(r.body());
        JsonObject usageChunk = json(data.get(data.size() - 2));
        assertEquals(FakeOpenAi.promptTokens(2), usageChunk.getJsonObject("usage").getInt("prompt_tokens"));
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(usageChunk.getJsonObject("usage").getInt("total_tokens"), number(row, "total_tokens"));
    }

    @Test
    void aliasIsRewrittenAndTheClientKeyNeverGoesUpstream() {
        String key = newKey();
        int before = TestRig.fake().received().size();
        HttpResponse<String> r = post("v1/chat/completions", key, chat("gpt-alias", false, null, "hi"));
        assertEquals(200, r.statusCode(), r.body());
        FakeOpenAi.Received got = TestRig.fake().received().get(before);
        assertEquals("fake-gpt", got.body().getString("model"));
        assertEquals(List.of("Bearer sk-upstream-secret"), got.headers().get("Authorization"));
        assertEquals(List.of("it"), got.headers().get("X-upstream-tag"));
        assertFalse(got.headers().toString().contains(key));
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals("gpt-alias", row.get("requested_model"));
        assertEquals("fake-gpt", row.get("model"));
    }

    @Test
    void missingUsageIsEstimatedWithTheTokenizer() {
        String key = newKey();
        assertEquals(200, post("v1/chat/completions", key, chat("fake-nousage", false, null, "Hello world")).statusCode());
        assertEquals(200, post("v1/chat/completions", key, chat("fake-nousage", true, null, "Hello world")).statusCode());
        for (Map<String, Object> row : awaitRecords(key, 2)) {
            assertEquals("estimated", row.get("usage_quality"));
            assertEquals(2 + 3 + 3, number(row, "prompt_tokens"), "'Hello world' plus chat framing");
            assertEquals(5, number(row, "completion_tokens"), "'Hello from the fake upstream' is 5 tokens");
        }
    }

    @Test
    void aCutStreamIsRecordedAsPartialWithABadGatewayStatus() {
        String key = newKey();
        HttpResponse<String> r = post("v1/chat/completions", key, chat("fake-cut", true, null, "hi"));
        assertEquals(200, r.statusCode(), "the status line was already sent");
        assertTrue(r.body().contains("\"error\""), "the client is told in-stream: " + r.body());
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(502, number(row, "status"));
        assertEquals("partial", row.get("usage_quality"));
        assertEquals(2, number(row, "completion_tokens"), "'Hello from' seen before the cut");
        assertTrue(((String) row.get("error")).contains("before its end event"));
    }

    @Test
    void upstreamErrorsPassThroughUnchanged() {
        String key = newKey();
        HttpResponse<String> r = post("v1/chat/completions", key, chat("fake-400", false, null, "hi"));
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":{\"message\":\"Invalid 'temperature': too hot.\",\"type\":\"invalid_request_error\","
                + "\"param\":\"temperature\",\"code\":null}}", r.body());
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(400, number(row, "status"));
        assertEquals(0, number(row, "total_tokens"));
    }

    @Test
    void aServerErrorIsRetriedOnce() {
        String key = newKey();
        int ok = 0;
        for (int i = 0; i < 4; i++) {
            ok += post("v1/chat/completions", key, chat("fake-flaky", false, null, "hi")).statusCode() == 200 ? 1 : 0;
        }
        assertEquals(4, ok, "every other upstream call fails; one retry covers it");
        List<Map<String, Object>> rows = awaitRecords(key, 4);
        assertEquals(4, rows.size());
        assertTrue(rows.stream().allMatch(row -> number(row, "attempts") == 2), "each first attempt met the 500");
    }

    @Test
    void refusalsAreInOpenAiFormatAndRecorded() {
        String key = newKey();
        assertError(post("v1/chat/completions", "sk-wrong", chat("fake-gpt", false, null, "x")), 401, "invalid_api_key");
        assertError(post("v1/chat/completions", null, chat("fake-gpt", false, null, "x")), 401, "invalid_api_key");
        assertError(post("v1/chat/completions", key, "{\"model\": \"fake-gpt\", \"messages\": ["), 400, "invalid_request");
        assertError(post("v1/chat/completions", key, "[1,2]"), 400, "invalid_request");
        assertError(post("v1/chat/completions", key, "{\"messages\":[]}"), 400, "invalid_request");
        assertError(post("v1/chat/completions", key, "{\"model\":42,\"messages\":[]}"), 400, "invalid_request");
        assertError(post("v1/chat/completions", key, "{\"model\":\"fake-gpt\"}"), 400, "invalid_request");
        assertError(post("v1/chat/completions", key, "{\"model\":\"fake-gpt\",\"messages\":[],\"stream\":\"yes\"}"),
                400, "invalid_request");
        assertError(post("v1/chat/completions", key, chat("no-such-model", false, null, "x")), 404, "model_not_found");
        assertError(post("v1/chat/completions", key, chat("x".repeat(70_000), false, null, "x")), 413, "request_too_large");
        assertError(post("v1/chat/completions", key, chat("dead-model", false, null, "x")), 502, "upstream_unavailable");
        assertError(post("v1/chat/completions", key, chat("fake-hang", false, null, "x")), 504, "upstream_timeout");
        assertError(post("v1/nothing-here", key, "{}"), 404, "model_not_found");

        List<Map<String, Object>> rows = awaitRecords(key, 10);
        assertEquals(List.of(400L, 400L, 400L, 400L, 400L, 400L, 404L, 413L, 502L, 504L),
                rows.stream().map(row -> number(row, "status")).sorted().toList(),
                "each refused model call is recorded once; the unknown path is not a model call");
        // refused before an upstream had the request: no model call, zero tokens, truly
        assertTrue(rows.stream().filter(row -> number(row, "status") != 504)
                .allMatch(row -> number(row, "total_tokens") == 0 && "none".equals(row.get("usage_quality"))));
        // the upstream had the request and never answered: its prompt counted, and the record says how
        Map<String, Object> timedOut = rows.stream().filter(row -> number(row, "status") == 504).findFirst().orElseThrow();
        assertEquals("partial", timedOut.get("usage_quality"));
        assertTrue(number(timedOut, "prompt_tokens") > 0, timedOut.toString());
        assertEquals(0, number(timedOut, "completion_tokens"));
        assertTrue(rows.stream().allMatch(row -> row.get("error") != null));
        List<Map<String, Object>> wrongKey = awaitRecords("sk-wrong", 1);
        assertEquals(401, number(wrongKey.get(0), "status"), "a refused key is recorded under what it presented");
    }

    @Test
    void completionsEmbeddingsModelsAndTheMockProvider() {
        String key = newKey();
        HttpResponse<String> e = post("v1/embeddings", key, "{\"model\":\"fake-gpt\",\"input\":\"hello\"}");
        assertEquals(200, e.statusCode(), e.body());
        HttpResponse<String> c = post("v1/completions", key, "{\"model\":\"mock-gpt\",\"prompt\":\"Hello world\"}");
        assertEquals(200, c.statusCode(), c.body());
        assertEquals(9, json(c.body()).getJsonObject("usage").getInt("completion_tokens"));
        HttpResponse<String> s = post("v1/chat/completions", key, chat("mock-gpt", true, null, "Hello world"));
        assertEquals(9 + 1, dataLines(s.body()).size());

        HttpResponse<String> models = TestRig.get("v1/models", key);
        assertEquals(200, models.statusCode());
        assertTrue(models.body().contains("\"id\":\"gpt-alias\"") && models.body().contains("\"owned_by\":\"demo\""));
        assertEquals(401, TestRig.get("v1/models", null).statusCode());

        List<Map<String, Object>> rows = awaitRecords(key, 3);
        assertEquals(6, number(rows.get(0), "prompt_tokens"), "embeddings usage");
        assertEquals("demo", rows.get(1).get("provider"));
        assertEquals(2 + 9, number(rows.get(1), "total_tokens"), "mock: tokenizer prompt + configured completion");
        assertEquals("reported", rows.get(2).get("usage_quality"));
        assertEquals(9, number(rows.get(2), "completion_tokens"));
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        JsonObject error = json(r.body()).getJsonObject("error");
        assertFalse(error.getString("message").isBlank());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), "no stack trace: " + r.body());
        if (!code.equals("model_not_found") || status == 404) {
            assertEquals(code, error.getString("code"), r.body());
        }
    }
}
