package dev.tollgate.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake Gemini API over real loopback HTTP: {@code /v1beta/models/{model}:generateContent},
 * {@code :streamGenerateContent?alt=sse} (chunks separated by CRLF as Google sends them, cumulative
 * {@code usageMetadata} in every chunk, the finishReason on the last) and {@code :countTokens}.
 * Models: {@code gemini-fake} ("Hello from fake Gemini"; prompt {@link #prompt}, 6 cached, 4 output,
 * 9 thoughts), {@code gemini-fake-tools} (a get_weather call), {@code gemini-fake-400}.
 */
public final class FakeGemini {
    public static final String[] WORDS = {"Hello", " from", " fake", " Gemini"};
    public static final int CACHED = 6;
    public static final int THOUGHTS = 9;
    public static final int COUNTED = 17;

    private final HttpServer server;
    private final List<FakeOpenAi.Received> received = new CopyOnWriteArrayList<>();

    public FakeGemini() throws IOException {
        server = FakeServers.start("fake-gemini", "/v1beta/", this::handle);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<FakeOpenAi.Received> received() {
        return received;
    }

    public static long prompt(int contents) {
        return 13 + 5L * contents;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            JsonObject body = Json.createReader(new ByteArrayInputStream(raw)).readObject();
            String path = ex.getRequestURI().getPath();
            received.add(new FakeOpenAi.Received(path + (ex.getRequestURI().getQuery() == null ? ""
                    : "?" + ex.getRequestURI().getQuery()), Map.copyOf(ex.getRequestHeaders()), body,
                    new String(raw, StandardCharsets.UTF_8)));
            String target = path.substring(path.lastIndexOf('/') + 1);
            String model = target.substring(0, target.indexOf(':'));
            String action = target.substring(target.indexOf(':') + 1);
            int contents = body.containsKey("contents") ? body.getJsonArray("contents").size() : 0;
            if (action.equals("embedContent")) {
                FakeServers.json(ex, 200, "{\"embedding\":{\"values\":[0.25,-0.5,0.125]}}");
                return;
            }
            if (action.equals("batchEmbedContents")) {
                JsonArrayBuilder embeddings = Json.createArrayBuilder();
                body.getJsonArray("requests").forEach(r -> embeddings.add(Json.createObjectBuilder()
                        .add("values", Json.createArrayBuilder().add(0.25).add(-0.5).add(0.125))));
                FakeServers.json(ex, 200, Json.createObjectBuilder().add("embeddings", embeddings).build().toString());
                return;
            }
            if (action.equals("countTokens")) {
                FakeServers.json(ex, 200, "{\"totalTokens\":" + COUNTED + "}");
                return;
            }
            String badSchema = ToolSchemaRules.gemini(body);
            if (badSchema != null) {
                FakeServers.json(ex, 400, badSchema);
                return;
            }
            if (model.equals("gemini-fake-400")) {
                FakeServers.json(ex, 400, "{\"error\":{\"code\":400,\"message\":\"Invalid value at 'generation_config'\","
                        + "\"status\":\"INVALID_ARGUMENT\"}}");
                return;
            }
            if (model.equals(THINKING_MODEL)) {
                thinking(ex, body, action, contents);
                return;
            }
            boolean tools = model.equals("gemini-fake-tools");
            if (action.equals("generateContent")) {
                FakeServers.json(ex, 200, chunk(tools ? call() : text(String.join("", WORDS)), true, contents, WORDS.length).toString());
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            if (tools) {
                write(out, chunk(call(), true, contents, WORDS.length));
            } else {
                for (int i = 0; i < WORDS.length; i++) {
                    write(out, chunk(text(WORDS[i]), i == WORDS.length - 1, contents, i + 1));
                }
            }
        } catch (IOException e) {
            // the gateway went away mid-stream
        }
    }

    public static final String THINKING_MODEL = "gemini-fake-think";
    public static final String THOUGHT = "Paris weather needs the tool.";
    public static final String THOUGHT_SIGNATURE = "CiQBfake-gemini-thought-signature";
    public static final String THOUGHT_ANSWER = "Sunny, 21C.";

    /**
     * A thinking Gemini as strict as Gemini 3: thoughts come only when {@code includeThoughts} is
     * asked; its function call carries a thought signature, and a history whose function call lacks
     * it is refused with 400. First turn: a thought and the call; after the tool's response: the answer.
     */
    private static void thinking(HttpExchange ex, JsonObject body, String action, int contents) throws IOException {
        String history = body.getJsonArray("contents").toString();
        boolean answered = history.contains("functionResponse");
        if (answered && !history.contains("\"thoughtSignature\":\"" + THOUGHT_SIGNATURE + "\"")) {
            FakeServers.json(ex, 400, "{\"error\":{\"code\":400,\"message\":\"Function call is missing a "
                    + "thought_signature in functionCall parts.\",\"status\":\"INVALID_ARGUMENT\"}}");
            return;
        }
        boolean include = body.get("generationConfig") instanceof JsonObject g && g.get("thinkingConfig") instanceof JsonObject t
                && t.getBoolean("includeThoughts", false);
        List<JsonObjectBuilder> parts = new ArrayList<>();
        if (include) {
            parts.add(text(THOUGHT).add("thought", true));
        }
        parts.add(answered ? text(THOUGHT_ANSWER) : call().add("thoughtSignature", THOUGHT_SIGNATURE));
        if (action.equals("generateContent")) {
            JsonArrayBuilder all = Json.createArrayBuilder();
            parts.forEach(all::add);
            FakeServers.json(ex, 200, chunk(all, true, contents, WORDS.length).toString());
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        for (int i = 0; i < parts.size(); i++) {
            write(out, chunk(Json.createArrayBuilder().add(parts.get(i)), i == parts.size() - 1, contents, WORDS.length));
        }
    }

    private static JsonObjectBuilder text(String t) {
        return Json.createObjectBuilder().add("text", t);
    }

    private static JsonObjectBuilder call() {
        return Json.createObjectBuilder().add("functionCall", Json.createObjectBuilder().add("name", "get_weather")
                .add("args", Json.createObjectBuilder().add("city", "Paris")));
    }

    private static JsonObject chunk(JsonObjectBuilder part, boolean last, int contents, int output) {
        return chunk(Json.createArrayBuilder().add(part), last, contents, output);
    }

    private static JsonObject chunk(JsonArrayBuilder parts, boolean last, int contents, int output) {
        JsonObjectBuilder cand = Json.createObjectBuilder().add("content", Json.createObjectBuilder().add("role", "model")
                .add("parts", parts)).add("index", 0);
        if (last) {
            cand.add("finishReason", "STOP");
        }
        long prompt = prompt(contents);
        return Json.createObjectBuilder().add("candidates", Json.createArrayBuilder().add(cand))
                .add("usageMetadata", Json.createObjectBuilder().add("promptTokenCount", prompt)
                        .add("candidatesTokenCount", output).add("cachedContentTokenCount", CACHED)
                        .add("thoughtsTokenCount", THOUGHTS).add("totalTokenCount", prompt + output + THOUGHTS))
                .add("modelVersion", "gemini-fake-001").add("responseId", "resp-fake-gemini").build();
    }

    private static void write(OutputStream out, JsonObject data) throws IOException {
        out.write(("data: " + data + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
