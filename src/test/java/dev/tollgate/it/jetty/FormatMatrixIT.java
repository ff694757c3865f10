package dev.tollgate.it.jetty;

import static dev.tollgate.it.TestRig.json;
import static dev.tollgate.it.TestRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.it.FakeAnthropic;
import dev.tollgate.it.FakeAzureOpenAi;
import dev.tollgate.it.FakeGemini;
import dev.tollgate.it.FakeOpenAi;
import dev.tollgate.it.TestRig;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every client format × every provider format, streamed and not, plain text and a tool call:
 * the text, the tool call and the usage the client receives are right, and the usage record
 * equals what the upstream reported, normalised (prompt = all input, cached included; completion
 * = all output, reasoning included).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FormatMatrixIT {
    /**
     * Tool parameters in the shapes each client's SDK writes them, which each fake upstream checks
     * as its provider does: pydantic's JSON Schema (OpenAI's {@code pydantic_function_tool}, strict),
     * zod's (Anthropic's helpers: {@code $schema}, {@code additionalProperties}), and google-genai's
     * Schema (upper-case types, {@code nullable}, {@code propertyOrdering}).
     */
    private static final String PYDANTIC_SCHEMA = "{\"type\":\"object\",\"title\":\"GetWeather\",\"properties\":{"
            + "\"city\":{\"type\":\"string\",\"title\":\"City\"},\"unit\":{\"anyOf\":[{\"$ref\":\"#/$defs/Unit\"},"
            + "{\"type\":\"null\"}]}},\"required\":[\"city\",\"unit\"],\"additionalProperties\":false,"
            + "\"$defs\":{\"Unit\":{\"type\":\"string\",\"enum\":[\"C\",\"F\"],\"title\":\"Unit\"}}}";
    private static final String ZOD_SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
            + "\"unit\":{\"type\":[\"string\",\"null\"],\"enum\":[\"C\",\"F\",null]}},\"required\":[\"city\"],"
            + "\"additionalProperties\":false,\"$schema\":\"http://json-schema.org/draft-07/schema#\"}";
    private static final String GENAI_SCHEMA = "{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\","
            + "\"description\":\"the city\"},\"unit\":{\"type\":\"STRING\",\"format\":\"enum\",\"enum\":[\"C\",\"F\"],"
            + "\"nullable\":true},\"days\":{\"type\":\"INTEGER\",\"maximum\":7}},\"required\":[\"city\"],"
            + "\"propertyOrdering\":[\"city\",\"unit\",\"days\"]}";

    /** What each fake upstream answers for a one-message request, normalised. */
    private record Upstream(String provider, String textModel, String toolModel, String text, long prompt,
                            long completion, long cached, long reasoning) {
    }

    private static final List<Upstream> UPSTREAMS = List.of(
            new Upstream("openai", "fake-gpt", "fake-tools", "Hello from the fake upstream", FakeOpenAi.promptTokens(1),
                    5, FakeOpenAi.CACHED, FakeOpenAi.REASONING),
            new Upstream("anthropic", "claude-fake", "claude-fake-tools", "Hello from fake Claude", FakeAnthropic.prompt(1),
                    FakeAnthropic.WORDS.length, FakeAnthropic.CACHE_READ, 0),
            new Upstream("gemini", "gemini-fake", "gemini-fake-tools", "Hello from fake Gemini", FakeGemini.prompt(1),
                    FakeGemini.WORDS.length + FakeGemini.THOUGHTS, FakeGemini.CACHED, FakeGemini.THOUGHTS),
            new Upstream("respond", "resp-model", "resp-tools", "Hello from the fake upstream", FakeOpenAi.RESPONSES_INPUT,
                    5, 4, 2),
            new Upstream("azure", "azure-4o", "azure-tools", "Hello from the fake upstream", FakeOpenAi.promptTokens(1),
                    5, FakeAzureOpenAi.CACHED, 0));

    private enum Client { OPENAI, ANTHROPIC, GEMINI, RESPONSES }

    /** What the client saw, its usage read back into normalised terms. */
    private record Seen(String text, String toolName, JsonObject toolArgs, long prompt, long completion, long cached) {
    }

    @Deployment(testable = false)
    static WebArchive war() {
        return TestRig.deployment(FormatMatrixIT.class, "100ms");
    }

    /** One named test per client format × provider format × streamed or not × text or a tool call. */
    @TestFactory
    Stream<DynamicTest> everyClientFormatReachesEveryProviderFormat() {
        List<DynamicTest> cells = new ArrayList<>();
        for (Client client : Client.values()) {
            for (Upstream up : UPSTREAMS) {
                for (boolean stream : new boolean[] {false, true}) {
                    for (boolean tools : new boolean[] {false, true}) {
                        String name = client + " → " + up.provider() + (stream ? " stream" : "") + (tools ? " tools" : "");
                        cells.add(DynamicTest.dynamicTest(name, () -> cell(name, client, up, stream, tools)));
                    }
                }
            }
        }
        return cells.stream();
    }

    /**
     * OpenAI serves the Responses API itself: a Responses client's call to an OpenAI model passes
     * through untranslated and is answered with the fake's Responses usage.
     */
    private static Upstream answering(Client client, Upstream up) {
        return client == Client.RESPONSES && up.provider().equals("openai")
                ? new Upstream("openai", up.textModel(), up.toolModel(), up.text(), FakeOpenAi.RESPONSES_INPUT, 5, 4, 2) : up;
    }

    private static void cell(String name, Client client, Upstream upstream, boolean stream, boolean tools) {
        Upstream up = answering(client, upstream);
        String key = TestRig.newKey();
        Seen seen = call(client, tools ? up.toolModel() : up.textModel(), stream, tools, key);
        if (tools) {
            assertEquals("get_weather", seen.toolName(), name + ": tool name");
            assertEquals("Paris", seen.toolArgs().getString("city"), name + ": tool arguments");
        } else {
            assertEquals(up.text(), seen.text(), name + ": text");
        }
        assertEquals(List.of(up.prompt(), up.completion(), up.cached()), List.of(seen.prompt(), seen.completion(),
                seen.cached()), name + ": prompt, completion, cached tokens the client sees");
        List<Map<String, Object>> rows = TestRig.awaitRecords(key, 1);
        assertEquals(1, rows.size(), name + ": one record per call");
        Map<String, Object> r = rows.get(0);
        assertEquals(List.of(up.provider(), 200L, "reported", up.prompt(), up.completion(), up.cached(), up.reasoning()),
                List.of(r.get("provider"), number(r, "status"), r.get("usage_quality"), number(r, "prompt_tokens"),
                        number(r, "completion_tokens"), number(r, "cached_tokens"), number(r, "reasoning_tokens")),
                name + ": the record (provider, status, quality, prompt, completion, cached, reasoning)");
    }

    /** Accepted is not enough: what pydantic said of "unit" (a $ref, or null) reaches Gemini as Gemini says it. */
    @Test
    void aPydanticSchemaReachesGeminiInGeminisTerms() {
        call(Client.OPENAI, "gemini-fake-tools", false, true, TestRig.newKey());
        JsonObject unit = TestRig.gemini().received().stream().map(r -> r.body())
                .filter(b -> b.containsKey("tools") && b.toString().contains("GetWeather")).reduce((a, b) -> b).orElseThrow()
                .getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations").getJsonObject(0)
                .getJsonObject("parameters").getJsonObject("properties").getJsonObject("unit");
        assertEquals(json("{\"type\":\"STRING\",\"enum\":[\"C\",\"F\"],\"title\":\"Unit\",\"nullable\":true}"), unit);
    }

    /**
     * Structured output asked for as each client's SDK asks for it (a pydantic schema, google-genai's
     * Schema) reaches every provider in the form it takes: each fake refuses another dialect's schema.
     */
    @Test
    void structuredOutputReachesEveryProviderFormat() {
        List<String> failures = new ArrayList<>();
        String key = TestRig.newKey();
        for (Upstream up : UPSTREAMS) {
            String model = up.textModel();
            Map<String, HttpResponse<String>> calls = Map.of(
                    "OPENAI", TestRig.post("v1/chat/completions", key, "{\"model\":\"" + model + "\",\"messages\":[{"
                            + "\"role\":\"user\",\"content\":\"Weather?\"}],\"response_format\":{\"type\":\"json_schema\","
                            + "\"json_schema\":{\"name\":\"GetWeather\",\"strict\":true,\"schema\":" + PYDANTIC_SCHEMA + "}}}"),
                    "RESPONSES", TestRig.post("v1/responses", key, "{\"model\":\"" + model + "\",\"input\":\"Weather?\","
                            + "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"GetWeather\",\"schema\":"
                            + PYDANTIC_SCHEMA + "}}}"),
                    "GEMINI", TestRig.postWith("v1beta/models/" + model + ":generateContent", "{\"contents\":[{\"role\":"
                            + "\"user\",\"parts\":[{\"text\":\"Weather?\"}]}],\"generationConfig\":{\"responseMimeType\":"
                            + "\"application/json\",\"responseSchema\":" + GENAI_SCHEMA + "}}", "x-goog-api-key", key));
            calls.forEach((client, r) -> {
                if (r.statusCode() != 200) {
                    failures.add(client + " → " + up.provider() + ": " + r.statusCode() + " " + r.body());
                }
            });
        }
        assertEquals(List.of(), failures);
        JsonObject config = TestRig.gemini().received().stream().map(r -> r.body())
                .filter(b -> b.toString().contains("\"title\":\"GetWeather\"") && b.containsKey("generationConfig"))
                .findFirst().orElseThrow().getJsonObject("generationConfig");
        assertEquals("application/json", config.getString("responseMimeType"));
        assertEquals("OBJECT", config.getJsonObject("responseSchema").getString("type"));
        JsonObject toOpenAi = TestRig.fake().received().stream().map(r -> r.body())
                .filter(b -> b.toString().contains("the city") && b.containsKey("response_format")).findFirst()
                .orElseThrow().getJsonObject("response_format");
        assertEquals("response", toOpenAi.getJsonObject("json_schema").getString("name"));
        assertEquals("object", toOpenAi.getJsonObject("json_schema").getJsonObject("schema").getString("type"));
    }

    /**
     * Every client's way of asking for reasoning reaches every provider as its own field, on one
     * scale (high = 24,576 tokens), and each client reads the reasoning tokens in its own field.
     */
    @Test
    void reasoningEffortReachesEveryProviderAndReasoningTokensEveryClient() {
        List<String> failures = new ArrayList<>();
        String key = TestRig.newKey();
        for (Client client : Client.values()) {
            for (Upstream up : UPSTREAMS) {
                String model = up.textModel();
                HttpResponse<String> r = switch (client) {
                    case OPENAI -> TestRig.post("v1/chat/completions", key, "{\"model\":\"" + model + "\",\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"Think.\"}],\"reasoning_effort\":\"high\"}");
                    case RESPONSES -> TestRig.post("v1/responses", key, "{\"model\":\"" + model + "\",\"input\":\"Think.\","
                            + "\"reasoning\":{\"effort\":\"high\"}}");
                    case ANTHROPIC -> TestRig.postWith("v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":30000,"
                            + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":24576},\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"Think.\"}]}", "x-api-key", key);
                    case GEMINI -> TestRig.postWith("v1beta/models/" + model + ":generateContent", "{\"contents\":[{"
                            + "\"role\":\"user\",\"parts\":[{\"text\":\"Think.\"}]}],\"generationConfig\":{"
                            + "\"thinkingConfig\":{\"thinkingBudget\":24576}}}", "x-goog-api-key", key);
                };
                String cell = client + " → " + up.provider();
                if (r.statusCode() != 200) {
                    failures.add(cell + ": " + r.statusCode() + " " + r.body());
                    continue;
                }
                String asked = switch (up.provider()) {
                    case "anthropic" -> last(TestRig.claude().received()).getJsonObject("thinking").toString();
                    case "gemini" -> last(TestRig.gemini().received()).getJsonObject("generationConfig")
                            .getJsonObject("thinkingConfig").toString();
                    case "azure" -> TestRig.azure().received().get(TestRig.azure().received().size() - 1).body()
                            .getString("reasoning_effort", "none given");
                    default -> { // OpenAI's chat completions, or the Responses API
                        JsonObject body = last(TestRig.fake().received());
                        yield body.containsKey("reasoning") ? body.getJsonObject("reasoning").getString("effort")
                                : body.getString("reasoning_effort", "none given");
                    }
                };
                List<String> expected = List.of("{\"type\":\"enabled\",\"budget_tokens\":24576}",
                        "{\"thinkingBudget\":24576,\"includeThoughts\":true}", "{\"thinkingBudget\":24576}", "high");
                if (!expected.contains(asked)) {
                    failures.add(cell + ": the upstream was asked " + asked);
                }
                long reasoning = reasoningTokens(client, json(r.body()));
                long reported = answering(client, up).reasoning();
                if (client != Client.ANTHROPIC && reasoning != reported) { // Anthropic's usage has no such field
                    failures.add(cell + ": the client read " + reasoning + " reasoning tokens, the upstream reported " + reported);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    private static JsonObject last(List<FakeOpenAi.Received> received) {
        return received.get(received.size() - 1).body();
    }

    /** The reasoning tokens a whole answer reports, in the client's own field. */
    private static long reasoningTokens(Client client, JsonObject answer) {
        return switch (client) {
            case OPENAI -> answer.getJsonObject("usage").getJsonObject("completion_tokens_details").getInt("reasoning_tokens");
            case RESPONSES -> answer.getJsonObject("usage").getJsonObject("output_tokens_details").getInt("reasoning_tokens");
            case GEMINI -> answer.getJsonObject("usageMetadata").getInt("thoughtsTokenCount", 0);
            case ANTHROPIC -> 0;
        };
    }

    private static Seen call(Client client, String model, boolean stream, boolean tools, String key) {
        String ask = "Weather?";
        HttpResponse<String> r = switch (client) {
            case OPENAI -> TestRig.post("v1/chat/completions", key, "{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"" + ask + "\"}],\"stream\":" + stream
                    + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                    + (tools ? ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                    + PYDANTIC_SCHEMA + ",\"strict\":true}}]" : "") + "}");
            case ANTHROPIC -> TestRig.postWith("v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":100,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"" + ask + "\"}],\"stream\":" + stream
                    + (tools ? ",\"tools\":[{\"name\":\"get_weather\",\"input_schema\":" + ZOD_SCHEMA + "}]" : "") + "}",
                    "x-api-key", key);
            case GEMINI -> TestRig.postWith("v1beta/models/" + model + (stream ? ":streamGenerateContent?alt=sse"
                    : ":generateContent"), "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + ask + "\"}]}]"
                    + (tools ? ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"parameters\":"
                    + GENAI_SCHEMA + "}]}]" : "") + "}", "x-goog-api-key", key);
            case RESPONSES -> TestRig.post("v1/responses", key, "{\"model\":\"" + model + "\",\"input\":\"" + ask
                    + "\",\"stream\":" + stream + (tools ? ",\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\","
                    + "\"parameters\":" + PYDANTIC_SCHEMA + ",\"strict\":true}]" : "") + "}");
        };
        assertEquals(200, r.statusCode(), r.body());
        List<JsonObject> events = stream ? events(r.body()) : List.of(json(r.body()));
        return switch (client) {
            case OPENAI -> openAi(events);
            case ANTHROPIC -> anthropic(events);
            case GEMINI -> gemini(events);
            case RESPONSES -> responses(events, stream);
        };
    }

    private static List<JsonObject> events(String sse) {
        List<JsonObject> out = new ArrayList<>();
        for (String data : TestRig.dataLines(sse.replace("\r\n", "\n"))) {
            if (!data.equals("[DONE]")) {
                out.add(json(data));
            }
        }
        return out;
    }

    private static Seen openAi(List<JsonObject> events) {
        StringBuilder text = new StringBuilder();
        StringBuilder args = new StringBuilder();
        String tool = null;
        long[] usage = new long[3];
        for (JsonObject e : events) {
            if (e.get("usage") instanceof JsonObject u) {
                usage = new long[] {u.getInt("prompt_tokens"), u.getInt("completion_tokens"),
                        u.getJsonObject("prompt_tokens_details").getInt("cached_tokens")};
            }
            for (JsonValue cv : e.getJsonArray("choices")) {
                JsonObject c = cv.asJsonObject();
                JsonObject m = c.containsKey("message") ? c.getJsonObject("message") : c.getJsonObject("delta");
                if (m.get("content") instanceof JsonString s) {
                    text.append(s.getString());
                }
                if (m.get("tool_calls") instanceof JsonArray calls) {
                    JsonObject f = calls.getJsonObject(0).getJsonObject("function");
                    tool = f.containsKey("name") ? f.getString("name") : tool;
                    args.append(f.getString("arguments", ""));
                }
            }
        }
        return new Seen(text.toString(), tool, args(args), usage[0], usage[1], usage[2]);
    }

    private static Seen anthropic(List<JsonObject> events) {
        StringBuilder text = new StringBuilder();
        StringBuilder args = new StringBuilder();
        String tool = null;
        Map<String, Long> usage = new HashMap<>();
        for (JsonObject e : events) {
            String type = e.getString("type", "message");
            JsonObject u = type.equals("message") ? e.getJsonObject("usage")
                    : type.equals("message_start") ? e.getJsonObject("message").getJsonObject("usage")
                    : type.equals("message_delta") ? e.getJsonObject("usage") : null;
            if (u != null) {
                u.forEach((k, v) -> {
                    if (v instanceof JsonNumber n) {
                        usage.put(k, n.longValue()); // field by field, the latest wins
                    }
                });
            }
            if (type.equals("message")) {
                for (JsonValue b : e.getJsonArray("content")) {
                    JsonObject block = b.asJsonObject();
                    if (block.getString("type").equals("text")) {
                        text.append(block.getString("text"));
                    } else if (block.getString("type").equals("tool_use")) {
                        tool = block.getString("name");
                        args.append(block.getJsonObject("input").toString());
                    }
                }
            } else if (type.equals("content_block_start") && e.getJsonObject("content_block").getString("type").equals("tool_use")) {
                tool = e.getJsonObject("content_block").getString("name");
            } else if (type.equals("content_block_delta")) {
                JsonObject d = e.getJsonObject("delta");
                text.append(d.getString("text", ""));
                args.append(d.getString("partial_json", ""));
            }
        }
        long read = usage.getOrDefault("cache_read_input_tokens", 0L);
        long prompt = usage.getOrDefault("input_tokens", 0L) + read + usage.getOrDefault("cache_creation_input_tokens", 0L);
        return new Seen(text.toString(), tool, args(args), prompt, usage.getOrDefault("output_tokens", 0L), read);
    }

    private static Seen gemini(List<JsonObject> events) {
        StringBuilder text = new StringBuilder();
        StringBuilder args = new StringBuilder();
        String tool = null;
        long[] usage = new long[3];
        for (JsonObject e : events) {
            for (JsonValue cv : e.getJsonArray("candidates")) {
                for (JsonValue pv : cv.asJsonObject().getJsonObject("content").getJsonArray("parts")) {
                    JsonObject p = pv.asJsonObject();
                    text.append(p.getString("text", ""));
                    if (p.containsKey("functionCall")) {
                        tool = p.getJsonObject("functionCall").getString("name");
                        args.append(p.getJsonObject("functionCall").getJsonObject("args").toString());
                    }
                }
            }
            if (e.get("usageMetadata") instanceof JsonObject u) {
                usage = new long[] {u.getInt("promptTokenCount"), u.getInt("candidatesTokenCount", 0)
                        + u.getInt("thoughtsTokenCount", 0), u.getInt("cachedContentTokenCount", 0)};
            }
        }
        return new Seen(text.toString(), tool, args(args), usage[0], usage[1], usage[2]);
    }

    private static Seen responses(List<JsonObject> events, boolean stream) {
        StringBuilder text = new StringBuilder();
        StringBuilder args = new StringBuilder();
        String tool = null;
        JsonObject finalResponse = null;
        for (JsonObject e : events) {
            String type = e.getString("type", "response");
            if (!stream) {
                finalResponse = e;
            } else if (type.equals("response.output_text.delta")) {
                text.append(e.getString("delta"));
            } else if (type.equals("response.function_call_arguments.delta")) {
                args.append(e.getString("delta"));
            } else if (type.equals("response.output_item.added") && e.getJsonObject("item").getString("type").equals("function_call")) {
                tool = e.getJsonObject("item").getString("name");
            } else if (type.equals("response.completed")) {
                finalResponse = e.getJsonObject("response");
            }
        }
        if (!stream) {
            for (JsonValue iv : finalResponse.getJsonArray("output")) {
                JsonObject item = iv.asJsonObject();
                if (item.getString("type").equals("function_call")) {
                    tool = item.getString("name");
                    args.append(item.getString("arguments"));
                } else {
                    item.getJsonArray("content").forEach(c -> text.append(c.asJsonObject().getString("text", "")));
                }
            }
        }
        JsonObject u = finalResponse.getJsonObject("usage");
        return new Seen(text.toString(), tool, args(args), u.getInt("input_tokens"), u.getInt("output_tokens"),
                u.getJsonObject("input_tokens_details").getInt("cached_tokens"));
    }

    private static JsonObject args(StringBuilder text) {
        return text.length() == 0 ? JsonValue.EMPTY_JSON_OBJECT : json(text.toString());
    }
}
