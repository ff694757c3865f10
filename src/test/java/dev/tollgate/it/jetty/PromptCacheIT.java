package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.FakeAnthropic;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
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
 * {@code prompt-cache: auto} on a Claude credential: chat calls from OpenAI and Gemini clients
 * reach Claude with the tools, the system prompt and the conversation marked for its cache, and
 * the cache reads and writes Claude reports are recorded and priced; a credential without it
 * sends no marks, and an Anthropic client's own marks pass through as sent.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PromptCacheIT {
    private static final JsonObject EPHEMERAL = json("{\"type\":\"ephemeral\"}");

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(PromptCacheIT.class, "100ms");
    }

    private static JsonObject lastSent() {
        List<FakeOpenAi.Received> all = TestRig.claude().received();
        return all.get(all.size() - 1).body();
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a long agent prompt.\"},"
                + "{\"role\":\"user\",\"content\":\"Weather?\"}],\"tools\":[{\"type\":\"function\",\"function\":{"
                + "\"name\":\"a\",\"parameters\":{\"type\":\"object\"}}},{\"type\":\"function\",\"function\":{\"name\":\"b\","
                + "\"parameters\":{\"type\":\"object\"}}}]}";
    }

    @Test
    void translatedCallsToACachingCredentialCarryTheMarks() {
        String key = newKey();
        HttpResponse<String> r = TestRig.post("v1/chat/completions", key, chat("claude-fake-cached"));
        assertEquals(200, r.statusCode(), r.body());
        JsonObject sent = lastSent();
        assertEquals(json("{\"type\":\"text\",\"text\":\"You are a long agent prompt.\",\"cache_control\":"
                + "{\"type\":\"ephemeral\"}}"), sent.getJsonArray("system").getJsonObject(0), "the system prompt");
        JsonArray tools = sent.getJsonArray("tools");
        assertEquals(EPHEMERAL, tools.getJsonObject(1).getJsonObject("cache_control"), "the last tool");
        assertFalse(tools.getJsonObject(0).containsKey("cache_control"), "one breakpoint covers every tool before it");
        JsonArray content = sent.getJsonArray("messages").getJsonObject(0).getJsonArray("content");
        assertEquals(EPHEMERAL, content.getJsonObject(content.size() - 1).getJsonObject("cache_control"), "the conversation");
        assertEquals(FakeAnthropic.CACHE_READ, json(r.body()).getJsonObject("usage").getJsonObject("prompt_tokens_details")
                .getInt("cached_tokens"));

        HttpResponse<String> gemini = TestRig.postWith("v1beta/models/claude-fake-cached:generateContent",
                "{\"systemInstruction\":{\"parts\":[{\"text\":\"Long.\"}]},\"contents\":[{\"role\":\"user\",\"parts\":"
                        + "[{\"text\":\"Hi\"}]}]}", "x-goog-api-key", key);
        assertEquals(200, gemini.statusCode(), gemini.body());
        assertEquals(EPHEMERAL, lastSent().getJsonArray("system").getJsonObject(0).getJsonObject("cache_control"));

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        for (Map<String, Object> row : rows) {
            assertEquals(List.of((long) FakeAnthropic.CACHE_READ, (long) FakeAnthropic.WRITE_5M, (long) FakeAnthropic.WRITE_1H),
                    List.of(number(row, "cached_tokens"), number(row, "cache_write_5m_tokens"),
                            number(row, "cache_write_1h_tokens")), row.toString());
        }
    }

    @Test
    void withoutTheSettingNoMarksAndAnAnthropicClientsOwnMarksPass() {
        String key = newKey();
        assertEquals(200, TestRig.post("v1/chat/completions", key, chat("claude-fake")).statusCode());
        assertFalse(lastSent().toString().contains("cache_control"), "prompt-cache is off unless the credential says auto");
        assertTrue(lastSent().get("system") instanceof JsonString, "the system prompt as plain text");

        String own = "{\"model\":\"claude-fake-cached\",\"max_tokens\":50,\"system\":[{\"type\":\"text\",\"text\":\"Mine.\","
                + "\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        HttpResponse<String> r = TestRig.postWith("v1/messages", own, "x-api-key", key);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(json(own), lastSent(), "an Anthropic client's body passes through as it was sent, its marks included");
    }
}
