package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tollgate.it.FakeAnthropic;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenAI's Responses API with the official SDK: natively to OpenAI and to a {@code wire-api: responses}
 * credential, translated to chat completions (Azure) and to Anthropic, and chat clients translated to it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ResponsesIT {
    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(ResponsesIT.class, "100ms");
    }

    private static OpenAIClient client(String key) {
        return TestRig.openAiSdk(key);
    }

    private static String text(Response r) {
        StringBuilder b = new StringBuilder();
        r.output().forEach(item -> item.message().ifPresent(m -> m.content()
                .forEach(c -> c.outputText().ifPresent(t -> b.append(t.text())))));
        return b.toString();
    }

    private static ResponseCreateParams ask(String model) {
        return ResponseCreateParams.builder().model(model).instructions("Be kind.").input("Say hello").build();
    }

    @Test
    void nativeAndTranslatedResponsesAnswerTheSdk() {
        String key = newKey();
        Response viaChat = client(key).responses().create(ask("azure-4o"));
        assertEquals("Hello from the fake upstream", text(viaChat));
        assertEquals(FakeOpenAi.promptTokens(2), viaChat.usage().orElseThrow().inputTokens());
        JsonObject sent = TestRig.azure().received().get(TestRig.azure().received().size() - 1).body();
        assertEquals("system", sent.getJsonArray("messages").getJsonObject(0).getString("role"), "instructions → system");

        Response viaClaude = client(key).responses().create(ask("claude-fake"));
        assertEquals("Hello from fake Claude", text(viaClaude));
        assertEquals(FakeAnthropic.prompt(1), viaClaude.usage().orElseThrow().inputTokens());

        Response nativeCall = client(key).responses().create(ask("resp-model"));
        assertEquals("Hello from the fake upstream", text(nativeCall));
        var last = TestRig.fake().received().get(TestRig.fake().received().size() - 1);
        assertEquals("/v1/responses", last.path());
        assertEquals("resp-model", last.body().getString("model"));

        Response openAiItself = client(key).responses().create(ask("fake-gpt"));
        assertEquals("Hello from the fake upstream", text(openAiItself));
        assertEquals("/v1/responses", TestRig.fake().received().get(TestRig.fake().received().size() - 1).path(),
                "an OpenAI key serves the Responses API natively");

        List<Map<String, Object>> rows = awaitRecords(key, 4);
        assertEquals(List.of("azure", "anthropic", "respond", "openai"),
                rows.stream().map(r -> (String) r.get("provider")).toList());
        assertEquals(FakeOpenAi.RESPONSES_INPUT, number(rows.get(2), "prompt_tokens"));
        assertEquals(4, number(rows.get(2), "cached_tokens"));
        assertEquals(2, number(rows.get(2), "reasoning_tokens"));
        assertTrue(rows.stream().allMatch(r -> "/v1/responses".equals(r.get("endpoint"))));
        assertTrue(rows.stream().allMatch(r -> "reported".equals(r.get("usage_quality"))));
    }

    @Test
    void streamedResponsesBothWays() {
        String key = newKey();
        for (String model : new String[] {"fake-gpt", "resp-model", "claude-fake"}) {
            StringBuilder text = new StringBuilder();
            long[] output = new long[1];
            try (StreamResponse<ResponseStreamEvent> s = client(key).responses().createStreaming(ask(model))) {
                s.stream().forEach(e -> {
                    e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                    e.completed().ifPresent(c -> output[0] = c.response().usage().orElseThrow().outputTokens());
                });
            }
            assertTrue(text.toString().startsWith("Hello from"), model + ": " + text);
            assertTrue(output[0] > 0, model + " reported its usage at response.completed");
        }
        String chatToResponses = TestRig.post("v1/chat/completions", key,
                TestRig.chat("resp-model", true, true, "hi")).body();
        assertTrue(chatToResponses.contains("\"content\":\" upstream\"") && chatToResponses.endsWith("data: [DONE]\n\n"),
                chatToResponses);
        assertTrue(chatToResponses.contains("\"prompt_tokens\":" + FakeOpenAi.RESPONSES_INPUT), chatToResponses);
        JsonObject plain = json(TestRig.post("v1/chat/completions", key, TestRig.chat("resp-model", false, null, "hi")).body());
        assertEquals("Hello from the fake upstream", plain.getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message").getString("content"));
        var last = TestRig.fake().received().get(TestRig.fake().received().size() - 1);
        assertEquals("/v1/responses", last.path(), "a chat client on a Responses-only credential is translated to it");

        List<Map<String, Object>> rows = awaitRecords(key, 5);
        assertEquals(5, rows.size());
        assertTrue(rows.stream().allMatch(r -> "reported".equals(r.get("usage_quality"))), rows.toString());
    }

    @Test
    void toolCallsComeBackAsFunctionCallItems() {
        String key = newKey();
        String body = "{\"model\":\"fake-tools\",\"input\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}]";
        JsonObject r = json(TestRig.post("v1/responses", key, body + "}").body());
        JsonObject call = r.getJsonArray("output").getJsonObject(0);
        assertEquals("function_call", call.getString("type"));
        assertEquals("call_1", call.getString("call_id"));
        assertEquals("{\"city\":\"Paris\"}", call.getString("arguments"));
        String sse = TestRig.post("v1/responses", key, body + ",\"stream\":true}").body();
        assertTrue(sse.contains("event: response.function_call_arguments.delta")
                && sse.contains("event: response.completed"), sse);
        assertEquals(400, TestRig.post("v1/responses", key,
                "{\"model\":\"claude-fake\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}").statusCode(),
                "stateful calls cannot be translated");
    }
}
