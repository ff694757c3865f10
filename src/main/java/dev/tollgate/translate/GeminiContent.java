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
import dev.tollgate.usage.GeminiStreamObserver;
import dev.tollgate.usage.GeminiUsage;
import dev.tollgate.usage.TokenUsage;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Gemini's generateContent as a {@link ChatCodec}; the model travels in the URL, not the body.
 * Field names are read in camelCase or snake_case, written in camelCase. Gemini's function calls
 * may carry no id. In a request one is made from the name and position ({@code call_<n>_<name>}),
 * and tool results find their function's name from the call they answer. In an answer the made-up
 * id also carries a tag drawn for that answer ({@code call_<n>_<name>_<tag>}), so that ids the
 * client keeps, and the reasoning remembered under them ({@link ReasoningMemory}), never repeat
 * across answers. Schemas (tool parameters, response
 * schemas) are Gemini's {@code Schema} here and JSON Schema in the canonical model ({@link
 * GeminiSchema}). Dropped on purpose: {@code topK}, {@code candidateCount}, {@code safetySettings},
 * {@code cachedContent}, the {@code text/x.enum} response type and thinking settings.
 */
public final class GeminiContent implements ChatCodec {
    public static final GeminiContent INSTANCE = new GeminiContent();

    private GeminiContent() {
    }

    @Override
    public List<String> conversationFields() {
        return List.of("systemInstruction", "contents");
    }

    @Override
    public String path(String model, boolean stream) {
        return "/v1beta/models/" + model + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    }

    private static JsonValue field(JsonObject o, String camel, String snake) {
        JsonValue v = o.get(camel);
        return v != null ? v : o.get(snake);
    }

    @Override
    public Chat.Request decodeRequest(JsonObject body) {
        String system = null;
        if (field(body, "systemInstruction", "system_instruction") instanceof JsonObject si) {
            system = partsText(si);
        }
        List<Message> messages = new ArrayList<>();
        int calls = 0;
        Map<String, ArrayListIds> idsByName = new HashMap<>();
        for (JsonValue v : arrayOf(body.get("contents"), "contents")) {
            JsonObject c = Json.objectIn(v, "each of 'contents'");
            Role role = "model".equals(c.getString("role", "user")) ? Role.ASSISTANT : Role.USER;
            List<Part> parts = new ArrayList<>();
            for (JsonValue pv : arrayOf(c.get("parts"), "parts")) {
                JsonObject p = Json.objectIn(pv, "each part");
                if (thought(p, parts)) {
                    continue;
                }
                if (p.get("text") instanceof JsonString t) {
                    parts.add(new Text(t.getString()));
                } else if (field(p, "inlineData", "inline_data") instanceof JsonObject d) {
                    parts.add(new Image(null, string(d, "mimeType", "mime_type"), d.getString("data", "")));
                } else if (field(p, "fileData", "file_data") instanceof JsonObject f) {
                    parts.add(new Image(string(f, "fileUri", "file_uri"), string(f, "mimeType", "mime_type"), null));
                } else if (field(p, "functionCall", "function_call") instanceof JsonObject f) {
                    String name = f.getString("name", "");
                    String id = f.getString("id", "call_" + calls++ + "_" + name);
                    idsByName.computeIfAbsent(name, k -> new ArrayListIds()).add(id);
                    parts.add(new ToolCall(id, name, f.get("args") instanceof JsonObject a ? a.toString() : "{}"));
                } else if (field(p, "functionResponse", "function_response") instanceof JsonObject f) {
                    String name = f.getString("name", "");
                    String id = f.containsKey("id") ? f.getString("id") : idsByName.getOrDefault(name, new ArrayListIds())
                            .next(name);
                    parts.add(new ToolResult(id, f.get("response") instanceof JsonObject r ? r.toString() : "{}", false));
                } else if (p.containsKey("thoughtSignature") || p.containsKey("thought_signature")) {
                    continue; // a signature on a part of no other kind: read above
                } else {
                    throw new TranslationException("a Gemini part of kind " + p.keySet() + " cannot be translated");
                }
            }
            messages.add(new Message(role, parts));
        }
        List<Chat.Tool> tools = new ArrayList<>();
        for (JsonValue tv : arrayOf(body.get("tools"), "tools")) {
            JsonObject t = Json.objectIn(tv, "each of 'tools'");
            if (field(t, "functionDeclarations", "function_declarations") instanceof JsonArray decls) {
                for (JsonValue dv : decls) {
                    JsonObject d = Json.objectIn(dv, "each function declaration");
                    // the neutral form is JSON Schema: parametersJsonSchema is one already, parameters is Gemini's Schema
                    JsonValue params = d.containsKey("parameters") ? GeminiSchema.toJsonSchema(d.get("parameters"))
                            : d.get("parametersJsonSchema");
                    tools.add(new Chat.Tool(d.getString("name", ""), d.getString("description", null),
                            params instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT));
                }
            }
        }
        Chat.ToolChoice choice = null;
        if (field(body, "toolConfig", "tool_config") instanceof JsonObject tc
                && field(tc, "functionCallingConfig", "function_calling_config") instanceof JsonObject fc) {
            String mode = fc.getString("mode", "AUTO");
            JsonValue allowed = field(fc, "allowedFunctionNames", "allowed_function_names");
            String only = allowed instanceof JsonArray a && a.size() == 1 && a.get(0) instanceof JsonString s
                    ? s.getString() : null;
            choice = switch (mode) {
                case "NONE" -> new Chat.ToolChoice("none", null);
                case "ANY" -> only != null ? new Chat.ToolChoice("tool", only) : new Chat.ToolChoice("any", null);
                default -> new Chat.ToolChoice("auto", null);
            };
        }
        JsonObject config = field(body, "generationConfig", "generation_config") instanceof JsonObject g ? g
                : JsonValue.EMPTY_JSON_OBJECT;
        OptionalLong max = field(config, "maxOutputTokens", "max_output_tokens") instanceof JsonNumber n
                ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
        List<String> stop = new ArrayList<>();
        if (field(config, "stopSequences", "stop_sequences") instanceof JsonArray a) {
            a.forEach(x -> stop.add(x instanceof JsonString s ? s.getString() : x.toString()));
        }
        return new Chat.Request(null, system, messages, tools, choice, max,
                config.get("temperature") instanceof JsonNumber t ? t : null,
                field(config, "topP", "top_p") instanceof JsonNumber p ? p : null, stop, false, output(config),
                thinking(config));
    }

    /** {@code thinkingConfig}: a budget (-1, dynamic, is a medium one) or a level. */
    private static Thinking thinking(JsonObject config) {
        if (!(field(config, "thinkingConfig", "thinking_config") instanceof JsonObject t)) {
            return null;
        }
        if (field(t, "thinkingBudget", "thinking_budget") instanceof JsonNumber n) {
            return new Thinking(n.longValue() < 0 ? Thinking.MEDIUM : n.longValue());
        }
        return field(t, "thinkingLevel", "thinking_level") instanceof JsonString level
                ? Thinking.ofEffort(level.getString().toLowerCase(Locale.ROOT)) : null;
    }

    /**
     * Reads a part's reasoning into {@code parts}: a thought (its text, with its signature if it
     * has one) is all the part is; a signature on another part (Gemini signs function calls) comes
     * before that part as reasoning without text. Returns whether the part was a thought.
     */
    private static boolean thought(JsonObject p, List<Part> parts) {
        JsonValue signature = field(p, "thoughtSignature", "thought_signature");
        String sig = signature instanceof JsonString s ? s.getString() : "";
        if (p.getBoolean("thought", false)) {
            parts.add(Signatures.read(p.getString("text", ""), sig, false, Origin.GEMINI));
            return true;
        }
        if (!sig.isEmpty()) {
            parts.add(Signatures.read("", sig, false, Origin.GEMINI));
        }
        return false;
    }

    /** JSON output: the JSON mime type, with Gemini's Schema or a JSON Schema, or neither (any JSON). */
    private static Chat.Output output(JsonObject config) {
        if (!(field(config, "responseMimeType", "response_mime_type") instanceof JsonString mime)
                || !mime.getString().equals("application/json")) {
            return null; // text, or an enum's text/x.enum: no counterpart elsewhere
        }
        if (field(config, "responseJsonSchema", "response_json_schema") instanceof JsonObject js) {
            return new Chat.JsonSchemaOutput(null, null, js, false);
        }
        if (field(config, "responseSchema", "response_schema") instanceof JsonObject schema) {
            return new Chat.JsonSchemaOutput(null, null, GeminiSchema.toJsonSchema(schema), false);
        }
        return new Chat.AnyJson();
    }

    /** Ids of the calls to one function, handed to its results in order. */
    private static final class ArrayListIds extends ArrayList<String> {
        private static final long serialVersionUID = 1L;
        private int next;

        String next(String name) {
            return next < size() ? get(next++) : "call_" + name;
        }
    }

    private static JsonArray arrayOf(JsonValue v, String what) {
        if (v == null || v == JsonValue.NULL) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        if (v instanceof JsonArray a) {
            return a;
        }
        throw new TranslationException("'" + what + "' must be an array");
    }

    private static String string(JsonObject o, String camel, String snake) {
        return field(o, camel, snake) instanceof JsonString s ? s.getString() : null;
    }

    private static String partsText(JsonObject content) {
        StringBuilder b = new StringBuilder();
        for (JsonValue p : arrayOf(content.get("parts"), "parts")) {
            if (p instanceof JsonObject o && o.get("text") instanceof JsonString t) {
                b.append(b.length() == 0 ? "" : "\n\n").append(t.getString());
            }
        }
        return b.toString();
    }

    @Override
    public JsonObject encodeRequest(Chat.Request r, String model) {
        Map<String, String> nameOfCall = new HashMap<>();
        JsonArrayBuilder contents = JSON.createArrayBuilder();
        for (Message m : r.messages()) {
            JsonArrayBuilder parts = JSON.createArrayBuilder();
            int n = 0;
            String signature = null; // Gemini's own, for the part after it (only Gemini reads it; the text it has no use for)
            for (Part p : m.parts()) {
                JsonObjectBuilder part = JSON.createObjectBuilder();
                if (p instanceof Reasoning thought) {
                    signature = thought.signedFor(Origin.GEMINI) ? thought.signature() : signature;
                    continue;
                }
                if (signature != null) {
                    part.add("thoughtSignature", signature);
                    signature = null;
                }
                if (p instanceof Text t) {
                    if (t.text().isEmpty()) {
                        continue;
                    }
                    part.add("text", t.text());
                } else if (p instanceof Image i) {
                    if (i.data() != null) {
                        part.add("inlineData", JSON.createObjectBuilder().add("mimeType", i.mediaType()).add("data", i.data()));
                    } else {
                        part.add("fileData", JSON.createObjectBuilder().add("mimeType",
                                i.mediaType() == null ? "image/jpeg" : i.mediaType()).add("fileUri", i.url()));
                    }
                } else if (p instanceof ToolCall c) {
                    nameOfCall.put(c.id(), c.name());
                    part.add("functionCall", JSON.createObjectBuilder().add("name", c.name()).add("args", Json.object(c.arguments())));
                } else {
                    ToolResult t = (ToolResult) p;
                    JsonObject response = Json.parse(t.content()).orElse(null);
                    part.add("functionResponse", JSON.createObjectBuilder().add("name", nameOfCall.getOrDefault(t.callId(), t.callId()))
                            .add("response", response != null ? response
                                    : JSON.createObjectBuilder().add("result", t.content()).build()));
                }
                parts.add(part);
                n++;
            }
            if (n > 0) {
                contents.add(JSON.createObjectBuilder().add("role", m.role() == Role.USER ? "user" : "model").add("parts", parts));
            }
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("contents", contents);
        if (r.system() != null) {
            b.add("systemInstruction", JSON.createObjectBuilder().add("parts",
                    JSON.createArrayBuilder().add(JSON.createObjectBuilder().add("text", r.system()))));
        }
        if (!r.tools().isEmpty()) {
            JsonArrayBuilder decls = JSON.createArrayBuilder();
            for (Chat.Tool t : r.tools()) {
                JsonObjectBuilder d = JSON.createObjectBuilder().add("name", t.name());
                if (t.description() != null) {
                    d.add("description", t.description());
                }
                if (!t.schema().isEmpty()) {
                    d.add("parameters", GeminiSchema.fromJsonSchema(t.schema()));
                }
                decls.add(d);
            }
            b.add("tools", JSON.createArrayBuilder().add(JSON.createObjectBuilder().add("functionDeclarations", decls)));
        }
        if (r.toolChoice() != null) {
            JsonObjectBuilder fc = JSON.createObjectBuilder();
            switch (r.toolChoice().mode()) {
                case "none" -> fc.add("mode", "NONE");
                case "any" -> fc.add("mode", "ANY");
                case "tool" -> fc.add("mode", "ANY").add("allowedFunctionNames",
                        JSON.createArrayBuilder().add(r.toolChoice().name()));
                default -> fc.add("mode", "AUTO");
            }
            b.add("toolConfig", JSON.createObjectBuilder().add("functionCallingConfig", fc));
        }
        JsonObject config = generationConfig(r);
        if (!config.isEmpty()) {
            b.add("generationConfig", config);
        }
        return b.build();
    }

    /** The request's length, sampling, stop sequences, thinking and output format, in Gemini's {@code generationConfig}. */
    private static JsonObject generationConfig(Chat.Request r) {
        JsonObjectBuilder config = JSON.createObjectBuilder();
        if (r.maxTokens().isPresent()) {
            config.add("maxOutputTokens", r.maxTokens().getAsLong());
        }
        if (r.temperature() != null) {
            config.add("temperature", r.temperature());
        }
        if (r.topP() != null) {
            config.add("topP", r.topP());
        }
        if (!r.stop().isEmpty()) {
            JsonArrayBuilder stop = JSON.createArrayBuilder();
            r.stop().forEach(stop::add);
            config.add("stopSequences", stop);
        }
        if (r.thinking() != null) {
            config.add("thinkingConfig", JSON.createObjectBuilder().add("thinkingBudget", r.thinking().budget())
                    .add("includeThoughts", r.thinking().budget() > 0));
        }
        if (r.output() != null) {
            config.add("responseMimeType", "application/json");
            if (r.output() instanceof Chat.JsonSchemaOutput js && !js.schema().isEmpty()) {
                config.add("responseSchema", GeminiSchema.fromJsonSchema(js.schema()));
            }
        }
        return config.build();
    }

    @Override
    public Chat.Response decodeResponse(JsonObject body) {
        return decodeResponse(body, new AnswerCallIds());
    }

    private Chat.Response decodeResponse(JsonObject body, AnswerCallIds ids) {
        List<Part> content = new ArrayList<>();
        Stop stop = Stop.END;
        if (body.get("candidates") instanceof JsonArray cs && !cs.isEmpty() && cs.get(0) instanceof JsonObject cand) {
            if (cand.get("content") instanceof JsonObject c) {
                for (JsonValue pv : arrayOf(c.get("parts"), "parts")) {
                    if (!(pv instanceof JsonObject p) || thought(p, content)) {
                        continue;
                    }
                    if (p.get("text") instanceof JsonString t) {
                        content.add(new Text(t.getString()));
                    } else if (p.get("functionCall") instanceof JsonObject f) {
                        String name = f.getString("name", "");
                        content.add(new ToolCall(f.get("id") instanceof JsonString id ? id.getString() : ids.next(name), name,
                                f.get("args") instanceof JsonObject a ? a.toString() : "{}"));
                    }
                }
            }
            stop = stop(cand.getString("finishReason", "STOP"), content.stream().anyMatch(p -> p instanceof ToolCall));
        }
        return new Chat.Response(body.getString("responseId", null), body.getString("modelVersion", null), content, stop,
                GeminiUsage.of(body).orElse(null));
    }

    static Stop stop(String reason, boolean toolCalls) {
        if (toolCalls) {
            return Stop.TOOL_USE;
        }
        return switch (reason) {
            case "MAX_TOKENS" -> Stop.MAX_TOKENS;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII" -> Stop.CONTENT_FILTER;
            default -> Stop.END;
        };
    }

    static String finishReason(Stop stop) {
        return switch (stop) {
            case MAX_TOKENS -> "MAX_TOKENS";
            case CONTENT_FILTER -> "SAFETY";
            default -> "STOP";
        };
    }

    @Override
    public JsonObject encodeResponse(Chat.Response r, String model) {
        return chunk(r.content(), r.stop(), r.usage(), r.id(), model);
    }

    private static JsonObject chunk(List<Part> content, Stop stop, TokenUsage usage, String id, String model) {
        JsonArrayBuilder parts = JSON.createArrayBuilder();
        for (Part p : content) {
            if (p instanceof Reasoning r) {
                JsonObjectBuilder thought = JSON.createObjectBuilder().add("text", r.text()).add("thought", true);
                String signature = Signatures.wrap(r, Origin.GEMINI);
                if (!signature.isEmpty()) {
                    thought.add("thoughtSignature", signature);
                }
                parts.add(thought);
            } else if (p instanceof Text t) {
                parts.add(JSON.createObjectBuilder().add("text", t.text()));
            } else if (p instanceof ToolCall c) {
                parts.add(JSON.createObjectBuilder().add("functionCall", JSON.createObjectBuilder().add("name", c.name())
                        .add("args", Json.object(c.arguments()))));
            }
        }
        JsonObjectBuilder cand = JSON.createObjectBuilder().add("content", JSON.createObjectBuilder().add("role", "model")
                .add("parts", parts)).add("index", 0);
        if (stop != null) {
            cand.add("finishReason", finishReason(stop));
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("candidates", JSON.createArrayBuilder().add(cand));
        if (usage != null) {
            b.add("usageMetadata", usage(usage));
        }
        b.add("modelVersion", model == null ? "" : model);
        if (id != null) {
            b.add("responseId", id);
        }
        return b.build();
    }

    static JsonObjectBuilder usage(TokenUsage u) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("promptTokenCount", u.prompt())
                .add("candidatesTokenCount", u.completion() - u.reasoning()).add("totalTokenCount", u.total());
        if (u.cached() > 0) {
            b.add("cachedContentTokenCount", u.cached());
        }
        if (u.reasoning() > 0) {
            b.add("thoughtsTokenCount", u.reasoning());
        }
        return b;
    }

    @Override
    public JsonObject error(int status, String message) {
        return ErrorBodies.gemini(status, message);
    }

    @Override
    public String errorMessage(JsonObject body) {
        if (body.get("error") instanceof JsonObject e) {
            return e.getString("message", null);
        }
        return null;
    }

    @Override
    public StreamDecoder streamDecoder(LongSupplier estimatedPrompt) {
        return new Decoder(estimatedPrompt);
    }

    @Override
    public StreamEncoder streamEncoder(Chat.Request request, JsonObject clientBody) {
        return new Encoder(request.model());
    }

    /**
     * Ids for an answer's function calls that came without one: unique to the answer, not only to
     * the position, because a client keeps them and sends them back in later turns.
     */
    private static final class AnswerCallIds {
        private final String tag = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        private int next;

        String next(String name) {
            return "call_" + next++ + "_" + name + "_" + tag;
        }
    }

    /** Chunks to events: text parts as deltas, whole function calls as a start plus their arguments. */
    private static final class Decoder extends ObservingDecoder {
        private final AnswerCallIds ids = new AnswerCallIds();
        private boolean started;
        private int calls;

        Decoder(LongSupplier estimatedPrompt) {
            super(new GeminiStreamObserver(estimatedPrompt));
        }

        @Override
        protected List<Event> events(JsonObject chunk) {
            List<Event> out = new ArrayList<>();
            if (!started) {
                started = true;
                out.add(new Chat.Started(chunk.getString("responseId", null), chunk.getString("modelVersion", null)));
            }
            Chat.Response r = INSTANCE.decodeResponse(chunk, ids);
            for (Part p : r.content()) {
                if (p instanceof Reasoning thought) {
                    if (!thought.text().isEmpty()) {
                        out.add(new Chat.ReasoningDelta(thought.text()));
                    }
                    if (!thought.signature().isEmpty()) {
                        out.add(new Chat.ReasoningSigned(thought.signature(), thought.redacted(), thought.origin()));
                    }
                } else if (p instanceof Text t && !t.text().isEmpty()) {
                    out.add(new Chat.TextDelta(t.text()));
                } else if (p instanceof ToolCall c) {
                    int index = calls++;
                    out.add(new Chat.ToolStarted(index, c.id(), c.name()));
                    out.add(new Chat.ToolArguments(index, c.arguments()));
                }
            }
            if (GeminiUsage.finished(chunk)) {
                out.add(new Chat.Stopped(calls > 0 ? Stop.TOOL_USE : r.stop()));
            }
            return out;
        }

    }

    /**
     * Events to Gemini chunks: each text delta its own chunk; a tool call is sent whole once its
     * arguments are complete; the finish reason and usage ride on the last chunk.
     */
    private static final class Encoder implements StreamEncoder {
        private final String model;
        private final Map<Integer, String[]> pendingCalls = new TreeMap<>();
        private Stop stop;

        Encoder(String model) {
            this.model = model;
        }

        @Override
        public byte[] encode(List<Event> events) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Event e : events) {
                if (e instanceof Chat.ReasoningDelta t) {
                    write(out, chunk(List.of(new Reasoning(t.text(), "", false, null)), null, null, null, model));
                } else if (e instanceof Chat.ReasoningSigned sig) {
                    write(out, chunk(List.of(new Reasoning("", sig.signature(), sig.redacted(), sig.origin())), null, null,
                            null, model));
                } else if (e instanceof Chat.TextDelta t) {
                    write(out, chunk(List.of(new Text(t.text())), null, null, null, model));
                } else if (e instanceof Chat.ToolStarted t) {
                    pendingCalls.put(t.index(), new String[] {t.id(), t.name(), ""});
                } else if (e instanceof Chat.ToolArguments a && pendingCalls.containsKey(a.index())) {
                    pendingCalls.get(a.index())[2] += a.json();
                } else if (e instanceof Chat.Stopped s) {
                    stop = s.reason();
                }
            }
            return out.size() == 0 ? null : out.toByteArray();
        }

        @Override
        public byte[] finish(TokenUsage usage) {
            List<Part> calls = new ArrayList<>();
            pendingCalls.values().forEach(c -> calls.add(new ToolCall(c[0], c[1], c[2])));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out, chunk(calls, stop == null ? Stop.END : stop, usage, null, model));
            return out.toByteArray();
        }

        @Override
        public byte[] error(String message, boolean timeout) {
            return GeminiStreamObserver.event(timeout ? 504 : 502, message);
        }

        private static void write(ByteArrayOutputStream out, JsonObject chunk) {
            out.writeBytes(SseFrame.data(chunk));
        }
    }
}
