package dev.tollgate.translate;

import static dev.tollgate.json.Jsons.JSON;

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
import dev.tollgate.usage.ResponsesStreamObserver;
import dev.tollgate.usage.ResponsesUsage;
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
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * OpenAI's Responses API as a {@link ChatCodec}. Stateless only: {@code previous_response_id}
 * and {@code conversation} are refused when translating (the gateway keeps no conversations).
 * Reasoning crosses: {@code reasoning.effort} as a budget, reasoning items as summary text with
 * their encrypted content. Dropped on purpose: built-in tools (web search, file search, computer use),
 * {@code reasoning.summary}, {@code store}, {@code metadata}, {@code include}, {@code truncation} ({@code text.format} is carried);
 * the Responses API has no stop sequences, so those are dropped going to it.
 */
public final class OpenAiResponses implements ChatCodec {
    public static final OpenAiResponses INSTANCE = new OpenAiResponses();

    private OpenAiResponses() {
    }

    @Override
    public List<String> conversationFields() {
        return List.of("instructions", "input");
    }

    @Override
    public String path(String model, boolean stream) {
        return "/responses";
    }

    @Override
    public Chat.Request decodeRequest(JsonObject body) {
        if (body.containsKey("previous_response_id") || body.containsKey("conversation")) {
            throw new TranslationException("'previous_response_id' and 'conversation' need the provider's own state: "
                    + "send the whole conversation in 'input' for this model");
        }
        List<String> system = new ArrayList<>();
        String instructions = Json.string(body, "instructions");
        if (instructions != null) {
            system.add(instructions);
        }
        List<Message> messages = new ArrayList<>();
        JsonValue input = body.get("input");
        if (input instanceof JsonString s) {
            add(messages, Role.USER, List.of(new Text(s.getString())));
        } else {
            for (JsonValue v : Json.array(body, "input")) {
                item(Json.objectIn(v, "each 'input' item"), system, messages);
            }
        }
        List<Chat.Tool> tools = new ArrayList<>();
        for (JsonValue v : Json.array(body, "tools")) {
            JsonObject t = Json.objectIn(v, "each of 'tools'");
            if ("function".equals(t.getString("type", ""))) {
                tools.add(new Chat.Tool(Json.string(t, "name"), Json.string(t, "description"),
                        t.get("parameters") instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT));
            }
        }
        Chat.ToolChoice choice = null;
        JsonValue tc = body.get("tool_choice");
        if (tc instanceof JsonString s) {
            choice = new Chat.ToolChoice(switch (s.getString()) {
                case "none" -> "none";
                case "required" -> "any";
                default -> "auto";
            }, null);
        } else if (tc instanceof JsonObject o && "function".equals(o.getString("type", ""))) {
            choice = new Chat.ToolChoice("tool", o.getString("name", null));
        }
        OptionalLong max = body.get("max_output_tokens") instanceof JsonNumber n ? OptionalLong.of(n.longValue())
                : OptionalLong.empty();
        return new Chat.Request(Json.string(body, "model"), system.isEmpty() ? null : Json.join(system), messages, tools,
                choice, max, body.get("temperature") instanceof JsonNumber t ? t : null,
                body.get("top_p") instanceof JsonNumber p ? p : null, List.of(), body.getBoolean("stream", false),
                OpenAiOutputFormat.RESPONSES.read(body.get("text") instanceof JsonObject text ? text.get("format") : null),
                body.get("reasoning") instanceof JsonObject r ? Thinking.ofEffort(r.getString("effort", null)) : null);
    }

    private static void item(JsonObject o, List<String> system, List<Message> messages) {
        String type = o.getString("type", "message");
        switch (type) {
            case "message" -> {
                String role = o.getString("role", "user");
                List<Part> parts = content(o.get("content"));
                switch (role) {
                    case "system", "developer" -> {
                        StringBuilder b = new StringBuilder();
                        parts.forEach(p -> b.append(p instanceof Text t ? t.text() : ""));
                        system.add(b.toString());
                    }
                    case "assistant" -> add(messages, Role.ASSISTANT, parts);
                    default -> add(messages, Role.USER, parts);
                }
            }
            case "function_call" -> add(messages, Role.ASSISTANT, List.of(new ToolCall(o.getString("call_id", ""),
                    o.getString("name", ""), o.getString("arguments", "{}"))));
            case "function_call_output" -> add(messages, Role.USER, List.of(new ToolResult(o.getString("call_id", ""),
                    o.get("output") instanceof JsonString s ? s.getString() : String.valueOf(o.get("output")), false)));
            case "reasoning" -> add(messages, Role.ASSISTANT, List.of(reasoning(o)));
            default -> throw new TranslationException("input item type '" + type + "' cannot be translated");
        }
    }

    /**
     * A reasoning item: its summary text and its encrypted content. OpenAI's own state is kept
     * with the item's id ({@code id encrypted}), which OpenAI needs with it; a wrapped signature of
     * another provider is read back as that provider's ({@link Signatures}).
     */
    private static Reasoning reasoning(JsonObject item) {
        StringBuilder text = new StringBuilder();
        for (JsonValue v : Json.array(item, "summary")) {
            if (v instanceof JsonObject part) {
                text.append(text.length() > 0 ? "\n\n" : "").append(part.getString("text", ""));
            }
        }
        Reasoning r = Signatures.read(text.toString(), item.getString("encrypted_content", ""), false, Origin.OPENAI);
        return r.origin() == Origin.OPENAI
                ? new Reasoning(r.text(), item.getString("id", "") + " " + r.signature(), false, Origin.OPENAI) : r;
    }

    /** A reasoning item as the Responses API writes it; {@code upstream}: only OpenAI's own state goes to OpenAI. */
    private static JsonObjectBuilder reasoningItem(Reasoning r, String fallbackId, boolean upstream) {
        String id = fallbackId;
        String encrypted = Signatures.wrap(r, Origin.OPENAI);
        if (r.origin() == Origin.OPENAI) {
            int space = r.signature().indexOf(' ');
            id = space > 0 ? r.signature().substring(0, space) : fallbackId;
            encrypted = r.signature().substring(space + 1);
        } else if (upstream) {
            encrypted = "";
        }
        JsonArrayBuilder summary = JSON.createArrayBuilder();
        if (!r.text().isEmpty()) {
            summary.add(JSON.createObjectBuilder().add("type", "summary_text").add("text", r.text()));
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("type", "reasoning").add("id", id).add("summary", summary);
        if (!encrypted.isEmpty()) {
            b.add("encrypted_content", encrypted);
        }
        return b;
    }

    private static List<Part> content(JsonValue content) {
        if (content instanceof JsonString s) {
            return List.of(new Text(s.getString()));
        }
        List<Part> out = new ArrayList<>();
        if (content instanceof JsonArray parts) {
            for (JsonValue v : parts) {
                JsonObject p = Json.objectIn(v, "each content part");
                switch (p.getString("type", "")) {
                    case "input_text", "output_text", "text" -> out.add(new Text(p.getString("text", "")));
                    case "input_image" -> out.add(OpenAiChat.image(p.getString("image_url", "")));
                    case "refusal" -> out.add(new Text(p.getString("refusal", "")));
                    default -> throw new TranslationException("content part type '" + p.getString("type", "")
                            + "' cannot be translated");
                }
            }
        }
        return out;
    }

    private static void add(List<Message> messages, Role role, List<Part> parts) {
        if (!messages.isEmpty() && messages.get(messages.size() - 1).role() == role) {
            List<Part> merged = new ArrayList<>(messages.remove(messages.size() - 1).parts());
            merged.addAll(parts);
            messages.add(new Message(role, merged));
        } else {
            messages.add(new Message(role, parts));
        }
    }

    @Override
    public JsonObject encodeRequest(Chat.Request r, String model) {
        JsonArrayBuilder input = JSON.createArrayBuilder();
        for (Message m : r.messages()) {
            JsonArrayBuilder content = JSON.createArrayBuilder();
            int n = 0;
            for (Part p : m.parts()) {
                if (p instanceof Text t) {
                    content.add(JSON.createObjectBuilder().add("type", m.role() == Role.USER ? "input_text" : "output_text")
                            .add("text", t.text()));
                    n++;
                } else if (p instanceof Image i) {
                    content.add(JSON.createObjectBuilder().add("type", "input_image").add("image_url",
                            i.url() != null ? i.url() : "data:" + i.mediaType() + ";base64," + i.data()));
                    n++;
                } else if (p instanceof Reasoning thought && thought.signedFor(Origin.OPENAI)) {
                    input.add(reasoningItem(thought, "", true));
                } else if (p instanceof ToolCall c) {
                    input.add(JSON.createObjectBuilder().add("type", "function_call").add("call_id", c.id())
                            .add("name", c.name()).add("arguments", c.arguments()));
                } else if (p instanceof ToolResult t) {
                    input.add(JSON.createObjectBuilder().add("type", "function_call_output").add("call_id", t.callId())
                            .add("output", t.content()));
                }
            }
            if (n > 0) {
                input.add(JSON.createObjectBuilder().add("role", m.role() == Role.USER ? "user" : "assistant")
                        .add("content", content));
            }
        }
        JsonObjectBuilder b = JSON.createObjectBuilder().add("model", model).add("input", input).add("store", false);
        if (r.system() != null) {
            b.add("instructions", r.system());
        }
        if (!r.tools().isEmpty()) {
            JsonArrayBuilder tools = JSON.createArrayBuilder();
            for (Chat.Tool t : r.tools()) {
                JsonObjectBuilder f = JSON.createObjectBuilder().add("type", "function").add("name", t.name())
                        .add("parameters", t.schema());
                if (t.description() != null) {
                    f.add("description", t.description());
                }
                tools.add(f);
            }
            b.add("tools", tools);
        }
        if (r.toolChoice() != null) {
            switch (r.toolChoice().mode()) {
                case "none" -> b.add("tool_choice", "none");
                case "any" -> b.add("tool_choice", "required");
                case "tool" -> b.add("tool_choice", JSON.createObjectBuilder().add("type", "function")
                        .add("name", r.toolChoice().name()));
                default -> b.add("tool_choice", "auto");
            }
        }
        r.maxTokens().ifPresent(n -> b.add("max_output_tokens", n));
        if (r.thinking() != null) {
            // not stored, so the reasoning comes back encrypted for the next turn, and summarised for the client
            b.add("reasoning", JSON.createObjectBuilder().add("effort", r.thinking().effort()).add("summary", "auto"))
                    .add("include", JSON.createArrayBuilder().add("reasoning.encrypted_content"));
        }
        Json.addSampling(b, r, null); // the Responses API has no stop sequences
        if (r.output() != null) {
            b.add("text", JSON.createObjectBuilder().add("format", OpenAiOutputFormat.RESPONSES.write(r.output())));
        }
        if (r.stream()) {
            b.add("stream", true);
        }
        return b.build();
    }

    @Override
    public Chat.Response decodeResponse(JsonObject body) {
        List<Part> content = new ArrayList<>();
        for (JsonValue v : Json.array(body, "output")) {
            if (!(v instanceof JsonObject item)) {
                continue;
            }
            if ("function_call".equals(item.getString("type", ""))) {
                content.add(new ToolCall(item.getString("call_id", ""), item.getString("name", ""),
                        item.getString("arguments", "{}")));
            } else if ("reasoning".equals(item.getString("type", ""))) {
                content.add(reasoning(item));
            } else if ("message".equals(item.getString("type", ""))) {
                content.addAll(content(item.get("content")));
            }
        }
        return new Chat.Response(body.getString("id", null), body.getString("model", null), content,
                stop(body, content.stream().anyMatch(p -> p instanceof ToolCall)), ResponsesUsage.of(body).orElse(null));
    }

    static Stop stop(JsonObject response, boolean toolCalls) {
        if (toolCalls) {
            return Stop.TOOL_USE;
        }
        if (response.get("incomplete_details") instanceof JsonObject d) {
            return "content_filter".equals(d.getString("reason", "")) ? Stop.CONTENT_FILTER : Stop.MAX_TOKENS;
        }
        return Stop.END;
    }

    @Override
    public JsonObject encodeResponse(Chat.Response r, String model) {
        return response(r.id(), model, "completed", r.stop(), items(r.content(), "msg_" + idOf(r.id())), r.usage())
                .build();
    }

    private static String idOf(String id) {
        return id == null ? "tollgate" : id.replaceAll("[^A-Za-z0-9_-]", "");
    }

    /** Output items: each reasoning block as a reasoning item, the text as one message, each tool call as a function_call. */
    private static JsonArrayBuilder items(List<Part> content, String messageId) {
        JsonArrayBuilder out = JSON.createArrayBuilder();
        int thoughts = 0;
        for (Part p : content) {
            if (p instanceof Reasoning r) {
                out.add(reasoningItem(r, "rs_" + messageId.substring("msg_".length()) + "_" + thoughts++, false));
            }
        }
        StringBuilder text = new StringBuilder();
        content.forEach(p -> text.append(p instanceof Text t ? t.text() : ""));
        if (text.length() > 0) {
            out.add(message(messageId, text.toString()));
        }
        int n = 0;
        for (Part p : content) {
            if (p instanceof ToolCall c) {
                out.add(functionCall("fc_" + n++ + "_" + idOf(c.id()), c.id(), c.name(), c.arguments(), "completed"));
            }
        }
        return out;
    }

    private static JsonObjectBuilder message(String id, String text) {
        return JSON.createObjectBuilder().add("type", "message").add("id", id).add("status", "completed")
                .add("role", "assistant").add("content", JSON.createArrayBuilder().add(outputText(text)));
    }

    private static JsonObjectBuilder outputText(String text) {
        return JSON.createObjectBuilder().add("type", "output_text").add("text", text)
                .add("annotations", JsonValue.EMPTY_JSON_ARRAY);
    }

    private static JsonObjectBuilder functionCall(String id, String callId, String name, String arguments, String status) {
        return JSON.createObjectBuilder().add("type", "function_call").add("id", id).add("call_id", callId)
                .add("name", name).add("arguments", arguments).add("status", status);
    }

    private static JsonObjectBuilder response(String id, String model, String status, Stop stop, JsonArrayBuilder output,
                                              TokenUsage usage) {
        boolean incomplete = stop == Stop.MAX_TOKENS || stop == Stop.CONTENT_FILTER;
        JsonObjectBuilder b = JSON.createObjectBuilder().add("id", id == null ? "resp_tollgate" : id)
                .add("object", "response").add("created_at", System.currentTimeMillis() / 1000)
                .add("status", incomplete && "completed".equals(status) ? "incomplete" : status)
                .add("model", model == null ? "" : model).add("output", output)
                .add("parallel_tool_calls", true).add("tool_choice", "auto").add("tools", JsonValue.EMPTY_JSON_ARRAY)
                .add("error", JsonValue.NULL);
        b.add("incomplete_details", incomplete && "completed".equals(status) ? JSON.createObjectBuilder().add("reason",
                stop == Stop.MAX_TOKENS ? "max_output_tokens" : "content_filter").build() : JsonValue.NULL);
        if (usage != null) {
            b.add("usage", usage(usage));
        }
        return b;
    }

    static JsonObjectBuilder usage(TokenUsage u) {
        return JSON.createObjectBuilder().add("input_tokens", u.prompt())
                .add("input_tokens_details", JSON.createObjectBuilder().add("cached_tokens", u.cached()))
                .add("output_tokens", u.completion())
                .add("output_tokens_details", JSON.createObjectBuilder().add("reasoning_tokens", u.reasoning()))
                .add("total_tokens", u.total());
    }

    @Override
    public JsonObject error(int status, String message) {
        return OpenAiChat.INSTANCE.error(status, message);
    }

    @Override
    public String errorMessage(JsonObject body) {
        return OpenAiChat.INSTANCE.errorMessage(body);
    }

    @Override
    public StreamDecoder streamDecoder(LongSupplier estimatedPrompt) {
        return new Decoder(estimatedPrompt);
    }

    @Override
    public StreamEncoder streamEncoder(Chat.Request request, JsonObject clientBody) {
        return new Encoder(request.model());
    }

    /** Typed events to canonical ones; usage, id, end and errors through the same-format observer. */
    private static final class Decoder extends ObservingDecoder {
        private final Map<Integer, Integer> toolOfOutput = new HashMap<>();

        Decoder(LongSupplier estimatedPrompt) {
            super(new ResponsesStreamObserver(estimatedPrompt));
        }

        @Override
        protected List<Event> events(JsonObject e) {
            List<Event> out = new ArrayList<>();
            switch (e.getString("type", "")) {
                case "response.created" -> {
                    JsonObject r = e.get("response") instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
                    out.add(new Chat.Started(r.getString("id", null), r.getString("model", null)));
                }
                case "response.output_item.added" -> {
                    if (e.get("item") instanceof JsonObject item && "function_call".equals(item.getString("type", ""))) {
                        int tool = toolOfOutput.size();
                        toolOfOutput.put(e.getInt("output_index", 0), tool);
                        out.add(new Chat.ToolStarted(tool, item.getString("call_id", ""), item.getString("name", "")));
                    }
                }
                case "response.output_text.delta" -> out.add(new Chat.TextDelta(e.getString("delta", "")));
                case "response.reasoning_summary_text.delta" -> out.add(new Chat.ReasoningDelta(e.getString("delta", "")));
                case "response.output_item.done" -> {
                    if (e.get("item") instanceof JsonObject item && "reasoning".equals(item.getString("type", ""))) {
                        Reasoning r = reasoning(item);
                        out.add(new Chat.ReasoningSigned(r.signature(), false, r.origin()));
                    }
                }
                case "response.function_call_arguments.delta" -> {
                    Integer tool = toolOfOutput.get(e.getInt("output_index", 0));
                    if (tool != null) {
                        out.add(new Chat.ToolArguments(tool, e.getString("delta", "")));
                    }
                }
                case "response.completed", "response.incomplete" -> {
                    JsonObject r = e.get("response") instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
                    out.add(new Chat.Stopped(stop(r, !toolOfOutput.isEmpty())));
                }
                default -> {
                    // item and part boundaries carry nothing the other formats need
                }
            }
            return out;
        }

    }

    /** Canonical events to the Responses API's typed event sequence, ending with response.completed. */
    private static final class Encoder implements StreamEncoder {
        private final String model;
        private String id = "resp_tollgate";
        private int sequence;
        private boolean started;
        private int outputs;
        private int openOutput = -1;
        /** What the open output item is: a message, a function call or a reasoning item. */
        private String openKind = "";
        private String openItemId;
        private final StringBuilder openText = new StringBuilder();
        /** The open reasoning item's signature, once it came. */
        private Reasoning signature;
        private final Map<Integer, Integer> outputOfTool = new HashMap<>();
        private final Map<Integer, String[]> calls = new TreeMap<>();
        private final List<JsonObject> done = new ArrayList<>();
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
                    openReasoning(out);
                    openText.append(t.text());
                    write(out, "response.reasoning_summary_text.delta", event("response.reasoning_summary_text.delta")
                            .add("item_id", openItemId).add("output_index", openOutput).add("summary_index", 0)
                            .add("delta", t.text()));
                } else if (e instanceof Chat.ReasoningSigned sig) {
                    openReasoning(out);
                    signature = new Reasoning("", sig.signature(), sig.redacted(), sig.origin());
                    close(out);
                } else if (e instanceof Chat.TextDelta t) {
                    if (openOutput < 0 || !openKind.equals("message")) {
                        close(out);
                        openOutput = outputs++;
                        openKind = "message";
                        openItemId = "msg_" + idOf(id) + "_" + openOutput;
                        write(out, "response.output_item.added", event("response.output_item.added")
                                .add("output_index", openOutput).add("item", JSON.createObjectBuilder().add("type", "message")
                                        .add("id", openItemId).add("status", "in_progress").add("role", "assistant")
                                        .add("content", JsonValue.EMPTY_JSON_ARRAY)));
                        write(out, "response.content_part.added", event("response.content_part.added")
                                .add("item_id", openItemId).add("output_index", openOutput).add("content_index", 0)
                                .add("part", outputText("")));
                    }
                    openText.append(t.text());
                    write(out, "response.output_text.delta", event("response.output_text.delta").add("item_id", openItemId)
                            .add("output_index", openOutput).add("content_index", 0).add("delta", t.text()));
                } else if (e instanceof Chat.ToolStarted t) {
                    close(out);
                    openOutput = outputs++;
                    openKind = "call";
                    openItemId = "fc_" + idOf(id) + "_" + openOutput;
                    outputOfTool.put(t.index(), openOutput);
                    calls.put(openOutput, new String[] {openItemId, t.id(), t.name(), ""});
                    write(out, "response.output_item.added", event("response.output_item.added").add("output_index", openOutput)
                            .add("item", functionCall(openItemId, t.id(), t.name(), "", "in_progress")));
                } else if (e instanceof Chat.ToolArguments a && outputOfTool.containsKey(a.index())) {
                    int output = outputOfTool.get(a.index());
                    calls.get(output)[3] += a.json();
                    write(out, "response.function_call_arguments.delta", event("response.function_call_arguments.delta")
                            .add("item_id", calls.get(output)[0]).add("output_index", output).add("delta", a.json()));
                } else if (e instanceof Chat.Stopped s) {
                    close(out);
                    stop = s.reason();
                }
            }
            return out.size() == 0 ? null : out.toByteArray();
        }

        private void start(ByteArrayOutputStream out, String upstreamId) {
            if (started) {
                return;
            }
            started = true;
            if (upstreamId != null) {
                id = upstreamId.startsWith("resp_") ? upstreamId : "resp_" + idOf(upstreamId);
            }
            JsonObject r = response(id, model, "in_progress", Stop.END, JSON.createArrayBuilder(), null).build();
            write(out, "response.created", event("response.created").add("response", r));
            write(out, "response.in_progress", event("response.in_progress").add("response", r));
        }

        /** Opens a reasoning item with one summary part, unless one is open. */
        private void openReasoning(ByteArrayOutputStream out) {
            if (openOutput >= 0 && openKind.equals("reasoning")) {
                return;
            }
            close(out);
            openOutput = outputs++;
            openKind = "reasoning";
            openItemId = "rs_" + idOf(id) + "_" + openOutput;
            signature = null;
            write(out, "response.output_item.added", event("response.output_item.added").add("output_index", openOutput)
                    .add("item", JSON.createObjectBuilder().add("type", "reasoning").add("id", openItemId)
                            .add("summary", JsonValue.EMPTY_JSON_ARRAY)));
            write(out, "response.reasoning_summary_part.added", event("response.reasoning_summary_part.added")
                    .add("item_id", openItemId).add("output_index", openOutput).add("summary_index", 0)
                    .add("part", JSON.createObjectBuilder().add("type", "summary_text").add("text", "")));
        }

        private void closeReasoning(ByteArrayOutputStream out) {
            String text = openText.toString();
            write(out, "response.reasoning_summary_text.done", event("response.reasoning_summary_text.done")
                    .add("item_id", openItemId).add("output_index", openOutput).add("summary_index", 0).add("text", text));
            write(out, "response.reasoning_summary_part.done", event("response.reasoning_summary_part.done")
                    .add("item_id", openItemId).add("output_index", openOutput).add("summary_index", 0)
                    .add("part", JSON.createObjectBuilder().add("type", "summary_text").add("text", text)));
            Reasoning whole = signature == null ? new Reasoning(text, "", false, null)
                    : new Reasoning(text, signature.signature(), signature.redacted(), signature.origin());
            JsonObject item = reasoningItem(whole, openItemId, false).build();
            done.add(item);
            write(out, "response.output_item.done", event("response.output_item.done").add("output_index", openOutput)
                    .add("item", item));
            openText.setLength(0);
        }

        private void close(ByteArrayOutputStream out) {
            if (openOutput < 0) {
                return;
            }
            if (openKind.equals("reasoning")) {
                closeReasoning(out);
            } else if (openKind.equals("message")) {
                String text = openText.toString();
                write(out, "response.output_text.done", event("response.output_text.done").add("item_id", openItemId)
                        .add("output_index", openOutput).add("content_index", 0).add("text", text));
                write(out, "response.content_part.done", event("response.content_part.done").add("item_id", openItemId)
                        .add("output_index", openOutput).add("content_index", 0).add("part", outputText(text)));
                JsonObject item = message(openItemId, text).build();
                done.add(item);
                write(out, "response.output_item.done", event("response.output_item.done").add("output_index", openOutput)
                        .add("item", item));
                openText.setLength(0);
            } else {
                String[] c = calls.get(openOutput);
                write(out, "response.function_call_arguments.done", event("response.function_call_arguments.done")
                        .add("item_id", c[0]).add("output_index", openOutput).add("arguments", c[3]));
                JsonObject item = functionCall(c[0], c[1], c[2], c[3], "completed").build();
                done.add(item);
                write(out, "response.output_item.done", event("response.output_item.done").add("output_index", openOutput)
                        .add("item", item));
            }
            openOutput = -1;
        }

        @Override
        public byte[] finish(TokenUsage usage) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            start(out, null);
            close(out);
            JsonArrayBuilder output = JSON.createArrayBuilder();
            done.forEach(output::add);
            JsonObject r = response(id, model, "completed", stop, output, usage).build();
            String type = "incomplete".equals(r.getString("status")) ? "response.incomplete" : "response.completed";
            write(out, type, event(type).add("response", r));
            return out.toByteArray();
        }

        @Override
        public byte[] error(String message, boolean timeout) {
            return ResponsesStreamObserver.event(message, timeout ? "upstream_timeout" : "upstream_error");
        }

        private JsonObjectBuilder event(String type) {
            return JSON.createObjectBuilder().add("type", type).add("sequence_number", sequence++);
        }

        private static void write(ByteArrayOutputStream out, String type, JsonObjectBuilder data) {
            out.writeBytes(SseFrame.event(type, data.build()));
        }
    }
}
