package dev.tollgate.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake Azure OpenAI resource over real loopback HTTP, with the quirks of the real one: calls go to
 * {@code /openai/deployments/{deployment}/chat/completions?api-version=…} with an {@code api-key}
 * header; the answer names the model the deployment runs, not the deployment; every choice and
 * the prompt carry content-filter results; a stream opens with a chunk that has no choices, no id
 * and no model (the prompt's filter results), and reports usage only when asked, which versions
 * before 2024-09-01-preview refuse. Deployments:
 * <ul>
 * <li>{@code prod-4o} runs {@value #MODEL}: a 5-word answer; usage prompt = 11 + 7 per message, completion 5, cached {@value #CACHED}</li>
 * <li>{@code prod-tools}: a {@code get_weather} call for Paris</li>
 * <li>{@code prod-filtered}: Azure's content-filter refusal (400, {@code code: content_filter})</li>
 * <li>any other: 404 {@code DeploymentNotFound}</li>
 * </ul>
 */
public final class FakeAzureOpenAi {
    public static final String KEY = "az-upstream-secret";
    public static final String MODEL = "gpt-4o-2024-08-06";
    public static final int CACHED = 2;
    private static final String[] WORDS = FakeOpenAi.WORDS;
    private static final String PREFIX = "/openai/deployments/";

    /** What the fake received: the path and query, the headers, the body. */
    public record Received(URI uri, Map<String, List<String>> headers, JsonObject body) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public FakeAzureOpenAi() throws IOException {
        server = FakeServers.start("fake-azure", "/", this::handle);
    }

    /** The resource's endpoint, as the Azure portal shows it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Received> received() {
        return received;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            JsonObject body = Json.createReader(ex.getRequestBody()).readObject();
            received.add(new Received(uri, Map.copyOf(ex.getRequestHeaders()), body));
            if (!KEY.equals(ex.getRequestHeaders().getFirst("api-key"))) {
                FakeServers.json(ex, 401, "{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid "
                        + "subscription key or wrong API endpoint. Make sure to provide a valid key for an active "
                        + "subscription and use a correct regional API endpoint for your resource.\"}}");
                return;
            }
            String version = query(uri, "api-version");
            String path = uri.getPath();
            if (version == null || !path.startsWith(PREFIX)) {
                FakeServers.json(ex, 404, "{\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}");
                return;
            }
            boolean stream = body.getBoolean("stream", false);
            if (body.containsKey("stream_options") && version.compareTo("2024-09-01") < 0) {
                FakeServers.json(ex, 400, "{\"error\":{\"message\":\"Unrecognized request argument supplied: "
                        + "stream_options\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
                return;
            }
            String badSchema = ToolSchemaRules.openAi(body, false);
            if (badSchema != null) {
                FakeServers.json(ex, 400, badSchema);
                return;
            }
            String deployment = path.substring(PREFIX.length(), path.indexOf('/', PREFIX.length()));
            int messages = body.containsKey("messages") ? body.getJsonArray("messages").size() : 1;
            boolean usage = body.get("stream_options") instanceof JsonObject o && o.getBoolean("include_usage", false);
            switch (deployment) {
                case "prod-4o" -> answer(ex, stream, usage, messages, false);
                case "prod-tools" -> answer(ex, stream, usage, messages, true);
                case "prod-filtered" -> FakeServers.json(ex, 400, "{\"error\":{\"message\":\"The response was filtered "
                        + "due to the prompt triggering Azure OpenAI's content management policy.\",\"type\":null,"
                        + "\"param\":\"prompt\",\"code\":\"content_filter\",\"status\":400,\"innererror\":{\"code\":"
                        + "\"ResponsibleAIPolicyViolation\",\"content_filter_result\":{\"violence\":{\"filtered\":true,"
                        + "\"severity\":\"high\"}}}}}");
                default -> FakeServers.json(ex, 404, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API "
                        + "deployment for this resource does not exist. If you created the deployment within the last "
                        + "5 minutes, please wait a moment and try again.\"}}");
            }
        }
    }

    private static void answer(HttpExchange ex, boolean stream, boolean usage, int messages, boolean tools)
            throws IOException {
        ex.getResponseHeaders().add("apim-request-id", "apim-fake-1");
        ex.getResponseHeaders().add("x-request-id", "azure-req-1");
        if (!stream) {
            JsonObjectBuilder message = Json.createObjectBuilder().add("role", "assistant");
            if (tools) {
                message.add("content", JsonValue.NULL).add("tool_calls", Json.createArrayBuilder().add(
                        Json.createObjectBuilder().add("id", "call_az1").add("type", "function").add("function",
                                Json.createObjectBuilder().add("name", "get_weather").add("arguments", "{\"city\":\"Paris\"}"))));
            } else {
                message.add("content", String.join("", WORDS));
            }
            FakeServers.json(ex, 200, chunk("chat.completion").add("choices", Json.createArrayBuilder().add(
                    Json.createObjectBuilder().add("index", 0).add("message", message)
                            .add("finish_reason", tools ? "tool_calls" : "stop").add("logprobs", JsonValue.NULL)
                            .add("content_filter_results", filters())))
                    .add("prompt_filter_results", promptFilters()).add("usage", usage(messages)).build().toString());
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        // Azure's first event: the prompt's filter results, with an empty id, model and object, and no choices
        out.write(event(Json.createObjectBuilder().add("choices", Json.createArrayBuilder()).add("created", 0)
                .add("id", "").add("model", "").add("object", "").add("prompt_filter_results", promptFilters()).build()));
        out.write(event(delta(Json.createObjectBuilder().add("role", "assistant").add("content", ""),
                Json.createObjectBuilder(), JsonValue.NULL)));
        if (tools) {
            out.write(event(delta(Json.createObjectBuilder().add("tool_calls", Json.createArrayBuilder().add(
                    Json.createObjectBuilder().add("index", 0).add("id", "call_az1").add("type", "function").add(
                            "function", Json.createObjectBuilder().add("name", "get_weather").add("arguments", "")))),
                    Json.createObjectBuilder(), JsonValue.NULL)));
            for (String part : new String[] {"{\"city\":", "\"Paris\"}"}) {
                out.write(event(delta(Json.createObjectBuilder().add("tool_calls", Json.createArrayBuilder().add(
                        Json.createObjectBuilder().add("index", 0).add("function",
                                Json.createObjectBuilder().add("arguments", part)))), Json.createObjectBuilder(), JsonValue.NULL)));
            }
        } else {
            for (String w : WORDS) {
                out.write(event(delta(Json.createObjectBuilder().add("content", w), filters(), JsonValue.NULL)));
                out.flush();
            }
        }
        out.write(event(delta(Json.createObjectBuilder(), Json.createObjectBuilder(),
                Json.createValue(tools ? "tool_calls" : "stop"))));
        if (usage) {
            out.write(event(chunk("chat.completion.chunk").add("choices", Json.createArrayBuilder())
                    .add("usage", usage(messages)).build()));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static JsonObject delta(JsonObjectBuilder delta, JsonObjectBuilder filters, JsonValue finish) {
        return chunk("chat.completion.chunk").add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("index", 0).add("delta", delta).add("finish_reason", finish).add("logprobs", JsonValue.NULL)
                .add("content_filter_results", filters))).build();
    }

    private static JsonObjectBuilder chunk(String object) {
        return Json.createObjectBuilder().add("id", "chatcmpl-az1").add("object", object).add("created", 1)
                .add("model", MODEL).add("system_fingerprint", "fp_az");
    }

    private static JsonObjectBuilder filters() {
        JsonObjectBuilder b = Json.createObjectBuilder();
        for (String category : new String[] {"hate", "self_harm", "sexual", "violence"}) {
            b.add(category, Json.createObjectBuilder().add("filtered", false).add("severity", "safe"));
        }
        return b;
    }

    private static JsonArrayBuilder promptFilters() {
        return Json.createArrayBuilder().add(Json.createObjectBuilder().add("prompt_index", 0)
                .add("content_filter_results", filters()));
    }

    private static JsonObjectBuilder usage(int messages) {
        long prompt = FakeOpenAi.promptTokens(messages);
        return Json.createObjectBuilder().add("prompt_tokens", prompt).add("completion_tokens", WORDS.length)
                .add("total_tokens", prompt + WORDS.length)
                .add("prompt_tokens_details", Json.createObjectBuilder().add("cached_tokens", CACHED))
                .add("completion_tokens_details", Json.createObjectBuilder().add("reasoning_tokens", 0));
    }

    private static byte[] event(JsonObject json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String query(URI uri, String name) {
        String q = uri.getRawQuery();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }
}
