package dev.tollgate.translate;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.json.ErrorBodies;
import dev.tollgate.json.SseFrame;
import dev.tollgate.translate.Chat.Event;
import dev.tollgate.translate.Chat.Image;
import dev.tollgate.translate.Chat.Message;
import dev.tollgate.translate.Chat.Origin;
import dev.tollgate.translate.Chat.Part;
import dev.tollgate.translate.Chat.Reasoning;
import dev.tollgate.translate.Chat.Role;
import dev.tollgate.translate.Chat.Stop;
import dev.tollgate.translate.Chat.Text;
import dev.tollgate.translate.Chat.Thinking;
import dev.tollgate.translate.Chat.ToolCall;
import dev.tollgate.translate.Chat.ToolResult;
import dev.tollgate.usage.AnthropicStreamObserver;
import dev.tollgate.usage.AnthropicUsage;
import dev.tollgate.usage.TokenUsage;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Anthropic Messages as a {@link ChatCodec}. Thinking crosses: {@code thinking} as a budget,
 * thinking and redacted thinking blocks with their signatures. Dropped on purpose when translating
 * from it: {@code top_k}, {@code metadata}, {@code cache_control} marks, {@code service_tier}, and server tools (tools without an
 * {@code input_schema}). A request without {@code max_tokens} sent to Anthropic gets
 * {@link #DEFAULT_MAX_TOKENS}, since Anthropic requires one; structured output asked for in another
 * format becomes an instruction in the system prompt (Anthropic has no field for it).
 */
public final class AnthropicMessages implements ChatCodec {
    public static final AnthropicMessages INSTANCE = new AnthropicMessages();
    public static final long DEFAULT_MAX_TOKENS = 4096;
    /** Anthropic's smallest thinking budget. */
    static final long MIN_THINKING_BUDGET = 1024;
    /** Tool choices that force a tool, which Anthropic refuses while thinking. */
    private static final List<String> FORCED = List.of("any", "tool");

    private AnthropicMessages() {
    }

    @Override
    public List<String> conversationFields() {
        return List.of("system", "messages");
    }

    @Override
    public String path(String model, boolean stream) {
        return "/v1/messages";
    }

    @Override
    public Chat.Request decodeRequest(JsonObject body) {
        List<Message> messages = new ArrayList<>();
        for (JsonValue v : Json.array(body, "messages")) {
            JsonObject m = Json.objectIn(v, "each of 'messages'");
            String role = Json.string(m, "role");
            if (!"user".equals(role) && !"assistant".equals(role)) {
                throw new TranslationException("'role' must be user or assistant (got '" + role + "')");
            }
            messages.add(new Message(role.equals("user") ? Role.USER : Role.ASSISTANT, parts(m.get("content"))));
        }
        List<Chat.Tool> tools = new ArrayList<>();
        for (JsonValue v : Json.array(body, "tools")) {
            JsonObject t = Json.objectIn(v, "each of 'tools'");
            if (t.get("input_schema") instanceof JsonObject schema) {
                tools.add(new Chat.Tool(Json.string(t, "name"), Json.string(t, "description"), schema));
            }
        }
        Chat.ToolChoice choice = null;
        if (body.get("tool_choice") instanceof JsonObject c) {
            choice = new Chat.ToolChoice(c.getString("type", "auto"), c.getString("name", null));
        }
        List<String> stop = new ArrayList<>();
        Json.array(body, "stop_sequences").forEach(s -> stop.add(s instanceof JsonString str ? str.getString() : s.toString()));
        return new Chat.Request(Json.string(body, "model"), system(body.get("system")), messages, tools, choice,
                OpenAiChat.number(body, "max_tokens"), OpenAiChat.decimal(body, "temperature"),
                OpenAiChat.decimal(body, "top_p"), stop, body.getBoolean("stream", false), null, thinking(body));
    }

    /** {@code thinking: {type: enabled, budget_tokens}} or {@code {type: disabled}}; adaptive asks nothing. */
    private static Thinking thinking(JsonObject body) {
        if (!(body.get("thinking") instanceof JsonObject t)) {
            return null;
        }
        return switch (t.getString("type", "")) {
            case "enabled" -> new Thinking(OpenAiChat.number(t, "budget_tokens").orElse(Thinking.MEDIUM));
            case "disabled" -> new Thinking(0);
            default -> null;
        };
    }

    private static String system(JsonValue v) {
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        if (v instanceof JsonArray blocks) {
            List<String> texts = new ArrayList<>();
            blocks.forEach(b -> texts.add(Json.objectIn(b, "each 'system' block").getString("text", "")));
            return Json.join(texts);
        }
        throw new TranslationException("'system' must be a string or an array of text blocks");
    }

    private static List<Part> parts(JsonValue content) {
        if (content instanceof JsonString s) {
            return List.of(new Text(s.getString()));
        }
        if (!(content instanceof JsonArray blocks)) {
            throw new TranslationException("'content' must be a string or an array of content blocks");
        }
        List<Part> out = new ArrayList<>();
        for (JsonValue v : blocks) {
            JsonObject b = Json.objectIn(v, "each content block");
            switch (b.getString("type", "")) {
                case "text" -> out.add(new Text(b.getString("text", "")));
                case "image" -> {
                    JsonObject src = Json.objectIn(b.get("source"), "'image.source'");
                    out.add("url".equals(src.getString("type", "")) ? new Image(src.getString("url", ""), null, null)
                            : new Image(null, src.getString("media_type", "image/png"), src.getString("data", "")));
                }
                case "tool_use" -> out.add(new ToolCall(Json.string(b, "id"), Json.string(b, "name"),
                        b.get("input") instanceof JsonObject in ? in.toString() : "{}"));
                case "tool_result" -> out.add(new ToolResult(Json.string(b, "tool_use_id"), resultText(b.get("content")),
                        b.getBoolean("is_error", false)));
                case "thinking" -> out.add(Signatures.read(b.getString("thinking", ""), b.getString("signature", ""),
                        false, Origin.ANTHROPIC));
                case "redacted_thinking" -> out.add(Signatures.read("", b.getString("data", ""), true, Origin.ANTHROPIC));
                default -> throw new TranslationException("content block type '" + b.getString("type", "")
                        + "' cannot be translated");
            }
        }
        return out;
    }

    private static String resultText(JsonValue content) {
        if (content instanceof JsonString s) {
            return s.getString();
        }
        StringBuilder b = new StringBuilder();
        if (content instanceof JsonArray blocks) {
            blocks.forEach(x -> b.append(x instanceof JsonObject o ? o.getString("text", "") : ""));
        }
        return b.toString();
    }

    @Override
    public JsonObject encodeRequest(Chat.Request r, String model) {
        JsonArrayBuilder messages = JSON.createArrayBuilder();
        for (Message m : r.messages()) {
            JsonArrayBuilder content = JSON.createArrayBuilder();
            int n = 0;
            for (Part p : m.parts()) {
                JsonObjectBuilder block = upstreamTakes(p) ? block(p) : null;
                if (block != null) {
                    content.add(block);
                    n++;
                }
            }
            if (n > 0) {
                messages.add(JSON.createObjectBuilder().add("role", m.role() == Role.USER ? "user" : "assistant")
                        .add("content", content));
            }
        }
        long maxTokens = r.maxTokens().orElse(DEFAULT_MAX_TOKENS);
        boolean thinks = r.thinking() != null && r.thinking().budget() > 0;
        JsonObjectBuilder b = JSON.createObjectBuilder().add("model", model);
        if (thinks) {
            // Anthropic's budget is at least 1024 and below max_tokens, which counts thinking too
            long budget = Math.max(MIN_THINKING_BUDGET, r.thinking().budget());
            maxTokens = maxTokens > budget ? maxTokens : budget + maxTokens;
            b.add("thinking", JSON.createObjectBuilder().add("type", "enabled").add("budget_tokens", budget));
        } else if (r.thinking() != null) {
            b.add("thinking", JSON.createObjectBuilder().add("type", "disabled"));
        }
        b.add("max_tokens", maxTokens).add("messages", messages);
        String system = withOutputInstruction(r.system(), r.output());
        if (system != null) {
            b.add("system", system);
        }
        if (!r.tools().isEmpty()) {
            JsonArrayBuilder tools = JSON.createArrayBuilder();
            for (Chat.Tool t : r.tools()) {
                // Anthropic takes an object at the root and nothing else (not even ["object", "null"])
                JsonObjectBuilder tool = JSON.createObjectBuilder().add("name", t.name()).add("input_schema",
                        JSON.createObjectBuilder(t.schema()).add("type", "object"));
                if (t.description() != null) {
                    tool.add("description", t.description());
                }
                tools.add(tool);
            }
            b.add("tools", tools);
        }
        if (r.toolChoice() != null && !(thinks && FORCED.contains(r.toolChoice().mode()))) {
            JsonObjectBuilder c = JSON.createObjectBuilder().add("type", r.toolChoice().mode());
            if (r.toolChoice().name() != null) {
                c.add("name", r.toolChoice().name());
            }
            b.add("tool_choice", c);
        }
        if (thinks) {
            Json.addStop(b, r, "stop_sequences"); // thinking refuses a changed temperature or top_p (and a forced tool)
        } else {
            Json.addSampling(b, r, "stop_sequences");
        }
        if (r.stream()) {
            b.add("stream", true);
        }
        return b.build();
    }

    private static JsonObjectBuilder block(Part p) {
        if (p instanceof Reasoning r) {
            return thinkingBlock(r);
        }
        if (p instanceof Text t) {
            return t.text().isEmpty() ? null : JSON.createObjectBuilder().add("type", "text").add("text", t.text());
        }
        if (p instanceof Image i) {
            JsonObjectBuilder source = i.url() != null
                    ? JSON.createObjectBuilder().add("type", "url").add("url", i.url())
                    : JSON.createObjectBuilder().add("type", "base64").add("media_type", i.mediaType()).add("data", i.data());
            return JSON.createObjectBuilder().add("type", "image").add("source", source);
        }
        if (p instanceof ToolCall c) {
            return JSON.createObjectBuilder().add("type", "tool_use").add("id", c.id()).add("name", c.name())
                    .add("input", Json.object(c.arguments()));
        }
        ToolResult r = (ToolResult) p;
        JsonObjectBuilder b = JSON.createObjectBuilder().add("type", "tool_result").add("tool_use_id", r.callId())
                .add("content", r.content());
        if (r.error()) {
            b.add("is_error", true);
        }
        return b;
    }

    /**
     * A thinking block as Anthropic writes it. To an Anthropic upstream only its own signed blocks
     * go (it refuses unsigned or foreign ones); to an Anthropic client every block goes, a foreign
     * signature wrapped ({@link Signatures}) so that it comes back to its own provider.
     */
    private static JsonObjectBuilder thinkingBlock(Reasoning r) {
        String signature = Signatures.wrap(r, Origin.ANTHROPIC);
        if (r.redacted() && r.origin() == Origin.ANTHROPIC) {
            return JSON.createObjectBuilder().add("type", "redacted_thinking").add("data", r.signature());
        }
        return JSON.createObjectBuilder().add("type", "thinking").add("thinking", r.text()).add("signature", signature);
    }

    /** The thinking blocks an Anthropic upstream takes back: its own signed ones. */
    private static boolean upstreamTakes(Part p) {
        return !(p instanceof Reasoning r) || r.signedFor(Origin.ANTHROPIC);
    }

    /**
     * Marks the tools, the system prompt and the conversation so far as cache breakpoints (three of
     * Anthropic's four), so that a long agent prompt is read from the cache on the next turn. A
     * prefix shorter than the model's minimum is simply not cached.
     */
    @Override
    public JsonObject cacheMarked(JsonObject request) {
        JsonObjectBuilder b = JSON.createObjectBuilder(request);
        if (request.get("tools") instanceof JsonArray tools && !tools.isEmpty()) {
            b.add("tools", markedLast(tools));
        }
        if (request.get("system") instanceof JsonString system) {
            b.add("system", JSON.createArrayBuilder().add(JSON.createObjectBuilder().add("type", "text")
                    .add("text", system.getString()).add("cache_control", EPHEMERAL)));
        }
        if (request.get("messages") instanceof JsonArray messages && !messages.isEmpty()
                && messages.get(messages.size() - 1) instanceof JsonObject last
                && last.get("content") instanceof JsonArray content && !content.isEmpty()) {
            JsonArrayBuilder all = JSON.createArrayBuilder(messages.subList(0, messages.size() - 1));
            all.add(JSON.createObjectBuilder(last).add("content", markedLast(content)));
            b.add("messages", all);
        }
        return b.build();
    }

    private static final JsonObject EPHEMERAL = JSON.createObjectBuilder().add("type", "ephemeral").build();

    /** The array with {@code cache_control} on its last object. */
    private static JsonArrayBuilder markedLast(JsonArray items) {
        JsonArrayBuilder out = JSON.createArrayBuilder(items.subList(0, items.size() - 1));
        return out.add(JSON.createObjectBuilder(items.getJsonObject(items.size() - 1)).add("cache_control", EPHEMERAL));
    }

    /**
     * Anthropic's Messages API has no structured-output field: JSON output asked for in another
     * format becomes an instruction at the end of the system prompt, the schema included.
     */
    static String withOutputInstruction(String system, Chat.Output output) {
        if (output == null) {
            return system;
        }
        String instruction = output instanceof Chat.JsonSchemaOutput js && !js.schema().isEmpty()
                ? "Answer with one JSON object and nothing else, valid against this JSON Schema: " + js.schema()
                : "Answer with one JSON object and nothing else.";
        return system == null ? instruction : Json.join(List.of(system, instruction));
    }

    @Override
    public Chat.Response decodeResponse(JsonObject body) {
        List<Part> content = new ArrayList<>();
        for (JsonValue v : Json.array(body, "content")) {
            if (v instanceof JsonObject b) {
                String type = b.getString("type", "");
                if (type.equals("text")) {
                    content.add(new Text(b.getString("text", "")));
                } else if (type.equals("thinking")) {
                    content.add(new Reasoning(b.getString("thinking", ""), b.getString("signature", ""), false,
                            Origin.ANTHROPIC));
                } else if (type.equals("redacted_thinking")) {
                    content.add(new Reasoning("", b.getString("data", ""), true, Origin.ANTHROPIC));
                } else if (type.equals("tool_use")) {
                    content.add(new ToolCall(b.getString("id", ""), b.getString("name", ""),
                            b.get("input") instanceof JsonObject in ? in.toString() : "{}"));
                }
            }
        }
        return new Chat.Response(body.getString("id", null), body.getString("model", null), content,
                stop(body.getString("stop_reason", "end_turn")), AnthropicUsage.of(body).orElse(null));
    }

    static Stop stop(String reason) {
        return switch (reason) {
            case "max_tokens" -> Stop.MAX_TOKENS;
            case "stop_sequence" -> Stop.STOP_SEQUENCE;
            case "tool_use" -> Stop.TOOL_USE;
            case "refusal" -> Stop.CONTENT_FILTER;
            default -> Stop.END;
        };
    }

    static String stopReason(Stop stop) {
        return switch (stop) {
            case MAX_TOKENS -> "max_tokens";
            case STOP_SEQUENCE -> "stop_sequence";
            case TOOL_USE -> "tool_use";
            case CONTENT_FILTER -> "refusal";
            case END -> "end_turn";
        };
    }

    @Override
    public JsonObject encodeResponse(Chat.Response r, String model) {
        JsonArrayBuilder content = JSON.createArrayBuilder();
        for (Part p : r.content()) {
            JsonObjectBuilder b = block(p);
            if (b != null) {
                content.add(b);
            }
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("id", r.id() == null ? "msg_tollgate" : r.id())
                .add("type", "message").add("role", "assistant").add("model", model).add("content", content)
                .add("stop_reason", stopReason(r.stop())).add("stop_sequence", JsonValue.NULL);
        b.add("usage", usage(r.usage() == null ? TokenUsage.NONE : r.usage()));
        return b.build();
    }

    /** Normalised usage back in Anthropic's terms: input_tokens excludes cache reads and writes. */
    static JsonObjectBuilder usage(TokenUsage u) {
        long writes = u.cacheWrite5m() + u.cacheWrite1h();
        return JSON.createObjectBuilder().add("input_tokens", Math.max(0, u.prompt() - u.cached() - writes))
                .add("output_tokens", u.completion()).add("cache_read_input_tokens", u.cached())
                .add("cache_creation_input_tokens", writes);
    }

    @Override
    public JsonObject error(int status, String message) {
        return ErrorBodies.anthropic(status, message);
    }

    @Override
    public String errorMessage(JsonObject body) {
        return body.get("error") instanceof JsonObject e ? e.getString("message", null) : null;
    }

    @Override
    public StreamDecoder transcriptDecoder() {
        return new TranscriptDecoder(new AnthropicEvents());
    }

    @Override
    public StreamDecoder streamDecoder(LongSupplier estimatedPrompt) {
        return new Decoder(estimatedPrompt);
    }

    @Override
    public StreamEncoder streamEncoder(Chat.Request request, JsonObject clientBody) {
        return new Encoder(request.model());
    }

    /** Events from an Anthropic stream; usage, id, end and errors through the same-format observer. */
    private static final class Decoder extends ObservingDecoder {
        private final AnthropicEvents events = new AnthropicEvents();

        Decoder(LongSupplier estimatedPrompt) {
            super(new AnthropicStreamObserver(estimatedPrompt));
        }

        @Override
        protected List<Event> events(JsonObject e) {
            try (JsonParser p = JsonEvents.over(e)) {
                return events.read(p);
            }
        }
    }

    /** Events to Anthropic's named SSE events: one content block per text run or tool call. */
    private static final class Encoder implements StreamEncoder {
        private final String model;
        private boolean started;
        private int nextBlock;
        private int openBlock = -1;
        private String openType = "";
        private final Map<Integer, Integer> blockOfTool = new HashMap<>();
        private Stop stop = Stop.END;

        Encoder(String model) {
            this.model = model;
        }

        @Override
        public byte[] encode(List<Event> events) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Event e : events) {
                if (e instanceof Chat.Started s) {
                    start(out, s.id());
                    continue;
                }
                start(out, null);
                if (e instanceof Chat.ReasoningDelta t) {
                    openUnlessOpen(out, "thinking");
                    delta(out, JSON.createObjectBuilder().add("type", "thinking_delta").add("thinking", t.text()));
                } else if (e instanceof Chat.ReasoningSigned sig) {
                    signed(out, sig);
                } else if (e instanceof Chat.TextDelta t) {
                    openUnlessOpen(out, "text");
                    delta(out, JSON.createObjectBuilder().add("type", "text_delta").add("text", t.text()));
                } else if (e instanceof Chat.ToolStarted t) {
                    open(out, JSON.createObjectBuilder().add("type", "tool_use").add("id", t.id()).add("name", t.name())
                            .add("input", JsonValue.EMPTY_JSON_OBJECT), "tool_use");
                    blockOfTool.put(t.index(), openBlock);
                } else if (e instanceof Chat.ToolArguments a && blockOfTool.containsKey(a.index())) {
                    write(out, "content_block_delta", JSON.createObjectBuilder().add("type", "content_block_delta")
                            .add("index", blockOfTool.get(a.index())).add("delta", JSON.createObjectBuilder()
                                    .add("type", "input_json_delta").add("partial_json", a.json())));
                } else if (e instanceof Chat.Stopped s) {
                    close(out);
                    stop = s.reason();
                }
            }
            return out.size() == 0 ? null : out.toByteArray();
        }

        private void start(ByteArrayOutputStream out, String id) {
            if (started) {
                return;
            }
            started = true;
            write(out, "message_start", JSON.createObjectBuilder().add("type", "message_start").add("message",
                    JSON.createObjectBuilder().add("id", id == null ? "msg_tollgate" : id).add("type", "message")
                            .add("role", "assistant").add("model", model).add("content", JsonValue.EMPTY_JSON_ARRAY)
                            .add("stop_reason", JsonValue.NULL).add("stop_sequence", JsonValue.NULL)
                            .add("usage", usage(TokenUsage.NONE))));
        }

        /** A thinking block ends with its signature; redacted thinking is a block of its own. */
        private void signed(ByteArrayOutputStream out, Chat.ReasoningSigned sig) {
            Reasoning r = new Reasoning("", sig.signature(), sig.redacted(), sig.origin());
            if (sig.redacted() && sig.origin() == Origin.ANTHROPIC) {
                open(out, JSON.createObjectBuilder().add("type", "redacted_thinking").add("data", sig.signature()),
                        "redacted_thinking");
                close(out);
                return;
            }
            openUnlessOpen(out, "thinking");
            delta(out, JSON.createObjectBuilder().add("type", "signature_delta")
                    .add("signature", Signatures.wrap(r, Origin.ANTHROPIC)));
            close(out);
        }

        /** Opens an empty text or thinking block (its text field named as its type) unless one is open. */
        private void openUnlessOpen(ByteArrayOutputStream out, String type) {
            if (openBlock < 0 || !openType.equals(type)) {
                open(out, JSON.createObjectBuilder().add("type", type).add(type, ""), type);
            }
        }

        private void delta(ByteArrayOutputStream out, JsonObjectBuilder delta) {
            write(out, "content_block_delta", JSON.createObjectBuilder().add("type", "content_block_delta")
                    .add("index", openBlock).add("delta", delta));
        }

        private void open(ByteArrayOutputStream out, JsonObjectBuilder block, String type) {
            close(out);
            openBlock = nextBlock++;
            openType = type;
            write(out, "content_block_start", JSON.createObjectBuilder().add("type", "content_block_start")
                    .add("index", openBlock).add("content_block", block));
        }

        private void close(ByteArrayOutputStream out) {
            if (openBlock >= 0) {
                write(out, "content_block_stop", JSON.createObjectBuilder().add("type", "content_block_stop")
                        .add("index", openBlock));
                openBlock = -1;
            }
        }

        @Override
        public byte[] finish(TokenUsage usage) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            start(out, null);
            close(out);
            write(out, "message_delta", JSON.createObjectBuilder().add("type", "message_delta")
                    .add("delta", JSON.createObjectBuilder().add("stop_reason", stopReason(stop))
                            .add("stop_sequence", JsonValue.NULL))
                    .add("usage", usage(usage)));
            write(out, "message_stop", JSON.createObjectBuilder().add("type", "message_stop"));
            return out.toByteArray();
        }

        @Override
        public byte[] error(String message, boolean timeout) {
            return AnthropicStreamObserver.event(message, timeout);
        }

        private static void write(ByteArrayOutputStream out, String event, JsonObjectBuilder data) {
            out.writeBytes(SseFrame.event(event, data.build()));
        }
    }
}
