package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.it.FakeAnthropic;
import dev.tollgate.it.FakeGemini;
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

/**
 * The Anthropic dialect with the official Anthropic Java SDK: same-format calls to an Anthropic
 * upstream, and both directions of translation (Anthropic clients on OpenAI models, OpenAI clients
 * on Claude models), streams included, each counted once in the usage records.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AnthropicIT {
    /** claude-fake: $3 input, $15 output, $0.30 cache read, $3.75 / $6 cache writes per million, in pico-USD per token. */
    private static final long IN = 3_000_000;
    private static final long OUT = 15_000_000;
    private static final long READ = 300_000;
    private static final long W5 = 3_750_000;
    private static final long W1 = 6_000_000;

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(AnthropicIT.class, "100ms");
    }

    private static AnthropicClient claude(String key) {
        return AnthropicOkHttpClient.builder().baseUrl(TestRig.base().replaceAll("/$", "")).apiKey(key).maxRetries(0)
                .build();
    }

    private static OpenAIClient openAi(String key) {
        return TestRig.openAiSdk(key);
    }

    private static MessageCreateParams ask(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(100).system("Be kind.").addUserMessage("Say hello")
                .build();
    }

    private static String text(Message m) {
        StringBuilder b = new StringBuilder();
        m.content().forEach(c -> c.text().ifPresent(t -> b.append(t.text())));
        return b.toString();
    }

    @Test
    void sameFormatPassesThroughAndCountsCacheWritesApart() {
        String key = newKey();
        Message m = claude(key).messages().create(ask("claude-fake"));
        assertEquals("Hello from fake Claude", text(m));
        assertEquals(FakeAnthropic.input(1), m.usage().inputTokens());
        assertEquals(FakeAnthropic.CACHE_READ, m.usage().cacheReadInputTokens().orElseThrow());

        FakeOpenAiReceived last = last();
        assertEquals(List.of("sk-ant-upstream-secret"), last.headers.get("X-api-key"), "the credential's key, not the client's");
        assertFalse(last.headers.containsKey("Authorization"));
        assertTrue(last.headers.containsKey("Anthropic-version"));

        Map<String, Object> row = awaitRecords(key, 1).get(0);
        long prompt = FakeAnthropic.prompt(1);
        assertEquals(prompt, number(row, "prompt_tokens"));
        assertEquals(FakeAnthropic.CACHE_READ, number(row, "cached_tokens"));
        assertEquals(FakeAnthropic.WRITE_5M, number(row, "cache_write_5m_tokens"));
        assertEquals(FakeAnthropic.WRITE_1H, number(row, "cache_write_1h_tokens"));
        assertEquals(4, number(row, "completion_tokens"));
        assertEquals("anthropic", row.get("provider"));
        assertEquals("/v1/messages", row.get("endpoint"));
        assertEquals("reported", row.get("usage_quality"));
        assertEquals("req_fake_anthropic", row.get("upstream_request_id"));
        long expected = FakeAnthropic.input(1) * IN + FakeAnthropic.CACHE_READ * READ + FakeAnthropic.WRITE_5M * W5
                + FakeAnthropic.WRITE_1H * W1 + 4 * OUT;
        assertEquals(expected, number(row, "cost_pusd"));
    }

    @Test
    void sameFormatStreamsKeepTheirEventsAndUsage() {
        String key = newKey();
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = claude(key).messages().createStreaming(ask("claude-fake"))) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertEquals("Hello from fake Claude", text(m));
        assertEquals(4, m.usage().outputTokens());
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(FakeAnthropic.prompt(1), number(row, "prompt_tokens"), "input from message_start, kept");
        assertEquals(4, number(row, "completion_tokens"), "output from message_delta, the latest");
        assertEquals(1, number(row, "stream"));
        assertEquals("reported", row.get("usage_quality"));
        assertEquals("msg_fake_stream", row.get("upstream_request_id"));
    }

    @Test
    void anthropicClientsReachOpenAiModelsStreamedOrNot() {
        String key = newKey();
        Message m = claude(key).messages().create(ask("fake-gpt"));
        assertEquals("Hello from the fake upstream", text(m));
        long prompt = FakeOpenAi.promptTokens(2); // the system prompt became a system message
        assertEquals(prompt - FakeOpenAi.CACHED, m.usage().inputTokens());
        assertEquals(FakeOpenAi.CACHED, m.usage().cacheReadInputTokens().orElseThrow());
        assertEquals(5, m.usage().outputTokens());
        JsonObject sent = TestRig.fake().received().get(TestRig.fake().received().size() - 1).body();
        assertEquals("system", sent.getJsonArray("messages").getJsonObject(0).getString("role"));

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = claude(key).messages().createStreaming(ask("fake-gpt"))) {
            s.stream().forEach(acc::accumulate);
        }
        assertEquals("Hello from the fake upstream", text(acc.message()));
        assertEquals(5, acc.message().usage().outputTokens());

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        assertEquals(2, rows.size());
        for (Map<String, Object> row : rows) {
            assertEquals("openai", row.get("provider"));
            assertEquals(prompt, number(row, "prompt_tokens"));
            assertEquals(5, number(row, "completion_tokens"));
            assertEquals("reported", row.get("usage_quality"));
            assertEquals(200, number(row, "status"));
        }
    }

    @Test
    void openAiClientsReachClaudeModelsStreamedOrNot() {
        String key = newKey();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude-fake")
                .addUserMessage("Say hello").build();
        ChatCompletion c = openAi(key).chat().completions().create(params);
        assertEquals("Hello from fake Claude", c.choices().get(0).message().content().orElseThrow());
        assertEquals(FakeAnthropic.prompt(1), c.usage().orElseThrow().promptTokens());
        JsonObject sent = last().body;
        assertEquals(4096, sent.getInt("max_tokens"), "Anthropic needs max_tokens: the documented default");

        StringBuilder streamed = new StringBuilder();
        long[] usage = new long[1];
        try (var s = openAi(key).chat().completions().createStreaming(params.toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach((ChatCompletionChunk chunk) -> {
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertEquals("Hello from fake Claude", streamed.toString());
        assertEquals(4, usage[0]);

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        assertEquals(2, rows.size());
        for (Map<String, Object> row : rows) {
            assertEquals("anthropic", row.get("provider"));
            assertEquals("/v1/chat/completions", row.get("endpoint"));
            assertEquals(FakeAnthropic.prompt(1), number(row, "prompt_tokens"));
            assertEquals(FakeAnthropic.WRITE_1H, number(row, "cache_write_1h_tokens"));
            assertEquals("reported", row.get("usage_quality"));
        }
    }

    @Test
    void anAnthropicSdkStreamsFromGeminiAndAnOpenAiSdkFromClaudeWithExactMetrics() {
        String key = newKey();
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = claude(key).messages().createStreaming(MessageCreateParams.builder()
                .model("gemini-fake").maxTokens(100).addUserMessage("Say hello").build())) {
            s.stream().forEach(acc::accumulate);
        }
        assertEquals("Hello from fake Gemini", text(acc.message()));
        assertEquals(FakeGemini.WORDS.length + FakeGemini.THOUGHTS,
                acc.message().usage().outputTokens());

        StringBuilder streamed = new StringBuilder();
        try (var s = openAi(key).chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model("claude-fake").addUserMessage("Say hello").build())) {
            s.stream().forEach((ChatCompletionChunk chunk) ->
                    chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        }
        assertEquals("Hello from fake Claude", streamed.toString());

        awaitRecords(key, 2);
        JsonObject metrics = json(TestRig.operator("_qs/metrics", TestRig.ADMIN).body());
        JsonObject mine = metrics.getJsonArray("by_api_key").getValuesAs(JsonObject.class).stream()
                .filter(o -> o.getString("api_key").equals(TestRig.masked(key))).findFirst().orElseThrow();
        long gemini = FakeGemini.prompt(1) + FakeGemini.WORDS.length
                + FakeGemini.THOUGHTS;
        long claude = FakeAnthropic.prompt(1) + FakeAnthropic.WORDS.length;
        assertEquals(2, mine.getInt("requests"));
        assertEquals(gemini + claude, mine.getJsonNumber("tokens").longValue(), "exact, as each upstream reported it");
        assertEquals(FakeGemini.CACHED + FakeAnthropic.CACHE_READ, mine.getInt("cached_tokens"));
    }

    @Test
    void toolCallsCrossBothWays() {
        String key = newKey();
        String anthropicAsk = "{\"model\":\"fake-tools\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                + "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}]";
        JsonObject m = json(TestRig.postWith("v1/messages", anthropicAsk + "}", "x-api-key", key).body());
        JsonObject use = m.getJsonArray("content").getJsonObject(0);
        assertEquals("tool_use", use.getString("type"));
        assertEquals("Paris", use.getJsonObject("input").getString("city"));
        assertEquals("tool_use", m.getString("stop_reason"));
        String sse = TestRig.postWith("v1/messages", anthropicAsk + ",\"stream\":true}", "x-api-key", key).body();
        assertTrue(sse.contains("event: content_block_start") && sse.contains("\"partial_json\":\"{\\\"city\\\":\""), sse);
        assertTrue(sse.contains("\"stop_reason\":\"tool_use\"") && sse.trim().endsWith("{\"type\":\"message_stop\"}"), sse);

        String openAiAsk = "{\"model\":\"claude-fake-tools\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]";
        JsonObject c = json(TestRig.post("v1/chat/completions", key, openAiAsk + "}").body());
        JsonObject choice = c.getJsonArray("choices").getJsonObject(0);
        assertEquals("tool_calls", choice.getString("finish_reason"));
        JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("toolu_1", call.getString("id"));
        assertEquals("{\"city\":\"Paris\"}", call.getJsonObject("function").getString("arguments"));
        String chunks = TestRig.post("v1/chat/completions", key, openAiAsk + ",\"stream\":true}").body();
        StringBuilder args = new StringBuilder();
        for (String data : TestRig.dataLines(chunks)) {
            if (!data.equals("[DONE]")) {
                json(data).getJsonArray("choices").forEach(ch -> {
                    JsonObject delta = ch.asJsonObject().getJsonObject("delta");
                    if (delta.containsKey("tool_calls")) {
                        args.append(delta.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
                                .getString("arguments", ""));
                    }
                });
            }
        }
        assertEquals("{\"city\":\"Paris\"}", args.toString());
        assertEquals(4, awaitRecords(key, 4).size());
    }

    @Test
    void refusalsAndUpstreamErrorsComeInEachClientsFormat() {
        String key = newKey();
        assertThrows(UnauthorizedException.class, () -> claude("sk-wrong").messages().create(ask("claude-fake")));
        HttpResponse<String> noKey = TestRig.postWith("v1/messages", "{}");
        assertEquals(401, noKey.statusCode());
        assertEquals("authentication_error", json(noKey.body()).getJsonObject("error").getString("type"));
        HttpResponse<String> malformed = TestRig.postWith("v1/messages", "{nope", "x-api-key", key);
        assertEquals(400, malformed.statusCode());
        assertEquals("error", json(malformed.body()).getString("type"));
        assertEquals("invalid_request_error", json(malformed.body()).getJsonObject("error").getString("type"));
        assertThrows(NotFoundException.class, () -> claude(key).messages().create(ask("no-such-model")));

        BadRequestException upstream = assertThrows(BadRequestException.class,
                () -> claude(key).messages().create(ask("claude-fake-400")));
        assertTrue(upstream.getMessage().contains("max_tokens: too big"), upstream.getMessage());
        HttpResponse<String> translated = TestRig.post("v1/chat/completions", key,
                TestRig.chat("claude-fake-400", false, null, "hi"));
        assertEquals(400, translated.statusCode());
        assertEquals("max_tokens: too big", json(translated.body()).getJsonObject("error").getString("message"),
                "Anthropic's error, worded for the OpenAI client");

        String cut = TestRig.postWith("v1/messages", "{\"model\":\"claude-fake-cut\",\"max_tokens\":9,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", key).body();
        assertTrue(cut.contains("event: error"), cut);

        List<Map<String, Object>> rows = awaitRecords(key, 5);
        assertEquals(List.of(400L, 404L, 400L, 400L, 502L), rows.stream().map(r -> number(r, "status")).toList(),
                "the wrong and missing keys are recorded under their own fingerprints; these are this key's");
        Map<String, Object> partial = rows.get(4);
        assertEquals("partial", partial.get("usage_quality"));
        assertEquals(FakeAnthropic.prompt(1), number(partial, "prompt_tokens"));
    }

    @Test
    void tokensAreCountedByTheUpstreamOrEstimated() {
        String key = newKey();
        MessageCountTokensParams claudeModel = MessageCountTokensParams.builder().model("claude-fake")
                .addUserMessage("Count me").build();
        assertEquals(FakeAnthropic.COUNTED, claude(key).messages().countTokens(claudeModel).inputTokens());
        long estimated = claude(key).messages().countTokens(claudeModel.toBuilder().model("fake-gpt").build()).inputTokens();
        assertTrue(estimated > 3 && estimated < 20, "tokenizer estimate " + estimated);
        TestRig.pause(300);
        assertEquals(0, TestRig.records(key).size(), "counting tokens is not a model call");
    }

    /** The last call the fake Anthropic upstream received. */
    private static FakeOpenAiReceived last() {
        var all = TestRig.claude().received();
        var r = all.get(all.size() - 1);
        return new FakeOpenAiReceived(r.headers(), r.body());
    }

    private record FakeOpenAiReceived(Map<String, List<String>> headers, JsonObject body) {
    }
}
