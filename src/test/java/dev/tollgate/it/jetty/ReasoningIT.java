package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.FakeGemini;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import dev.tollgate.it.ThinkingClaude;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
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
 * Extended thinking with tools from clients of another format: Claude's thinking and Gemini's
 * thoughts reach OpenAI chat clients as {@code reasoning_content} and Responses clients as
 * reasoning items, and the history those clients send back reaches the provider as its own signed
 * blocks, so the second turn of a tool call is answered by fakes that refuse it otherwise.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReasoningIT {
    private static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
    private static final String RESPONSES_TOOLS = "[{\"type\":\"function\",\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}]";
    private static final String QUESTION = "{\"role\":\"user\",\"content\":\"Weather in Paris?\"}";

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(ReasoningIT.class, "100ms");
    }

    private static JsonObject chat(String key, String model, String messages, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"reasoning_effort\":\"medium\",\"tools\":" + TOOLS
                + ",\"messages\":" + messages + (stream ? ",\"stream\":true" : "") + "}";
        HttpResponse<String> r = TestRig.post("v1/chat/completions", key, body);
        assertEquals(200, r.statusCode(), r.body());
        return stream ? assembled(r.body()) : json(r.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    }

    /** The assistant message a client rebuilds from a chat stream's deltas, the extra fields included. */
    private static JsonObject assembled(String sse) {
        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        JsonArrayBuilder blocks = Json.createArrayBuilder();
        JsonObjectBuilder call = Json.createObjectBuilder().add("type", "function");
        StringBuilder arguments = new StringBuilder();
        String callId = null;
        String name = null;
        for (String data : TestRig.dataLines(sse)) {
            if (data.equals("[DONE]") || !(json(data).get("choices") instanceof JsonArray choices) || choices.isEmpty()) {
                continue;
            }
            JsonObject delta = choices.getJsonObject(0).getJsonObject("delta");
            content.append(delta.getString("content", ""));
            reasoning.append(delta.getString("reasoning_content", ""));
            if (delta.get("thinking_blocks") instanceof JsonArray b) {
                b.forEach(blocks::add);
            }
            if (delta.get("tool_calls") instanceof JsonArray calls) {
                JsonObject c = calls.getJsonObject(0);
                callId = c.getString("id", callId);
                JsonObject f = c.getJsonObject("function");
                name = f.getString("name", name);
                arguments.append(f.getString("arguments", ""));
            }
        }
        JsonObjectBuilder m = Json.createObjectBuilder().add("role", "assistant").add("content", content.toString())
                .add("reasoning_content", reasoning.toString()).add("thinking_blocks", blocks);
        if (callId != null) {
            m.add("tool_calls", Json.createArrayBuilder().add(call.add("id", callId).add("function",
                    Json.createObjectBuilder().add("name", name).add("arguments", arguments.toString()))));
        }
        return m.build();
    }

    /** Two turns of a tool call from an OpenAI chat client: the reasoning shown, the second turn answered. */
    private static JsonObject twoTurns(String key, String model, boolean stream) {
        JsonObject first = chat(key, model, "[" + QUESTION + "]", stream);
        String callId = first.getJsonArray("tool_calls").getJsonObject(0).getString("id");
        String history = "[" + QUESTION + "," + first + ",{\"role\":\"tool\",\"tool_call_id\":\"" + callId
                + "\",\"content\":\"21C, sunny\"}]";
        JsonObject second = chat(key, model, history, false);
        return Json.createObjectBuilder().add("first", first).add("second", second).build();
    }

    private static JsonObject lastSentTo(List<FakeOpenAi.Received> received) {
        return received.get(received.size() - 1).body();
    }

    @Test
    void aChatClientSeesClaudesThinkingAndKeepsItAcrossAToolCall() {
        String key = newKey();
        for (boolean stream : new boolean[] {false, true}) {
            JsonObject turns = twoTurns(key, ThinkingClaude.MODEL, stream);
            JsonObject first = turns.getJsonObject("first");
            assertEquals(ThinkingClaude.THOUGHT, first.getString("reasoning_content"), "stream " + stream);
            assertEquals(ThinkingClaude.SIGNATURE, first.getJsonArray("thinking_blocks").getJsonObject(0).getString("signature"));
            assertEquals(ThinkingClaude.ANSWER, turns.getJsonObject("second").getString("content"), "stream " + stream);
            JsonObject sent = lastSentTo(TestRig.claude().received());
            JsonObject thinking = sent.getJsonArray("messages").getJsonObject(1).getJsonArray("content").getJsonObject(0);
            assertEquals(List.of("thinking", ThinkingClaude.THOUGHT, ThinkingClaude.SIGNATURE),
                    List.of(thinking.getString("type"), thinking.getString("thinking"), thinking.getString("signature")),
                    "Claude received its own signed thinking block back");
            assertEquals(8192, sent.getJsonObject("thinking").getInt("budget_tokens"), "reasoning_effort medium");
        }
        List<Map<String, Object>> rows = awaitRecords(key, 4);
        assertTrue(rows.stream().allMatch(r -> number(r, "status") == 200 && number(r, "reasoning_tokens") > 0
                && number(r, "reasoning_tokens") <= number(r, "completion_tokens")), rows.toString());
    }

    /**
     * Most chat clients rebuild a message from {@code content} and {@code tool_calls} only: the
     * gateway remembers the signed thinking before each call it translated and puts it back.
     */
    @Test
    void aChatClientThatDropsTheThinkingStillGetsItsSecondTurn() {
        String key = newKey();
        for (boolean stream : new boolean[] {false, true}) {
            JsonObject first = chat(key, ThinkingClaude.MODEL, "[" + QUESTION + "]", stream);
            JsonObject bare = Json.createObjectBuilder().add("role", "assistant").add("content", first.get("content"))
                    .add("tool_calls", first.getJsonArray("tool_calls")).build();
            String history = "[" + QUESTION + "," + bare + ",{\"role\":\"tool\",\"tool_call_id\":\""
                    + first.getJsonArray("tool_calls").getJsonObject(0).getString("id") + "\",\"content\":\"21C\"}]";
            assertEquals(ThinkingClaude.ANSWER, chat(key, ThinkingClaude.MODEL, history, false).getString("content"),
                    "stream " + stream);
            HttpResponse<String> stranger = TestRig.post("v1/chat/completions", newKey(), "{\"model\":\""
                    + ThinkingClaude.MODEL + "\",\"reasoning_effort\":\"medium\",\"tools\":" + TOOLS
                    + ",\"messages\":" + history + "}");
            assertEquals(400, stranger.statusCode(), "another key's history gets no one else's thinking: " + stranger.body());
        }
    }

    @Test
    void aResponsesClientGetsReasoningItemsAndHandsThemBack() {
        String key = newKey();
        for (boolean stream : new boolean[] {false, true}) {
            String body = "{\"model\":\"" + ThinkingClaude.MODEL + "\",\"reasoning\":{\"effort\":\"low\"},\"tools\":"
                    + RESPONSES_TOOLS + ",\"input\":[" + QUESTION + "]}";
            JsonArray output;
            if (stream) {
                String sse = TestRig.post("v1/responses", key, body.replace("{\"model\"", "{\"stream\":true,\"model\"")).body();
                assertTrue(sse.contains("event: response.reasoning_summary_text.delta"), sse);
                String completed = TestRig.dataLines(sse).stream().filter(d -> d.contains("\"response.completed\""))
                        .findFirst().orElseThrow();
                output = json(completed).getJsonObject("response").getJsonArray("output");
            } else {
                output = json(TestRig.post("v1/responses", key, body).body()).getJsonArray("output");
            }
            JsonObject reasoning = output.getJsonObject(0);
            assertEquals("reasoning", reasoning.getString("type"));
            assertEquals(ThinkingClaude.THOUGHT, reasoning.getJsonArray("summary").getJsonObject(0).getString("text"));
            JsonObject call = output.getJsonObject(output.size() - 1);
            assertEquals("function_call", call.getString("type"));
            JsonArrayBuilder input = Json.createArrayBuilder().add(json(QUESTION));
            output.forEach(input::add);
            input.add(Json.createObjectBuilder().add("type", "function_call_output").add("call_id", call.getString("call_id"))
                    .add("output", "21C, sunny"));
            String next = "{\"model\":\"" + ThinkingClaude.MODEL + "\",\"reasoning\":{\"effort\":\"low\"},\"tools\":"
                    + RESPONSES_TOOLS + ",\"input\":" + input.build() + "}";
            HttpResponse<String> second = TestRig.post("v1/responses", key, next);
            assertEquals(200, second.statusCode(), second.body());
            assertTrue(second.body().contains(ThinkingClaude.ANSWER), second.body());
            JsonObject sent = lastSentTo(TestRig.claude().received());
            assertEquals(ThinkingClaude.SIGNATURE, sent.getJsonArray("messages").getJsonObject(1).getJsonArray("content")
                    .getJsonObject(0).getString("signature"), "stream " + stream);
            assertEquals(2048, sent.getJsonObject("thinking").getInt("budget_tokens"), "reasoning.effort low");
        }
    }

    @Test
    void geminisThoughtsAndSignaturesCrossToAChatClientAndBack() {
        String key = newKey();
        for (boolean stream : new boolean[] {false, true}) {
            JsonObject turns = twoTurns(key, FakeGemini.THINKING_MODEL, stream);
            assertEquals(FakeGemini.THOUGHT, turns.getJsonObject("first").getString("reasoning_content"), "stream " + stream);
            assertEquals(FakeGemini.THOUGHT_ANSWER, turns.getJsonObject("second").getString("content"), "stream " + stream);
            JsonObject sent = TestRig.gemini().received().get(TestRig.gemini().received().size() - 1).body();
            JsonObject config = sent.getJsonObject("generationConfig").getJsonObject("thinkingConfig");
            assertEquals(Json.createObjectBuilder().add("thinkingBudget", 8192).add("includeThoughts", true).build(), config);
            JsonObject callPart = sent.getJsonArray("contents").getJsonObject(1).getJsonArray("parts").getJsonObject(0);
            assertEquals(FakeGemini.THOUGHT_SIGNATURE, callPart.getString("thoughtSignature"), "the call's signature came back");
        }
        List<Map<String, Object>> rows = awaitRecords(key, 4);
        assertTrue(rows.stream().allMatch(r -> number(r, "status") == 200
                && number(r, "reasoning_tokens") == FakeGemini.THOUGHTS), rows.toString());
    }
}
