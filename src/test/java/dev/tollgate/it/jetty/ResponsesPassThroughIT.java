package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.awaitRecords;
import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.newKey;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.Reasoning;
import com.openai.models.ReasoningEffort;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseIncludable;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.WebSearchTool;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.RichResponse;
import dev.tollgate.it.TestRig;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An OpenAI key serves the Responses API natively: what the official SDK sends reaches the
 * upstream byte for byte, reasoning, a built-in tool, structured output, stored state and all,
 * and what the upstream answers reaches the SDK byte for byte, whole and streamed; only the
 * usage is read on the way.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ResponsesPassThroughIT {
    private static final String MODEL = "gpt-reasoner";

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(ResponsesPassThroughIT.class, "100ms");
    }

    private static OpenAIClient client(String key) {
        return TestRig.openAiSdk(key);
    }

    /** Everything a translation would drop: reasoning settings, a built-in tool, a JSON schema, stored state. */
    private static ResponseCreateParams everything(String model) {
        return ResponseCreateParams.builder().model(model)
                .input("What is the weather in Paris? Answer as JSON.")
                .previousResponseId("resp_rich_1")
                .store(true)
                .reasoning(Reasoning.builder().effort(ReasoningEffort.HIGH).summary(Reasoning.Summary.DETAILED).build())
                .addTool(WebSearchTool.builder().type(WebSearchTool.Type.WEB_SEARCH).build())
                .addInclude(ResponseIncludable.REASONING_ENCRYPTED_CONTENT)
                .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder().name("weather")
                        .strict(true)
                        .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                        "city", Map.of("type", "string"), "temp_c", Map.of("type", "number"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("city", "temp_c")))
                                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                                .build())
                        .build()).build())
                .build();
    }

    /** The body the SDK writes for {@code params}, with the SDK's own JSON mapper. */
    private static String sdkBody(ResponseCreateParams params) {
        try {
            return ObjectMappers.jsonMapper().writeValueAsString(params._body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FakeOpenAi.Received lastReceived() {
        List<FakeOpenAi.Received> all = TestRig.fake().received();
        return all.get(all.size() - 1);
    }

    @Test
    void theSdkGetsWhatOpenAiAnsweredAndOpenAiWhatTheSdkSent() {
        String key = newKey();
        ResponseCreateParams params = everything(MODEL);
        Response r = client(key).responses().create(params);

        FakeOpenAi.Received sent = lastReceived();
        assertEquals("/v1/responses", sent.path(), "passed through to OpenAI's Responses API, not translated");
        assertEquals(sdkBody(params), sent.raw(), "the upstream receives the SDK's bytes untouched");
        assertEquals(List.of("Bearer sk-upstream-secret"), sent.headers().get("Authorization"));

        assertEquals("resp_rich_1", r.previousResponseId().orElseThrow());
        assertEquals(3, r.output().size());
        ResponseReasoningItem reasoning = r.output().get(0).asReasoning();
        assertEquals(RichResponse.SUMMARY, reasoning.summary().get(0).text());
        assertEquals(RichResponse.ENCRYPTED, reasoning.encryptedContent().orElseThrow());
        ResponseOutputItem search = r.output().get(1);
        assertEquals("weather Paris today", search.asWebSearchCall().action().asSearch().query().orElseThrow());
        assertEquals(RichResponse.TEXT, r.output().get(2).asMessage().content().get(0).asOutputText().text());
        assertEquals(RichResponse.REASONING, r.usage().orElseThrow().outputTokensDetails().reasoningTokens());
        assertEquals("weather", r.text().orElseThrow().format().orElseThrow().asJsonSchema().name(),
                "OpenAI's echo of the request's settings reaches the SDK");

        HttpResponse<String> plain = TestRig.post("v1/responses", key, sdkBody(params));
        assertEquals(200, plain.statusCode(), plain.body());
        assertEquals(RichResponse.whole(json(sdkBody(params))), plain.body(), "the client gets OpenAI's bytes untouched");

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        for (Map<String, Object> row : rows) {
            assertEquals(List.of("openai", MODEL, "/v1/responses", "reported", RichResponse.INPUT, RichResponse.OUTPUT,
                    RichResponse.REASONING), List.of(row.get("provider"), row.get("model"), row.get("endpoint"),
                    row.get("usage_quality"), number(row, "prompt_tokens"), number(row, "completion_tokens"),
                    number(row, "reasoning_tokens")), row.toString());
        }
    }

    @Test
    void aStreamPassesThroughEventForEvent() {
        String key = newKey();
        ResponseCreateParams params = everything(MODEL);
        StringBuilder summary = new StringBuilder();
        StringBuilder text = new StringBuilder();
        int[] searches = new int[1];
        Response[] done = new Response[1];
        try (StreamResponse<ResponseStreamEvent> s = client(key).responses().createStreaming(params)) {
            s.stream().forEach(e -> {
                e.reasoningSummaryTextDelta().ifPresent(d -> summary.append(d.delta()));
                e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                e.webSearchCallCompleted().ifPresent(c -> searches[0]++);
                e.completed().ifPresent(c -> done[0] = c.response());
            });
        }
        assertEquals(RichResponse.SUMMARY, summary.toString(), "the reasoning summary streams to the SDK");
        assertEquals(RichResponse.TEXT, text.toString());
        assertEquals(1, searches[0], "the built-in tool's events pass");
        assertEquals("resp_rich_1", done[0].previousResponseId().orElseThrow());
        JsonObject streamed = Json.createObjectBuilder(json(sdkBody(params))).add("stream", true).build();
        assertEquals(streamed, lastReceived().body(), "the body is the SDK's, its stream flag included");

        String body = sdkBody(params).replace("\"model\":\"" + MODEL + "\"", "\"model\":\"reasoner-alias\",\"stream\":true");
        HttpResponse<String> plain = TestRig.post("v1/responses", key, body);
        assertEquals(200, plain.statusCode(), plain.body());
        assertEquals(MODEL, lastReceived().body().getString("model"), "an alias is the one thing rewritten");
        assertEquals(json(body).entrySet().stream().filter(e -> !e.getKey().equals("model")).toList(),
                lastReceived().body().entrySet().stream().filter(e -> !e.getKey().equals("model")).toList());
        assertEquals(RichResponse.stream(lastReceived().body()), plain.body(), "every event, byte for byte, in order");

        List<Map<String, Object>> rows = awaitRecords(key, 2);
        assertEquals(2, rows.size());
        for (Map<String, Object> row : rows) {
            assertEquals(List.of("openai", 1L, "reported", RichResponse.INPUT, RichResponse.OUTPUT, RichResponse.REASONING),
                    List.of(row.get("provider"), number(row, "stream"), row.get("usage_quality"),
                            number(row, "prompt_tokens"), number(row, "completion_tokens"), number(row, "reasoning_tokens")),
                    row.toString());
        }
    }

    /**
     * A stored response is the provider's: retrieving, listing its input, cancelling and deleting it
     * through the gateway reach the credential that stored it (each serving credential is asked in
     * turn; the fake, like OpenAI, shows a key only its own responses).
     */
    @Test
    void storedResponsesAreReachedWhereverTheyWereStored() {
        String key = newKey();
        OpenAIClient sdk = client(key);
        Response made = sdk.responses().create(ResponseCreateParams.builder().model("respond/resp-model").input("Say hello")
                .store(true).build());
        int before = TestRig.fake().received().size();
        Response again = sdk.responses().retrieve(made.id());
        assertEquals(made.id(), again.id());
        assertEquals("Hello from the fake upstream", again.output().get(0).asMessage().content().get(0).asOutputText().text());
        List<String> asked = TestRig.fake().received().subList(before, TestRig.fake().received().size()).stream()
                .map(r -> r.path() + " " + r.headers().get("Authorization").get(0)).toList();
        assertEquals(List.of("/v1/responses/" + made.id() + " Bearer sk-upstream-secret",
                "/v1/responses/" + made.id() + " Bearer sk-resp"), asked,
                "OpenAI's key does not know it (404); the credential that stored it answers");

        assertEquals("Say hello", sdk.responses().inputItems().list(made.id()).data().get(0).asResponseInputMessageItem()
                .content().get(0).asInputText().text());
        assertEquals("cancelled", sdk.responses().cancel(made.id()).status().orElseThrow().asString());
        sdk.responses().delete(made.id());
        NotFoundException gone = assertThrows(NotFoundException.class, () -> sdk.responses().retrieve(made.id()));
        assertTrue(gone.getMessage().contains("not found"), gone.getMessage());

        Map<String, String> apis = new TreeMap<>();
        json(TestRig.operator("admin/providers", TestRig.ADMIN).body()).getJsonArray("data").getValuesAs(JsonObject.class)
                .forEach(p -> apis.put(p.getString("label"), p.getString("wire") + " " + p.getJsonArray("apis")));
        assertEquals("openai [\"openai\",\"openai_responses\"]", apis.get("openai#1"), "the admin API lists what a key serves");
        assertEquals("openai_responses [\"openai_responses\"]", apis.get("respond#1"));

        assertEquals(401, TestRig.get("v1/responses/" + made.id(), "sk-wrong").statusCode(), "a gateway key is still needed");
        assertEquals(404, TestRig.get("v1/responses/a.b", key).statusCode(), "an id is an identifier");
        assertEquals(400, TestRig.get("v1/responses/" + made.id() + "?stream=true", key).statusCode());
        assertEquals(405, TestRig.exchange("DELETE", "v1/responses/" + made.id() + "/input_items", null,
                "Authorization", "Bearer " + key).statusCode());
    }

    @Test
    void statefulCallsAreRefusedOnlyWhereTheyMustBeTranslated() {
        String key = newKey();
        String stateful = "{\"model\":\"%s\",\"input\":\"And tomorrow?\",\"previous_response_id\":\"resp_rich_2\"}";
        HttpResponse<String> toClaude = TestRig.post("v1/responses", key, stateful.formatted("claude-fake"));
        assertEquals(400, toClaude.statusCode());
        assertEquals("invalid_request_error", json(toClaude.body()).getJsonObject("error").getString("type"));
        assertTrue(json(toClaude.body()).getJsonObject("error").getString("message").contains("previous_response_id"),
                toClaude.body());
        HttpResponse<String> toOpenAi = TestRig.post("v1/responses", key, stateful.formatted(MODEL));
        assertEquals(200, toOpenAi.statusCode(), toOpenAi.body());
        assertEquals("resp_rich_2", lastReceived().body().getString("previous_response_id"));
    }
}
