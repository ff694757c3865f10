package dev.tollgate.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake OpenAI API over real loopback HTTP, speaking the wire format faithfully: JSON bodies,
 * SSE streams with a usage chunk only when {@code stream_options.include_usage} is set, error
 * bodies. The model name picks the behaviour:
 * <ul>
 * <li>{@code fake-gpt}: a 5-word answer; usage prompt = 11 + 7 per message, completion 5, cached 3, reasoning 2</li>
 * <li>{@code fake-nousage}: the same, with no usage anywhere</li>
 * <li>{@code fake-cut}: a stream that breaks after two chunks</li>
 * <li>{@code fake-slow}: a stream of 400 chunks, 25 ms apart</li>
 * <li>{@code fake-silent}: a stream that sends one chunk, then nothing for 30 s</li>
 * <li>{@code fake-400}: OpenAI's error body with status 400; {@code fake-flaky}: 500 on every other call</li>
 * <li>{@code fake-hang}: never answers a non-stream call in time</li>
 * <li>{@code /v1/responses} (any model): the Responses API, "Hello from the fake upstream" as one message,
 * usage input 21 (4 cached), output 5 (2 reasoning); streams with the typed events</li>
 * <li>{@code fake-429}: always 429 with {@code Retry-After: 1}</li>
 * <li>{@code fake-cut0}: a 200 event stream that ends before its first byte</li>
 * <li>{@code fake-tools}: a {@code get_weather} call for Paris (arguments streamed in two pieces)</li>
 * <li>{@code /v1/responses} with a model containing {@value RichResponse#MODEL_MARK}: {@link RichResponse},
 * reasoning, a web search and structured output</li>
 * <li>{@code fake-usage=P,C}: a whole answer whose usage says {@code prompt_tokens: P, completion_tokens: C},
 * written as given ({@code -1000}, {@code 5e12}, {@code 1e308}): an upstream reporting nonsense</li>
 * <li>{@code fake-huge=N}: a whole answer of N bytes (mostly one long content string)</li>
 * <li>{@code fake-flood}: a stream of {@value #FLOOD_CHUNKS} chunks of 4 KB of content each, as fast as
 * the gateway takes them; {@link #floodWritten} counts the bytes written so far</li>
 * </ul>
 */
public final class FakeOpenAi {
    public static final String[] WORDS = {"Hello", " from", " the", " fake", " upstream"};
    public static final int CACHED = 3;
    public static final int REASONING = 2;

    /** What the fake received: path, headers and body of each call. */
    public record Received(String path, Map<String, List<String>> headers, JsonObject body, String raw) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger flaky = new AtomicInteger();
    private final AtomicInteger brokenWrites = new AtomicInteger();
    private final AtomicLong floodWritten = new AtomicLong();
    public static final int FLOOD_CHUNKS = 12_288;
    /** The content of each {@code fake-flood} chunk: words, as a model writes, about 4 KB. */
    public static final String FLOOD_TEXT = "Hello there, a word. ".repeat(195);

    public FakeOpenAi() throws IOException {
        server = FakeServers.start("fake-openai", "/v1/", this::handle);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public List<Received> received() {
        return received;
    }

    /** Streams whose client (the gateway) went away while the fake was still writing. */
    public int brokenWrites() {
        return brokenWrites.get();
    }

    /** Bytes of {@code fake-flood} streams the gateway has taken from the fake so far. */
    public long floodWritten() {
        return floodWritten.get();
    }

    public static long promptTokens(int messages) {
        return 11 + 7L * messages;
    }

    /** Responses stored with {@code store} (the default), by the key that made them and their id. */
    private final Map<String, String> stored = new ConcurrentHashMap<>();
    private final AtomicInteger responseIds = new AtomicInteger();

    private static String key(HttpExchange ex) {
        return ex.getRequestHeaders().getFirst("Authorization");
    }

    /**
     * OpenAI's stored responses: {@code GET}/{@code DELETE /v1/responses/{id}}, {@code POST …/cancel},
     * {@code GET …/input_items}; each key sees only the responses it made (404 otherwise, as an
     * organisation sees only its own).
     */
    private void stored(HttpExchange ex, String path) throws IOException {
        received.add(new Received(path + (ex.getRequestURI().getQuery() == null ? "" : "?" + ex.getRequestURI().getQuery()),
                Map.copyOf(ex.getRequestHeaders()), JsonValue.EMPTY_JSON_OBJECT, ""));
        String[] parts = path.substring("/v1/responses/".length()).split("/");
        String response = stored.get(key(ex) + "|" + parts[0]);
        if (response == null) {
            FakeServers.json(ex, 404, "{\"error\":{\"message\":\"Response with id '" + parts[0] + "' not found.\","
                    + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
            return;
        }
        String method = ex.getRequestMethod();
        if (method.equals("DELETE")) {
            stored.remove(key(ex) + "|" + parts[0]);
            FakeServers.json(ex, 200, "{\"id\":\"" + parts[0] + "\",\"object\":\"response.deleted\",\"deleted\":true}");
        } else if (parts.length > 1 && parts[1].equals("input_items")) {
            FakeServers.json(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"msg_in\",\"type\":\"message\","
                    + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Say hello\"}]}],"
                    + "\"first_id\":\"msg_in\",\"last_id\":\"msg_in\",\"has_more\":false}");
        } else if (parts.length > 1 && parts[1].equals("cancel")) {
            FakeServers.json(ex, 200, response.replace("\"status\":\"completed\"", "\"status\":\"cancelled\""));
        } else {
            FakeServers.json(ex, 200, response);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/v1/responses/")) {
                stored(ex, path);
                return;
            }
            byte[] raw = ex.getRequestBody().readAllBytes();
            // bodies up to the gateway's largest (a valid 20 MB one): Parsson alone stops at 15 million characters
            JsonObject body = Json.createReaderFactory(Map.of("org.eclipse.parsson.maxParsingLimit", Integer.MAX_VALUE))
                    .createReader(new ByteArrayInputStream(raw)).readObject();
            received.add(new Received(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body,
                    new String(raw, StandardCharsets.UTF_8)));
            String model = body.getString("model", "");
            boolean stream = body.getBoolean("stream", false);
            String badSchema = ToolSchemaRules.openAi(body, ex.getRequestURI().getPath().endsWith("/responses"));
            if (badSchema != null) {
                FakeServers.json(ex, 400, badSchema);
                return;
            }
            if (ex.getRequestURI().getPath().endsWith("/responses") && model.contains(RichResponse.MODEL_MARK)) {
                if (stream) {
                    FakeServers.stream(ex, RichResponse.stream(body));
                } else {
                    FakeServers.json(ex, 200, RichResponse.whole(body));
                }
                return;
            }
            if (ex.getRequestURI().getPath().endsWith("/responses")) {
                String answer = responses(ex, model, stream);
                if (answer != null && body.getBoolean("store", true)) {
                    stored.put(key(ex) + "|" + Json.createReader(new StringReader(answer)).readObject()
                            .getString("id"), answer);
                }
                return;
            }
            int messages = body.containsKey("messages") ? body.getJsonArray("messages").size() : 1;
            if (model.startsWith("fake-usage=")) {
                String[] pc = model.substring("fake-usage=".length()).split(",");
                FakeServers.json(ex, 200, "{\"id\":\"chatcmpl-odd\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
                        + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"odd\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + pc[0] + ",\"completion_tokens\":"
                        + pc[1] + ",\"total_tokens\":" + pc[1] + "}}");
                return;
            }
            if (model.startsWith("fake-huge=")) {
                int n = Integer.parseInt(model.substring("fake-huge=".length()));
                FakeServers.json(ex, 200, "{\"id\":\"chatcmpl-huge\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"" + "x".repeat(Math.max(0, n - 200))
                        + "\"},\"finish_reason\":\"stop\"}]}");
                return;
            }
            switch (model) {
                case "fake-400" -> FakeServers.json(ex, 400, "{\"error\":{\"message\":\"Invalid 'temperature': too hot.\","
                        + "\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":null}}");
                case "fake-flaky" -> {
                    if (flaky.getAndIncrement() % 2 == 0) {
                        FakeServers.json(ex, 500, "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}");
                    } else {
                        answer(ex, body, model, stream, messages, true);
                    }
                }
                case "fake-hang" -> sleep(30_000);
                case "fake-cut0" -> {
                    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
                    ex.sendResponseHeaders(200, 0); // and the body ends before a single byte
                }
                case "fake-429" -> {
                    ex.getResponseHeaders().add("Retry-After", "1");
                    FakeServers.json(ex, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                            + "\"code\":\"rate_limit_exceeded\"}}");
                }
                case "fake-nousage" -> answer(ex, body, model, stream, messages, false);
                case "fake-tools" -> tools(ex, model, stream, messages);
                case "fake-flood" -> flood(ex, model);
                default -> answer(ex, body, model, stream, messages, true);
            }
        } catch (IOException e) {
            brokenWrites.incrementAndGet();
        }
    }

    private void answer(HttpExchange ex, JsonObject body, String model, boolean stream, int messages, boolean usage)
            throws IOException {
        if (ex.getRequestURI().getPath().endsWith("/embeddings")) {
            FakeServers.json(ex, 200, Json.createObjectBuilder().add("object", "list")
                    .add("data", Json.createArrayBuilder().add(Json.createObjectBuilder().add("object", "embedding")
                            .add("index", 0).add("embedding", Json.createArrayBuilder().add(0.5).add(-0.25))))
                    .add("model", model)
                    .add("usage", Json.createObjectBuilder().add("prompt_tokens", 6).add("total_tokens", 6))
                    .build().toString());
            return;
        }
        if (!stream) {
            JsonObjectBuilder b = Json.createObjectBuilder().add("id", "chatcmpl-fake").add("object", "chat.completion")
                    .add("created", 1).add("model", model)
                    .add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder().add("index", 0)
                            .add("message", Json.createObjectBuilder().add("role", "assistant").add("content", String.join("", WORDS)))
                            .add("finish_reason", "stop")));
            if (usage) {
                b.add("usage", usage(messages));
            }
            ex.getResponseHeaders().add("x-request-id", "req-fake-123");
            FakeServers.json(ex, 200, b.build().toString());
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("x-request-id", "req-fake-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        int chunks = model.equals("fake-slow") ? 400 : WORDS.length;
        for (int i = 0; i < chunks; i++) {
            if (model.equals("fake-cut") && i == 2) {
                return; // the body ends here: no [DONE], no usage
            }
            if (model.equals("fake-silent") && i == 1) {
                sleep(30_000);
            }
            JsonObjectBuilder delta = Json.createObjectBuilder().add("content", WORDS[i % WORDS.length]);
            if (i == 0) {
                delta.add("role", "assistant");
            }
            // split each event in two writes, to cut events across TCP chunks as real servers do
            byte[] event = event(chunk(model).add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                    .add("index", 0).add("delta", delta).add("finish_reason", i == chunks - 1
                            ? Json.createValue("stop") : JsonValue.NULL))).build());
            out.write(event, 0, event.length / 2);
            out.flush();
            out.write(event, event.length / 2, event.length - event.length / 2);
            out.flush();
            if (model.equals("fake-slow")) {
                sleep(25);
            }
        }
        boolean asked = body.get("stream_options") instanceof JsonObject o && o.getBoolean("include_usage", false);
        if (usage && asked) {
            out.write(event(chunk(model).add("choices", Json.createArrayBuilder()).add("usage", usage(messages)).build()));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void flood(HttpExchange ex, String model) throws IOException {
        byte[] event = floodEvent(model, JsonValue.NULL);
        byte[] last = floodEvent(model, Json.createValue("stop"));
        byte[] end = (new String(event(chunk(model).add("choices", Json.createArrayBuilder()).add("usage",
                Json.createObjectBuilder().add("prompt_tokens", 9).add("completion_tokens", FLOOD_CHUNKS)
                        .add("total_tokens", FLOOD_CHUNKS + 9)).build()), StandardCharsets.UTF_8) + "data: [DONE]\n\n")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        // a length rather than chunks: the JDK server writes chunks 4 KB at a time, slower than the gateway reads
        ex.sendResponseHeaders(200, (long) (FLOOD_CHUNKS - 1) * event.length + last.length + end.length);
        OutputStream out = ex.getResponseBody();
        byte[] batch = new byte[event.length * 32]; // as fast as it can: 32 events a write
        for (int i = 0; i < 32; i++) {
            System.arraycopy(event, 0, batch, i * event.length, event.length);
        }
        for (int i = 0; i < FLOOD_CHUNKS - 1; i += 32) {
            int n = Math.min(32, FLOOD_CHUNKS - 1 - i);
            out.write(batch, 0, n * event.length);
            floodWritten.addAndGet((long) n * event.length);
        }
        out.write(last);
        out.write(end);
        out.flush();
    }

    private static byte[] floodEvent(String model, JsonValue finish) {
        return event(chunk(model).add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("index", 0).add("delta", Json.createObjectBuilder().add("content", FLOOD_TEXT))
                .add("finish_reason", finish))).build());
    }

    private void tools(HttpExchange ex, String model, boolean stream, int messages) throws IOException {
        JsonObjectBuilder call = Json.createObjectBuilder().add("id", "call_1").add("type", "function")
                .add("function", Json.createObjectBuilder().add("name", "get_weather").add("arguments", "{\"city\":\"Paris\"}"));
        if (!stream) {
            FakeServers.json(ex, 200, Json.createObjectBuilder().add("id", "chatcmpl-tools").add("object", "chat.completion")
                    .add("created", 1).add("model", model).add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                            .add("index", 0).add("message", Json.createObjectBuilder().add("role", "assistant")
                                    .add("content", JsonValue.NULL).add("tool_calls", Json.createArrayBuilder().add(call)))
                            .add("finish_reason", "tool_calls")))
                    .add("usage", usage(messages)).build().toString());
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        JsonObjectBuilder first = Json.createObjectBuilder().add("index", 0).add("id", "call_1").add("type", "function")
                .add("function", Json.createObjectBuilder().add("name", "get_weather").add("arguments", ""));
        out.write(event(chunk(model).add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder().add("index", 0)
                .add("delta", Json.createObjectBuilder().add("role", "assistant").add("content", JsonValue.NULL)
                        .add("tool_calls", Json.createArrayBuilder().add(first))).add("finish_reason", JsonValue.NULL))).build()));
        for (String part : new String[] {"{\"city\":", "\"Paris\"}"}) {
            JsonObjectBuilder args = Json.createObjectBuilder().add("index", 0)
                    .add("function", Json.createObjectBuilder().add("arguments", part));
            out.write(event(chunk(model).add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder().add("index", 0)
                    .add("delta", Json.createObjectBuilder().add("tool_calls", Json.createArrayBuilder().add(args)))
                    .add("finish_reason", JsonValue.NULL))).build()));
        }
        out.write(event(chunk(model).add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder().add("index", 0)
                .add("delta", Json.createObjectBuilder()).add("finish_reason", "tool_calls"))).build()));
        out.write(event(chunk(model).add("choices", Json.createArrayBuilder()).add("usage", usage(messages)).build()));
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    public static final int RESPONSES_INPUT = 21;

    /** Answers a Responses call; the whole answer's JSON (also for a stream, as its last event carries it). */
    private String responses(HttpExchange ex, String model, boolean stream) throws IOException {
        JsonObjectBuilder usage = Json.createObjectBuilder().add("input_tokens", RESPONSES_INPUT)
                .add("input_tokens_details", Json.createObjectBuilder().add("cached_tokens", 4))
                .add("output_tokens", WORDS.length)
                .add("output_tokens_details", Json.createObjectBuilder().add("reasoning_tokens", 2))
                .add("total_tokens", RESPONSES_INPUT + WORDS.length);
        JsonObjectBuilder message = Json.createObjectBuilder().add("type", "message").add("id", "msg_fake")
                .add("status", "completed").add("role", "assistant").add("content", Json.createArrayBuilder()
                        .add(Json.createObjectBuilder().add("type", "output_text").add("text", String.join("", WORDS))
                                .add("annotations", Json.createArrayBuilder())));
        boolean tools = model.contains("tools");
        JsonObjectBuilder call = Json.createObjectBuilder().add("type", "function_call").add("id", "fc_fake")
                .add("call_id", "call_1").add("name", "get_weather").add("arguments", "{\"city\":\"Paris\"}")
                .add("status", "completed");
        String id = "resp_fake_" + responseIds.incrementAndGet(); // unique, as OpenAI's are: stored responses are found by it
        JsonObjectBuilder done = Json.createObjectBuilder().add("id", id).add("object", "response")
                .add("created_at", 1).add("status", "completed").add("model", model)
                .add("output", Json.createArrayBuilder().add(tools ? call : message)).add("usage", usage);
        JsonObject whole = done.build();
        if (!stream) {
            FakeServers.json(ex, 200, whole.toString());
            return whole.toString();
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        int seq = 0;
        JsonObject created = Json.createObjectBuilder().add("id", id).add("object", "response")
                .add("status", "in_progress").add("model", model).add("output", Json.createArrayBuilder()).build();
        out.write(typed("response.created", Json.createObjectBuilder().add("response", created), seq++));
        if (tools) {
            out.write(typed("response.output_item.added", Json.createObjectBuilder().add("output_index", 0)
                    .add("item", Json.createObjectBuilder().add("type", "function_call").add("id", "fc_fake")
                            .add("call_id", "call_1").add("name", "get_weather").add("arguments", "")), seq++));
            for (String part : new String[] {"{\"city\":", "\"Paris\"}"}) {
                out.write(typed("response.function_call_arguments.delta", Json.createObjectBuilder().add("item_id", "fc_fake")
                        .add("output_index", 0).add("delta", part), seq++));
            }
            out.write(typed("response.completed", Json.createObjectBuilder().add("response", whole), seq));
            out.flush();
            return whole.toString();
        }
        out.write(typed("response.output_item.added", Json.createObjectBuilder().add("output_index", 0)
                .add("item", Json.createObjectBuilder().add("type", "message").add("id", "msg_fake")
                        .add("role", "assistant").add("content", Json.createArrayBuilder())), seq++));
        for (String w : WORDS) {
            out.write(typed("response.output_text.delta", Json.createObjectBuilder().add("item_id", "msg_fake")
                    .add("output_index", 0).add("content_index", 0).add("delta", w), seq++));
            out.flush();
        }
        out.write(typed("response.completed", Json.createObjectBuilder().add("response", whole), seq));
        out.flush();
        return whole.toString();
    }

    private static byte[] typed(String type, JsonObjectBuilder data, int seq) {
        return ("event: " + type + "\ndata: " + data.add("type", type).add("sequence_number", seq).build() + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObjectBuilder chunk(String model) {
        return Json.createObjectBuilder().add("id", "chatcmpl-fake").add("object", "chat.completion.chunk")
                .add("created", 1).add("model", model);
    }

    private static JsonObjectBuilder usage(int messages) {
        long prompt = promptTokens(messages);
        long completion = WORDS.length;
        return Json.createObjectBuilder().add("prompt_tokens", prompt).add("completion_tokens", completion)
                .add("total_tokens", prompt + completion)
                .add("prompt_tokens_details", Json.createObjectBuilder().add("cached_tokens", CACHED))
                .add("completion_tokens_details", Json.createObjectBuilder().add("reasoning_tokens", REASONING));
    }

    private static byte[] event(JsonObject json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
