package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ClientException;
import com.google.genai.types.EmbedContentResponse;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
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
 * The Gemini dialect with the official google-genai SDK: same-format calls, streams with cumulative
 * usage, Gemini clients on OpenAI and Claude models, OpenAI clients on Gemini models, and errors.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GeminiIT {
    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(GeminiIT.class, "100ms");
    }

    private static Client gemini(String key) {
        return Client.builder().apiKey(key).httpOptions(HttpOptions.builder().baseUrl(TestRig.base()).build()).build();
    }

    @Test
    void sameFormatCallsAndStreamsCountGeminisUsage() {
        String key = newKey();
        GenerateContentResponse r = gemini(key).models.generateContent("gemini-fake", "Say hello", null);
        assertEquals("Hello from fake Gemini", r.text());
        var last = TestRig.gemini().received().get(TestRig.gemini().received().size() - 1);
        assertTrue(last.path().endsWith("/v1beta/models/gemini-fake:generateContent"), last.path());
        assertEquals(List.of("goog-upstream-secret"), last.headers().get("X-goog-api-key"));

        StringBuilder streamed = new StringBuilder();
        try (ResponseStream<GenerateContentResponse> s = gemini(key).models.generateContentStream("gemini-fake",
                "Say hello", null)) {
            for (GenerateContentResponse chunk : s) {
                streamed.append(chunk.text());
            }
        }
        assertEquals("Hello from fake Gemini", streamed.toString());
        last = TestRig.gemini().received().get(TestRig.gemini().received().size() - 1);
        assertTrue(last.path().endsWith(":streamGenerateContent?alt=sse"), last.path());

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        for (Map<String, Object> row : rows) {
            assertEquals("gemini", row.get("provider"));
            assertEquals(FakeGemini.prompt(1), number(row, "prompt_tokens"));
            assertEquals(FakeGemini.CACHED, number(row, "cached_tokens"));
            assertEquals(FakeGemini.WORDS.length + FakeGemini.THOUGHTS, number(row, "completion_tokens"),
                    "output includes the thoughts; the stream's last cumulative usage, not a sum");
            assertEquals(FakeGemini.THOUGHTS, number(row, "reasoning_tokens"));
            assertEquals("reported", row.get("usage_quality"));
            assertEquals("resp-fake-gemini", row.get("upstream_request_id"));
        }
        assertEquals(1, number(rows.get(1), "stream"));
    }

    /** The SDK's embedContent (its batchEmbedContents on the wire) and the plain embedContent reach Gemini only. */
    @Test
    void embeddingsPassThroughToGemini() {
        String key = newKey();
        EmbedContentResponse r = gemini(key).models.embedContent("gemini-fake", List.of("Hello", "world"), null);
        assertEquals(List.of(List.of(0.25f, -0.5f, 0.125f), List.of(0.25f, -0.5f, 0.125f)),
                r.embeddings().orElseThrow().stream().map(e -> e.values().orElseThrow()).toList());
        FakeOpenAi.Received sent = TestRig.gemini().received().get(TestRig.gemini().received().size() - 1);
        assertEquals("/v1beta/models/gemini-fake:batchEmbedContents", sent.path());
        assertEquals("models/gemini-fake", sent.body().getJsonArray("requests").getJsonObject(1).getString("model"));

        HttpResponse<String> one = TestRig.postWith("v1beta/models/gemini-fake:embedContent",
                "{\"content\":{\"parts\":[{\"text\":\"Hello there\"}]},\"taskType\":\"RETRIEVAL_QUERY\"}",
                "x-goog-api-key", key);
        assertEquals(200, one.statusCode(), one.body());
        assertEquals("{\"embedding\":{\"values\":[0.25,-0.5,0.125]}}", one.body(), "Gemini's answer untouched");
        FakeOpenAi.Received single = TestRig.gemini().received().get(TestRig.gemini().received().size() - 1);
        assertEquals("/v1beta/models/gemini-fake:embedContent", single.path());
        assertEquals("{\"content\":{\"parts\":[{\"text\":\"Hello there\"}]},\"taskType\":\"RETRIEVAL_QUERY\"}",
                single.raw(), "the client's bytes untouched");

        HttpResponse<String> toOpenAi = TestRig.postWith("v1beta/models/fake-gpt:embedContent",
                "{\"content\":{\"parts\":[{\"text\":\"x\"}]}}", "x-goog-api-key", key);
        assertEquals(400, toOpenAi.statusCode(), "an OpenAI model cannot answer Gemini's embedContent");
        assertEquals("INVALID_ARGUMENT", json(toOpenAi.body()).getJsonObject("error").getString("status"));
        assertEquals(400, TestRig.postWith("v1beta/models/gemini-fake:embedContent", "{\"content\":\"x\"}",
                "x-goog-api-key", key).statusCode(), "content must be an object with parts");

        List<Map<String, Object>> rows = awaitRecords(key, 3);
        assertEquals(List.of("gemini", "gemini", "none"), rows.stream().map(row -> row.get("provider") == null ? "none"
                : (String) row.get("provider")).toList().subList(0, 3));
        assertTrue(number(rows.get(0), "prompt_tokens") > 0 && "estimated".equals(rows.get(0).get("usage_quality")),
                "Gemini reports no usage for embeddings: the input is counted: " + rows.get(0));
    }

    @Test
    void geminiClientsReachOpenAiAndClaudeModels() {
        String key = newKey();
        GenerateContentResponse gpt = gemini(key).models.generateContent("fake-gpt", "Say hello", null);
        assertEquals("Hello from the fake upstream", gpt.text());
        assertEquals(FakeOpenAi.promptTokens(1), (long) gpt.usageMetadata().orElseThrow().promptTokenCount().orElseThrow());

        StringBuilder streamed = new StringBuilder();
        try (ResponseStream<GenerateContentResponse> s = gemini(key).models.generateContentStream("claude-fake",
                "Say hello", null)) {
            for (GenerateContentResponse chunk : s) {
                streamed.append(chunk.text() == null ? "" : chunk.text());
            }
        }
        assertEquals("Hello from fake Claude", streamed.toString());
        JsonObject sent = TestRig.claude().received().get(TestRig.claude().received().size() - 1).body();
        assertEquals("Say hello", sent.getJsonArray("messages").getJsonObject(0).getJsonArray("content")
                .getJsonObject(0).getString("text"));

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        assertEquals(List.of("openai", "anthropic"), rows.stream().map(r -> (String) r.get("provider")).toList());
        assertEquals(FakeAnthropic.prompt(1), number(rows.get(1), "prompt_tokens"));
        assertTrue(rows.stream().allMatch(r -> "reported".equals(r.get("usage_quality"))));
    }

    /** A {@code prefix/name} model, as the OpenAI and Anthropic endpoints reach it: the SDK sends the slash as it is. */
    @Test
    void geminiClientsReachPrefixedModels() {
        String key = newKey();
        GenerateContentResponse r = gemini(key).models.generateContent("respond/resp-model", "Say hello", null);
        assertEquals("Hello from the fake upstream", r.text());
        assertEquals("/v1/responses", TestRig.fake().received().get(TestRig.fake().received().size() - 1).path());
        assertEquals(200, TestRig.postWith("v1beta/models/respond/resp-model:streamGenerateContent?alt=sse",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", "x-goog-api-key", key)
                .statusCode());
        List<Map<String, Object>> rows = awaitRecords(key, 2);
        assertTrue(rows.stream().allMatch(row -> "respond/resp-model".equals(row.get("requested_model"))
                && "resp-model".equals(row.get("model")) && "respond".equals(row.get("provider"))), rows.toString());
        assertEquals(404, TestRig.postWith("v1beta/models/respond/nothing-here:generateContent",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", "x-goog-api-key", key)
                .statusCode());
    }

    @Test
    void openAiClientsReachGeminiModelsToolCallsIncluded() {
        String key = newKey();
        JsonObject c = json(TestRig.post("v1/chat/completions", key, TestRig.chat("gemini-fake", false, null, "hi")).body());
        assertEquals("Hello from fake Gemini", c.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        assertEquals(FakeGemini.WORDS.length + FakeGemini.THOUGHTS, c.getJsonObject("usage").getInt("completion_tokens"));
        assertEquals(FakeGemini.THOUGHTS, c.getJsonObject("usage").getJsonObject("completion_tokens_details")
                .getInt("reasoning_tokens"));

        String ask = "{\"model\":\"gemini-fake-tools\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]}";
        String sse = TestRig.post("v1/chat/completions", key, ask).body();
        assertTrue(sse.contains("\"name\":\"get_weather\"") && sse.contains("\"finish_reason\":\"tool_calls\""), sse);
        assertTrue(sse.endsWith("data: [DONE]\n\n"), sse);
        JsonObject sent = TestRig.gemini().received().get(TestRig.gemini().received().size() - 1).body();
        assertEquals("get_weather", sent.getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations")
                .getJsonObject(0).getString("name"));
        assertEquals(2, awaitRecords(key, 2).size());
    }

    @Test
    void errorsListingAndTokenCountsSpeakGoogle() {
        String key = newKey();
        ClientException bad = assertThrows(ClientException.class,
                () -> gemini(key).models.generateContent("gemini-fake-400", "x", null));
        assertEquals(400, bad.code());
        assertThrows(ClientException.class, () -> gemini("wrong-key").models.generateContent("gemini-fake", "x", null));
        HttpResponse<String> unknown = TestRig.postWith("v1beta/models/no-such:generateContent",
                "{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}]}", "x-goog-api-key", key);
        assertEquals(404, unknown.statusCode());
        assertEquals("NOT_FOUND", json(unknown.body()).getJsonObject("error").getString("status"));
        HttpResponse<String> viaQuery = TestRig.postWith("v1beta/models/gemini-fake:generateContent?key=" + key,
                "{\"contents\":[{\"parts\":[{\"text\":\"x\"}]}]}");
        assertEquals(200, viaQuery.statusCode(), "the key may come as ?key=");
        HttpResponse<String> noContents = TestRig.postWith("v1beta/models/gemini-fake:generateContent", "{}",
                "x-goog-api-key", key);
        assertEquals(400, noContents.statusCode());
        assertEquals("INVALID_ARGUMENT", json(noContents.body()).getJsonObject("error").getString("status"));
        assertEquals(400, TestRig.postWith("v1beta/models/gemini-fake:streamGenerateContent",
                "{\"contents\":[]}", "x-goog-api-key", key).statusCode(), "only alt=sse streams");

        assertEquals(FakeGemini.COUNTED, (int) gemini(key).models.countTokens("gemini-fake", "Count me", null)
                .totalTokens().orElseThrow());
        assertTrue(gemini(key).models.countTokens("fake-gpt", "Count me", null).totalTokens().orElseThrow() > 0);

        JsonObject models = json(TestRig.get("v1beta/models?key=" + key, null).body());
        assertTrue(models.getJsonArray("models").stream()
                .anyMatch(m -> m.asJsonObject().getString("name").equals("models/gemini-fake")));
        List<Map<String, Object>> rows = awaitRecords(key, 4);
        assertEquals(List.of(400L, 404L, 200L, 400L), rows.stream().map(r -> number(r, "status")).toList());
        assertFalse(rows.get(0).get("error").toString().isEmpty());
    }
}
