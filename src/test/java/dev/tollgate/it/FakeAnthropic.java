package dev.tollgate.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake Anthropic Messages API over real loopback HTTP: JSON bodies, SSE streams with the real
 * event names ({@code message_start}, {@code content_block_*}, {@code message_delta},
 * {@code message_stop}, {@code ping}) and usage where Anthropic puts it. By model:
 * <ul>
 * <li>{@code claude-fake}: "Hello from fake Claude"; input {@link #input}, 7 cache reads, 12 cache
 * writes (8 for 5 minutes, 4 for an hour), 4 output tokens</li>
 * <li>{@code claude-fake-tools}: a {@code get_weather} tool call for Paris, stop reason tool_use</li>
 * <li>{@code claude-fake-cut}: a stream that breaks after its first text delta</li>
 * <li>{@code claude-fake-400}: Anthropic's error body with status 400</li>
 * <li>{@value ThinkingClaude#MODEL}: {@link ThinkingClaude}, extended thinking with a tool, signatures checked</li>
 * </ul>
 * {@code /v1/messages/count_tokens} answers 42.
 */
public final class FakeAnthropic {
    public static final String[] WORDS = {"Hello", " from", " fake", " Claude"};
    public static final int CACHE_READ = 7;
    public static final int WRITE_5M = 8;
    public static final int WRITE_1H = 4;
    public static final int COUNTED = 42;

    private final HttpServer server;
    private final List<FakeOpenAi.Received> received = new CopyOnWriteArrayList<>();

    public FakeAnthropic() throws IOException {
        server = FakeServers.start("fake-anthropic", "/v1/", this::handle);
    }

    /** The host root, as the Anthropic SDK and the gateway's claude-api-key take it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<FakeOpenAi.Received> received() {
        return received;
    }

    /** Uncached input tokens of a request with {@code messages} messages. */
    public static long input(int messages) {
        return 9 + 6L * messages;
    }

    /** What the gateway records as prompt_tokens: input + cache reads + cache writes. */
    public static long prompt(int messages) {
        return input(messages) + CACHE_READ + WRITE_5M + WRITE_1H;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            JsonObject body = Json.createReader(new ByteArrayInputStream(raw)).readObject();
            received.add(new FakeOpenAi.Received(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()),
                    body, new String(raw, StandardCharsets.UTF_8)));
            if (ex.getRequestURI().getPath().endsWith("/count_tokens")) {
                FakeServers.json(ex, 200, "{\"input_tokens\":" + COUNTED + "}");
                return;
            }
            String badSchema = ToolSchemaRules.anthropic(body);
            if (badSchema != null) {
                FakeServers.json(ex, 400, badSchema);
                return;
            }
            String model = body.getString("model", "");
            int messages = body.getJsonArray("messages").size();
            if (model.equals("claude-fake-400")) {
                FakeServers.json(ex, 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                        + "\"message\":\"max_tokens: too big\"}}");
                return;
            }
            if (model.equals(ThinkingClaude.MODEL)) {
                thinking(ex, body, messages);
                return;
            }
            boolean tools = model.equals("claude-fake-tools");
            if (!body.getBoolean("stream", false)) {
                JsonArrayBuilder content = Json.createArrayBuilder();
                if (tools) {
                    content.add(Json.createObjectBuilder().add("type", "tool_use").add("id", "toolu_1")
                            .add("name", "get_weather").add("input", Json.createObjectBuilder().add("city", "Paris")));
                } else {
                    content.add(Json.createObjectBuilder().add("type", "text").add("text", String.join("", WORDS)));
                }
                ex.getResponseHeaders().add("request-id", "req_fake_anthropic");
                FakeServers.json(ex, 200, message("msg_fake", model, content, tools ? "tool_use" : "end_turn",
                        usage(messages, WORDS.length, true)));
                return;
            }
            OutputStream out = startStream(ex, "msg_fake_stream", model, usage(messages, 1, true));
            write(out, "ping", Json.createObjectBuilder().add("type", "ping").build());
            if (tools) {
                write(out, "content_block_start", Json.createObjectBuilder().add("type", "content_block_start").add("index", 0)
                        .add("content_block", Json.createObjectBuilder().add("type", "tool_use").add("id", "toolu_1")
                                .add("name", "get_weather").add("input", Json.createObjectBuilder())).build());
                for (String part : new String[] {"{\"city\":", "\"Paris\"}"}) {
                    write(out, "content_block_delta", Json.createObjectBuilder().add("type", "content_block_delta")
                            .add("index", 0).add("delta", Json.createObjectBuilder().add("type", "input_json_delta")
                                    .add("partial_json", part)).build());
                }
            } else {
                write(out, "content_block_start", Json.createObjectBuilder().add("type", "content_block_start").add("index", 0)
                        .add("content_block", Json.createObjectBuilder().add("type", "text").add("text", "")).build());
                for (int i = 0; i < WORDS.length; i++) {
                    write(out, "content_block_delta", Json.createObjectBuilder().add("type", "content_block_delta")
                            .add("index", 0).add("delta", Json.createObjectBuilder().add("type", "text_delta")
                                    .add("text", WORDS[i])).build());
                    if (model.equals("claude-fake-cut")) {
                        return; // the body ends here: no message_delta, no message_stop
                    }
                }
            }
            write(out, "content_block_stop", Json.createObjectBuilder().add("type", "content_block_stop").add("index", 0)
                    .build());
            write(out, "message_delta", Json.createObjectBuilder().add("type", "message_delta")
                    .add("delta", Json.createObjectBuilder().add("stop_reason", tools ? "tool_use" : "end_turn"))
                    .add("usage", Json.createObjectBuilder().add("output_tokens", WORDS.length)).build());
            write(out, "message_stop", Json.createObjectBuilder().add("type", "message_stop").build());
        } catch (IOException e) {
            // the gateway went away mid-stream: nothing more to say
        }
    }

    /** {@link ThinkingClaude}: refusals as the real API gives them, then thinking, a tool call or an answer. */
    private static void thinking(HttpExchange ex, JsonObject body, int messages) throws IOException {
        String refusal = ThinkingClaude.refusal(body);
        if (refusal != null) {
            FakeServers.json(ex, 400, refusal);
            return;
        }
        String stop = ThinkingClaude.stopReason(body);
        if (!body.getBoolean("stream", false)) {
            FakeServers.json(ex, 200, message("msg_think", ThinkingClaude.MODEL, ThinkingClaude.content(body), stop,
                    usage(messages, THINKING_OUTPUT, false)));
            return;
        }
        OutputStream out = startStream(ex, "msg_think_stream", ThinkingClaude.MODEL, usage(messages, 1, false));
        for (String[] e : ThinkingClaude.events(body)) {
            out.write(("event: " + e[0] + "\ndata: " + e[1] + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        write(out, "message_delta", Json.createObjectBuilder().add("type", "message_delta")
                .add("delta", Json.createObjectBuilder().add("stop_reason", stop))
                .add("usage", Json.createObjectBuilder().add("output_tokens", THINKING_OUTPUT)).build());
        write(out, "message_stop", Json.createObjectBuilder().add("type", "message_stop").build());
    }

    /** Opens an event stream with its {@code message_start}. */
    private static OutputStream startStream(HttpExchange ex, String id, String model, JsonObjectBuilder usage)
            throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        write(out, "message_start", Json.createObjectBuilder().add("type", "message_start").add("message",
                Json.createObjectBuilder().add("id", id).add("type", "message").add("role", "assistant")
                        .add("model", model).add("content", Json.createArrayBuilder()).add("usage", usage)).build());
        return out;
    }

    /** A whole Messages answer. */
    private static String message(String id, String model, JsonArrayBuilder content, String stop, JsonObjectBuilder usage) {
        return Json.createObjectBuilder().add("id", id).add("type", "message").add("role", "assistant").add("model", model)
                .add("content", content).add("stop_reason", stop).add("stop_sequence", JsonValue.NULL).add("usage", usage)
                .build().toString();
    }

    /** Output tokens of a {@link ThinkingClaude} answer, its thinking included. */
    public static final int THINKING_OUTPUT = 40;

    private static JsonObjectBuilder usage(int messages, int output, boolean caches) {
        JsonObjectBuilder u = Json.createObjectBuilder().add("input_tokens", input(messages)).add("output_tokens", output);
        if (caches) {
            u.add("cache_read_input_tokens", CACHE_READ).add("cache_creation_input_tokens", WRITE_5M + WRITE_1H)
                    .add("cache_creation", Json.createObjectBuilder().add("ephemeral_5m_input_tokens", WRITE_5M)
                            .add("ephemeral_1h_input_tokens", WRITE_1H));
        }
        return u;
    }

    private static void write(OutputStream out, String event, JsonObject data) throws IOException {
        out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
