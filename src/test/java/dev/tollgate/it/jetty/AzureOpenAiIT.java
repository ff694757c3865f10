package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.it.FakeAzureOpenAi;
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
 * Azure OpenAI as a provider, reached by the official OpenAI and Anthropic SDKs: deployment URLs
 * with the resource's API version, the {@code api-key} header, the model mapped to its deployment,
 * Azure's stream quirks read for usage, records priced by the model and not the deployment.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AzureOpenAiIT {
    /** azure-4o's price in the test config, per token in pico-dollars: 2.50, 1.25 cached, 10 out per million. */
    private static final long IN = 2_500_000;
    private static final long CACHED = 1_250_000;
    private static final long OUT = 10_000_000;

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(AzureOpenAiIT.class, "100ms");
    }

    private static OpenAIClient openAi(String key) {
        return TestRig.openAiSdk(key);
    }

    private static AnthropicClient claude(String key) {
        return AnthropicOkHttpClient.builder().baseUrl(TestRig.base().replaceAll("/$", "")).apiKey(key).maxRetries(0)
                .build();
    }

    private static FakeAzureOpenAi.Received last() {
        List<FakeAzureOpenAi.Received> all = TestRig.azure().received();
        return all.get(all.size() - 1);
    }

    @Test
    void theOpenAiSdkReachesTheModelsDeployment() {
        String key = newKey();
        ChatCompletion c = openAi(key).chat().completions().create(ChatCompletionCreateParams.builder()
                .model("azure-4o").addUserMessage("Say hello").build());
        assertEquals("Hello from the fake upstream", c.choices().get(0).message().content().orElseThrow());
        assertEquals(FakeAzureOpenAi.MODEL, c.model(), "the model the deployment runs, as Azure names it");

        FakeAzureOpenAi.Received sent = last();
        assertEquals("/openai/deployments/prod-4o/chat/completions", sent.uri().getPath());
        assertEquals("api-version=2024-10-21", sent.uri().getQuery());
        assertEquals(List.of(FakeAzureOpenAi.KEY), sent.headers().get("Api-key"));
        assertFalse(sent.headers().containsKey("Authorization"), "neither the client's key nor a bearer goes to Azure");

        Map<String, Object> row = awaitRecords(key, 1).get(0);
        long prompt = FakeOpenAi.promptTokens(1);
        assertEquals("azure", row.get("provider"));
        assertEquals("azure#1", row.get("credential"));
        assertEquals("azure-4o", row.get("model"), "recorded and priced by the model, not the deployment");
        assertEquals(prompt, number(row, "prompt_tokens"));
        assertEquals(5, number(row, "completion_tokens"));
        assertEquals(FakeAzureOpenAi.CACHED, number(row, "cached_tokens"));
        assertEquals("reported", row.get("usage_quality"));
        assertEquals((prompt - FakeAzureOpenAi.CACHED) * IN + FakeAzureOpenAi.CACHED * CACHED + 5 * OUT,
                number(row, "cost_pusd"));
    }

    @Test
    void aStreamIsAskedForItsUsageWhichTheClientDoesNotSee() {
        String key = newKey();
        StringBuilder text = new StringBuilder();
        int[] usageChunks = {0};
        try (StreamResponse<ChatCompletionChunk> s = openAi(key).chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("azure-4o").addUserMessage("Say hello").build())) {
            s.stream().forEach(chunk -> {
                chunk.usage().ifPresent(u -> usageChunks[0]++);
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
            });
        }
        assertEquals("Hello from the fake upstream", text.toString());
        assertEquals(0, usageChunks[0], "the client did not ask for usage");
        JsonObject sent = last().body();
        assertTrue(sent.getJsonObject("stream_options").getBoolean("include_usage"), "the gateway asked for it");

        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(1, number(row, "stream"));
        assertEquals("reported", row.get("usage_quality"));
        assertEquals(FakeOpenAi.promptTokens(1), number(row, "prompt_tokens"));
        assertEquals(5, number(row, "completion_tokens"));
        assertEquals(FakeAzureOpenAi.CACHED, number(row, "cached_tokens"));
    }

    @Test
    void theAnthropicSdkStreamsAToolCallFromAzure() {
        String key = newKey();
        Tool weather = Tool.builder().name("get_weather").inputSchema(Tool.InputSchema.builder()
                .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build()).build();
        MessageAccumulator acc = MessageAccumulator.create();
        try (var s = claude(key).messages().createStreaming(
                MessageCreateParams.builder().model("azure-tools").maxTokens(100).addUserMessage("Weather in Paris?")
                        .addTool(weather).build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        ToolUseBlock use = m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
        assertEquals("get_weather", use.name());
        assertEquals(JsonValue.from(Map.of("city", "Paris")), use._input());
        assertEquals(5, m.usage().outputTokens());

        JsonObject sent = last().body();
        assertEquals("/openai/deployments/prod-tools/chat/completions", last().uri().getPath());
        assertEquals("get_weather", sent.getJsonArray("tools").getJsonObject(0).getJsonObject("function").getString("name"));
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals("/v1/messages", row.get("endpoint"));
        assertEquals("reported", row.get("usage_quality"));
        assertEquals(FakeOpenAi.promptTokens(1), number(row, "prompt_tokens"));
    }

    @Test
    void azureErrorsReachEachClientInItsOwnShape() {
        String key = newKey();
        HttpResponse<String> gone = TestRig.post("v1/chat/completions", key,
                "{\"model\":\"azure-gone\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, gone.statusCode(), gone.body());
        assertEquals("DeploymentNotFound", json(gone.body()).getJsonObject("error").getString("code"),
                "same format: Azure's own body, untouched");

        HttpResponse<String> asClaude = TestRig.postWith("v1/messages", "{\"model\":\"azure-gone\",\"max_tokens\":9,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", key);
        assertEquals(404, asClaude.statusCode(), asClaude.body());
        JsonObject error = json(asClaude.body());
        assertEquals("error", error.getString("type"));
        assertEquals("not_found_error", error.getJsonObject("error").getString("type"));
        assertTrue(error.getJsonObject("error").getString("message").contains("deployment for this resource does not exist"));

        HttpResponse<String> filtered = TestRig.postWith("v1beta/models/azure-filtered:generateContent",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", "x-goog-api-key", key);
        assertEquals(400, filtered.statusCode(), filtered.body());
        assertEquals("INVALID_ARGUMENT", json(filtered.body()).getJsonObject("error").getString("status"));

        List<Map<String, Object>> rows = awaitRecords(key, 3);
        for (Map<String, Object> row : rows) {
            assertEquals("azure", row.get("provider"));
            assertEquals("none", row.get("usage_quality"), "an error answer used no tokens");
        }
    }
}
