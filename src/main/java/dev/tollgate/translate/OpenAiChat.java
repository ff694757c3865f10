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
import dev.tollgate.usage.OpenAiStreamObserver;
import dev.tollgate.usage.OpenAiUsage;
import dev.tollgate.usage.TokenUsage;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * OpenAI Chat Completions as a {@link ChatCodec}. Dropped on purpose when translating from it:
 * {@code n}, {@code logprobs}, {@code presence_penalty}, {@code frequency_penalty},
 * {@code seed}, {@code logit_bias}, {@code parallel_tool_calls} and {@code user}: the other
 * formats have no field for them. {@code response_format} is carried ({@link OpenAiOutputFormat}).
 */
public final class OpenAiChat implements ChatCodec {
    public static final OpenAiChat INSTANCE = new OpenAiChat();

    private OpenAiChat() {
    }

    @Override
    public List<String> conversationFields() {
        return List.of("messages");
    }

    @Override
    public String path(String model, boolean stream) {
        return "/chat/completions";
    }

    @Override
    public Chat.Request decodeRequest(JsonObject body) {
        List<String> system = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        for (JsonValue v : Json.array(body, "messages")) {
            JsonObject m = Json.objectIn(v, "each of 'messages'");
            String role = Json.string(m, "role");
            if (role == null) {
                throw new TranslationException("each message needs a 'role'");
            }
            switch (role) {
                case "system", "developer" -> system.add(text(m.get("content")));
                case "user" -> add(messages, Role.USER, userParts(m.get("content")));
                case "assistant" -> add(messages, Role.ASSISTANT, assistantParts(m));
                case "tool" -> add(messages, Role.USER, List.of(new ToolResult(Json.string(m, "tool_call_id"),
                        text(m.get("content")), false)));
                default -> throw new TranslationException("unknown message role '" + role + "'");
            }
        }
        List<Chat.Tool> tools = new ArrayList<>();
        for (JsonValue v : Json.array(body, "tools")) {
            JsonObject f = Json.objectIn(Json.objectIn(v, "each of 'tools'").get("function"), "'tools[].function'");
            tools.add(new Chat.Tool(Json.string(f, "name"), Json.string(f, "description"),
                    f.get("parameters") instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT));
        }
        OptionalLong max = number(body, "max_completion_tokens");
        if (max.isEmpty()) {
            max = number(body, "max_tokens");
        }
        List<String> stop = new ArrayList<>();
        JsonValue s = body.get("stop");
        if (s instanceof JsonString one) {
            stop.add(one.getString());
        } else if (s instanceof JsonArray many) {
            many.forEach(x -> stop.add(x instanceof JsonString str ? str.getString() : x.toString()));
        }
        return new Chat.Request(Json.string(body, "model"), system.isEmpty() ? null : Json.join(system), messages, tools,
                toolChoice(body.get("tool_choice")), max, decimal(body, "temperature"), decimal(body, "top_p"), stop,
                body.getBoolean("stream", false), OpenAiOutputFormat.CHAT.read(body.get("response_format")),
                Thinking.ofEffort(body.getString("reasoning_effort", null)));
    }

    private static void add(List<Message> messages, Role role, List<Part> parts) {
        // consecutive messages of one role merge: tool results of one turn travel together
        if (!messages.isEmpty() && messages.get(messages.size() - 1).role() == role) {
            List<Part> merged = new ArrayList<>(messages.remove(messages.size() - 1).parts());
            merged.addAll(parts);
            messages.add(new Message(role, merged));
        } else {
            messages.add(new Message(role, parts));
        }
    }

    private static List<Part> userParts(JsonValue content) {
        if (!(content instanceof JsonArray parts)) {
            return List.of(new Text(text(content)));
        }
        List<Part> out = new ArrayList<>();
        for (JsonValue v : parts) {
            JsonObject p = Json.objectIn(v, "each content part");
            switch (p.getString("type", "text")) {
                case "text" -> out.add(new Text(p.getString("text", "")));
                case "image_url" -> out.add(image(p.get("image_url") instanceof JsonObject u
                        ? u.getString("url", "") : p.getString("image_url", "")));
                default -> throw new TranslationException("content part type '" + p.getString("type")
                        + "' cannot be translated");
            }
        }
        return out;
    }

    /** A data URL becomes an inline image, any other URL stays a URL. */
    static Image image(String url) {
        if (url.startsWith("data:")) {
            int semi = url.indexOf(';');
            int comma = url.indexOf(',');
            if (semi > 5 && comma > semi) {
                return new Image(null, url.substring(5, semi), url.substring(comma + 1));
            }
        }
        return new Image(url, null, null);
    }

    private static List<Part> assistantParts(JsonObject m) {
        List<Part> out = new ArrayList<>(reasoning(m));
        String text = text(m.get("content"));
        if (!text.isEmpty()) {
            out.add(new Text(text));
        }
        for (JsonValue v : Json.array(m, "tool_calls")) {
            JsonObject call = Json.objectIn(v, "each of 'tool_calls'");
            JsonObject f = Json.objectIn(call.get("function"), "'tool_calls[].function'");
            out.add(new ToolCall(Json.string(call, "id"), Json.string(f, "name"), f.getString("arguments", "{}")));
        }
        return out;
    }

    /**
     * An assistant message's reasoning: its {@code thinking_blocks} (signatures included, the
     * convention OpenAI-compatible clients of Claude use) or else its {@code reasoning_content} text.
     */
    private static List<Part> reasoning(JsonObject m) {
        List<Part> out = new ArrayList<>();
        for (JsonValue v : Json.array(m, "thinking_blocks")) {
            JsonObject b = Json.objectIn(v, "each of 'thinking_blocks'");
            boolean redacted = "redacted_thinking".equals(b.getString("type", ""));
            out.add(Signatures.read(b.getString("thinking", ""), redacted ? b.getString("data", "")
                    : b.getString("signature", ""), redacted, Origin.ANTHROPIC));
        }
        if (out.isEmpty() && m.get("reasoning_content") instanceof JsonString r && !r.getString().isEmpty()) {
            out.add(new Reasoning(r.getString(), "", false, null));
        }
        return out;
    }

    /** The reasoning text of {@code parts}, joined: the message's {@code reasoning_content}. */
    private static String reasoningText(List<Part> parts) {
        StringBuilder b = new StringBuilder();
        parts.forEach(p -> b.append(p instanceof Reasoning r ? r.text() : ""));
        return b.toString();
    }

    /** Each reasoning block as {@code thinking_blocks} carries it. */
    private static JsonObjectBuilder thinkingBlock(Reasoning r) {
        if (r.redacted() && r.origin() == Origin.ANTHROPIC) {
            return JSON.createObjectBuilder().add("type", "redacted_thinking").add("data", r.signature());
        }
        return JSON.createObjectBuilder().add("type", "thinking").add("thinking", r.text())
                .add("signature", Signatures.wrap(r, Origin.ANTHROPIC));
    }

    private static String text(JsonValue content) {
        if (content == null || content == JsonValue.NULL) {
            return "";
        }
        if (content instanceof JsonString s) {
            return s.getString();
        }
        if (content instanceof JsonArray parts) {
            StringBuilder b = new StringBuilder();
            for (JsonValue p : parts) {
                if (p instanceof JsonObject o && o.get("text") instanceof JsonString t) {
                    b.append(t.getString());
                }
            }
            return b.toString();
        }
        throw new TranslationException("'content' must be a string or an array of parts");
    }

    private static Chat.ToolChoice toolChoice(JsonValue v) {
        if (v instanceof JsonString s) {
            return switch (s.getString()) {
                case "none" -> new Chat.ToolChoice("none", null);
                case "required" -> new Chat.ToolChoice("any", null);
                default -> new Chat.ToolChoice("auto", null);
            };
        }
        if (v instanceof JsonObject o && o.get("function") instanceof JsonObject f) {
            return new Chat.ToolChoice("tool", f.getString("name", null));
        }
        return null;
    }

    static OptionalLong number(JsonObject o, String field) {
        return o.get(field) instanceof JsonNumber n ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
    }

    static JsonNumber decimal(JsonObject o, String field) {
        return o.get(field) instanceof JsonNumber n ? n : null;
    }

    @Override
    public JsonObject encodeRequest(Chat.Request r, String model) {
        JsonArrayBuilder messages = JSON.createArrayBuilder();
        if (r.system() != null) {
            messages.add(JSON.createObjectBuilder().add("role", "system").add("content", r.system()));
        }
        for (Message m : r.messages()) {
            if (m.role() == Role.ASSISTANT) {
                messages.add(assistant(m));
                continue;
            }
            JsonArrayBuilder content = JSON.createArrayBuilder();
            int contentParts = 0;
            for (Part p : m.parts()) {
                if (p instanceof ToolResult t) {
                    messages.add(JSON.createObjectBuilder().add("role", "tool").add("tool_call_id", t.callId())
                            .add("content", t.content()));
                } else if (p instanceof Text t) {
                    content.add(JSON.createObjectBuilder().add("type", "text").add("text", t.text()));
                    contentParts++;
                } else if (p instanceof Image i) {
                    String url = i.url() != null ? i.url() : "data:" + i.mediaType() + ";base64," + i.data();
                    content.add(JSON.createObjectBuilder().add("type", "image_url")
                            .add("image_url", JSON.createObjectBuilder().add("url", url)));
                    contentParts++;
                }
            }
            if (contentParts > 0) {
                messages.add(JSON.createObjectBuilder().add("role", "user").add("content", content));
            }
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("model", model).add("messages", messages);
        if (!r.tools().isEmpty()) {
            JsonArrayBuilder tools = JSON.createArrayBuilder();
            for (Chat.Tool t : r.tools()) {
                JsonObjectBuilder f = JSON.createObjectBuilder().add("name", t.name()).add("parameters", t.schema());
                if (t.description() != null) {
                    f.add("description", t.description());
                }
                tools.add(JSON.createObjectBuilder().add("type", "function").add("function", f));
            }
            b.add("tools", tools);
        }
        if (r.toolChoice() != null) {
            switch (r.toolChoice().mode()) {
                case "none" -> b.add("tool_choice", "none");
                case "any" -> b.add("tool_choice", "required");
                case "tool" -> b.add("tool_choice", JSON.createObjectBuilder().add("type", "function")
                        .add("function", JSON.createObjectBuilder().add("name", r.toolChoice().name())));
                default -> b.add("tool_choice", "auto");
            }
        }
        r.maxTokens().ifPresent(n -> b.add("max_completion_tokens", n));
        if (r.thinking() != null) {
            b.add("reasoning_effort", r.thinking().effort());
        }
        Json.addSampling(b, r, "stop");
        if (r.output() != null) {
            b.add("response_format", OpenAiOutputFormat.CHAT.write(r.output()));
        }
        if (r.stream()) {
            b.add("stream", true).add("stream_options", JSON.createObjectBuilder().add("include_usage", true));
        }
        return b.build();
    }

    private static JsonObjectBuilder assistant(Message m) {
        StringBuilder text = new StringBuilder();
        JsonArrayBuilder calls = JSON.createArrayBuilder();
        boolean anyCall = false;
        for (Part p : m.parts()) {
            if (p instanceof Text t) {
                text.append(t.text());
            } else if (p instanceof ToolCall c) {
                calls.add(call(c.id(), c.name(), c.arguments()));
                anyCall = true;
            }
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("role", "assistant");
        if (text.length() > 0 || !anyCall) {
            b.add("content", text.toString());
        } else {
            b.add("content", JsonValue.NULL);
        }
        if (anyCall) {
            b.add("tool_calls", calls);
        }
        return b;
    }

    private static JsonObjectBuilder call(String id, String name, String arguments) {
        return JSON.createObjectBuilder().add("id", id).add("type", "function")
                .add("function", JSON.createObjectBuilder().add("name", name).add("arguments", arguments));
    }

    @Override
    public Chat.Response decodeResponse(JsonObject body) {
        List<Part> content = new ArrayList<>();
        Stop stop = Stop.END;
        if (body.get("choices") instanceof JsonArray choices && !choices.isEmpty()
                && choices.get(0) instanceof JsonObject choice) {
            if (choice.get("message") instanceof JsonObject m) {
                content.addAll(assistantParts(m));
            }
            stop = stop(choice.getString("finish_reason", "stop"));
        }
        return new Chat.Response(body.getString("id", null), body.getString("model", null), content, stop,
                OpenAiUsage.of(body).orElse(null));
    }

    static Stop stop(String finishReason) {
        return switch (finishReason) {
            case "length" -> Stop.MAX_TOKENS;
            case "tool_calls", "function_call" -> Stop.TOOL_USE;
            case "content_filter" -> Stop.CONTENT_FILTER;
            default -> Stop.END;
        };
    }

    static String finishReason(Stop stop) {
        return switch (stop) {
            case MAX_TOKENS -> "length";
            case TOOL_USE -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
            case END, STOP_SEQUENCE -> "stop";
        };
    }

    @Override
    public JsonObject encodeResponse(Chat.Response r, String model) {
        JsonObjectBuilder message = assistant(new Message(Role.ASSISTANT, r.content()));
        String reasoning = reasoningText(r.content());
        JsonArrayBuilder blocks = JSON.createArrayBuilder();
        r.content().stream().filter(Reasoning.class::isInstance).map(p -> thinkingBlock((Reasoning) p)).forEach(blocks::add);
        if (r.content().stream().anyMatch(Reasoning.class::isInstance)) {
            message.add("reasoning_content", reasoning).add("thinking_blocks", blocks);
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("id", r.id() == null ? "chatcmpl-tollgate" : r.id())
                .add("object", "chat.completion").add("created", System.currentTimeMillis() / 1000).add("model", model)
                .add("choices", JSON.createArrayBuilder().add(JSON.createObjectBuilder().add("index", 0)
                        .add("message", message).add("finish_reason", finishReason(r.stop()))));
        if (r.usage() != null) {
            b.add("usage", usage(r.usage()));
        }
        return b.build();
    }

    static JsonObjectBuilder usage(TokenUsage u) {
        return JSON.createObjectBuilder().add("prompt_tokens", u.prompt()).add("completion_tokens", u.completion())
                .add("total_tokens", u.total())
                .add("prompt_tokens_details", JSON.createObjectBuilder().add("cached_tokens", u.cached()))
                .add("completion_tokens_details", JSON.createObjectBuilder().add("reasoning_tokens", u.reasoning()));
    }

    @Override
    public JsonObject error(int status, String message) {
        return ErrorBodies.openAi(status, message, null, null);
    }

    @Override
    public String errorMessage(JsonObject body) {
        return body.get("error") instanceof JsonObject e ? e.getString("message", null) : null;
    }

    @Override
    public StreamDecoder streamDecoder(LongSupplier estimatedPrompt) {
        return new Decoder(estimatedPrompt);
    }

    @Override
    public StreamEncoder streamEncoder(Chat.Request request, JsonObject clientBody) {
        boolean wantsUsage = clientBody.get("stream_options") instanceof JsonObject o && o.getBoolean("include_usage", false);
        return new Encoder(wantsUsage, request.model());
    }

    @Override
    public StreamDecoder transcriptDecoder() {
        return new TranscriptDecoder(new OpenAiChunkEvents());
    }

    /** Chunks to events; the usage, id, [DONE] and errors through the same observer same-format streams use. */
    private static final class Decoder extends ObservingDecoder {
        private final OpenAiChunkEvents chunks = new OpenAiChunkEvents();

        Decoder(LongSupplier estimatedPrompt) {
            super(new OpenAiStreamObserver(true, estimatedPrompt));
        }

        @Override
        protected List<Event> events(JsonObject chunk) {
            try (JsonParser p = JsonEvents.over(chunk)) {
                return chunks.read(p);
            }
        }
    }

    /** Events to chunks, ending with the usage chunk (when the client asked for it) and [DONE]. */
    private static final class Encoder implements StreamEncoder {
        private final boolean wantsUsage;
        private final String model;
        private String id = "chatcmpl-tollgate";
        private final long created = System.currentTimeMillis() / 1000;
        /** The reasoning text of the block being streamed, repeated whole in its signed thinking block. */
        private final StringBuilder thought = new StringBuilder();

        Encoder(boolean wantsUsage, String model) {
            this.wantsUsage = wantsUsage;
            this.model = model;
        }

        @Override
        public byte[] encode(List<Event> events) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Event e : events) {
                if (e instanceof Chat.Started s) {
                    if (s.id() != null) {
                        id = s.id();
                    }
                    write(out, chunk(JSON.createObjectBuilder().add("role", "assistant").add("content", ""), null));
                } else if (e instanceof Chat.ReasoningDelta t) {
                    thought.append(t.text());
                    write(out, chunk(JSON.createObjectBuilder().add("reasoning_content", t.text()), null));
                } else if (e instanceof Chat.ReasoningSigned sig) {
                    Reasoning block = new Reasoning(thought.toString(), sig.signature(), sig.redacted(), sig.origin());
                    thought.setLength(0);
                    write(out, chunk(JSON.createObjectBuilder().add("thinking_blocks",
                            JSON.createArrayBuilder().add(thinkingBlock(block))), null));
                } else if (e instanceof Chat.TextDelta t) {
                    write(out, chunk(JSON.createObjectBuilder().add("content", t.text()), null));
                } else if (e instanceof Chat.ToolStarted t) {
                    write(out, chunk(JSON.createObjectBuilder().add("tool_calls",
                            JSON.createArrayBuilder().add(call(t.id(), t.name(), "").add("index", t.index()))), null));
                } else if (e instanceof Chat.ToolArguments a) {
                    write(out, chunk(JSON.createObjectBuilder().add("tool_calls",
                            JSON.createArrayBuilder().add(JSON.createObjectBuilder().add("index", a.index())
                                    .add("function", JSON.createObjectBuilder().add("arguments", a.json())))), null));
                } else if (e instanceof Chat.Stopped s) {
                    write(out, chunk(JSON.createObjectBuilder(), finishReason(s.reason())));
                }
            }
            return out.size() == 0 ? null : out.toByteArray();
        }

        private JsonObject chunk(JsonObjectBuilder delta, String finishReason) {
            JsonObjectBuilder choice = JSON.createObjectBuilder().add("index", 0).add("delta", delta);
            choice.add("finish_reason", finishReason == null ? JsonValue.NULL : JSON.createValue(finishReason));
            return JSON.createObjectBuilder().add("id", id).add("object", "chat.completion.chunk").add("created", created)
                    .add("model", model).add("choices", JSON.createArrayBuilder().add(choice)).build();
        }

        @Override
        public byte[] finish(TokenUsage usage) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (wantsUsage) {
                write(out, JSON.createObjectBuilder().add("id", id).add("object", "chat.completion.chunk")
                        .add("created", created).add("model", model).add("choices", JSON.createArrayBuilder())
                        .add("usage", usage(usage)).build());
            }
            out.writeBytes(SseFrame.done());
            return out.toByteArray();
        }

        @Override
        public byte[] error(String message, boolean timeout) {
            return OpenAiStreamObserver.event(message, timeout);
        }

        private static void write(ByteArrayOutputStream out, JsonObject chunk) {
            out.writeBytes(SseFrame.data(chunk));
        }
    }
}
