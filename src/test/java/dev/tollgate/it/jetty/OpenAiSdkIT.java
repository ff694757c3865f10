package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The official OpenAI Java SDK, unmodified but for its base URL and key, through the gateway. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenAiSdkIT {

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(OpenAiSdkIT.class, "100ms");
    }

    private static OpenAIClient client(String key) {
        return TestRig.openAiSdk(key);
    }

    private static ChatCompletionCreateParams.Builder params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello").addUserMessage("Please");
    }

    @Test
    void nonStreaming() {
        String key = newKey();
        ChatCompletion c = client(key).chat().completions().create(params("sdk-model").build());
        assertEquals("Hello from the fake upstream", c.choices().get(0).message().content().orElseThrow());
        long prompt = FakeOpenAi.promptTokens(2);
        assertEquals(prompt, c.usage().orElseThrow().promptTokens());
        Map<String, Object> row = awaitRecords(key, 1).get(0);
        assertEquals(prompt, number(row, "prompt_tokens"));
        assertEquals(5, number(row, "completion_tokens"));
        assertEquals(FakeOpenAi.CACHED, number(row, "cached_tokens"));
        assertEquals(FakeOpenAi.REASONING, number(row, "reasoning_tokens"));
    }

    @Test
    void streamingWithAndWithoutUsage() {
        String key = newKey();
        OpenAIClient client = client(key);
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params("sdk-model").build())) {
            s.stream().forEach(chunk -> {
                assertTrue(chunk.usage().isEmpty(), "no usage chunk unless asked");
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
            });
        }
        assertEquals("Hello from the fake upstream", text.toString());

        List<Optional<CompletionUsage>> usages = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params("sdk-model")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunk -> usages.add(chunk.usage()));
        }
        long reported = usages.stream().flatMap(Optional::stream).mapToLong(u -> u.totalTokens()).sum();
        assertEquals(FakeOpenAi.promptTokens(2) + 5, reported);

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        for (Map<String, Object> row : rows) {
            assertEquals(FakeOpenAi.promptTokens(2) + 5, number(row, "total_tokens"));
            assertEquals(1, number(row, "stream"));
            assertEquals("reported", row.get("usage_quality"));
        }
    }

    @Test
    void sdkSeesOpenAiErrors() {
        String key = newKey();
        try {
            client(key).chat().completions().create(params("not-a-model").build());
            throw new AssertionError("expected a 404");
        } catch (NotFoundException e) {
            assertEquals(404, e.statusCode());
            assertTrue(e.getMessage().contains("not-a-model"), e.getMessage());
        }
    }
}
