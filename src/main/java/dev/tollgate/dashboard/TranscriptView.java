package dev.tollgate.dashboard;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A logged call as a transcript a person reads: who said what, in order (system, user, assistant,
 * tool), tool calls with their arguments, images as placeholders, and the answer last. Reads any
 * of the four client formats by their shapes: OpenAI chat's {@code messages}, Anthropic's
 * {@code system} and {@code messages}, Gemini's {@code systemInstruction} and {@code contents},
 * the Responses API's {@code instructions} and {@code input}; answers by {@code choices},
 * {@code content}, {@code candidates} or {@code output}. The page escapes every word of it.
 */
public final class TranscriptView {
    private static final Set<String> IMAGES = Set.of("image", "image_url", "input_image", "inlineData", "fileData");
    private static final int MAX_PARTS = 2_000;

    /** One turn: a role and its parts. */
    public record Turn(String role, List<Part> parts) {
    }

    /** What a turn holds: {@code text}, {@code tool-call} (name in {@code label}), {@code tool-result} or {@code image}. */
    public record Part(String kind, String label, String text) {
    }

    private TranscriptView() {
    }

    static List<Turn> of(JsonValue request, JsonValue response) {
        List<Turn> turns = new ArrayList<>();
        if (request instanceof JsonObject r) {
            for (String system : new String[] {"system", "systemInstruction", "instructions"}) {
                if (r.containsKey(system)) {
                    turns.add(new Turn("system", parts(r.get(system))));
                }
            }
            for (String list : new String[] {"messages", "contents", "input", "prompt"}) {
                JsonValue v = r.get(list);
                if (v instanceof JsonArray a) {
                    a.forEach(m -> turns.add(new Turn(role(m), parts(m))));
                } else if (v instanceof JsonString s) {
                    turns.add(new Turn("user", List.of(new Part("text", null, s.getString()))));
                }
            }
        } else if (request instanceof JsonString s) { // cut to the body cap: its beginning, as text
            turns.add(new Turn("request", List.of(new Part("text", null, s.getString()))));
        }
        JsonValue answer = answer(response);
        if (answer != null) {
            turns.add(new Turn("answer", parts(answer)));
        }
        return turns;
    }

    /** The part of an answer that holds what the model said, in any of the formats. */
    private static JsonValue answer(JsonValue response) {
        if (!(response instanceof JsonObject o)) {
            return response instanceof JsonString ? response : null;
        }
        if (o.get("choices") instanceof JsonArray c && !c.isEmpty()) {
            JsonObject choice = c.getJsonObject(0);
            return choice.containsKey("message") ? choice.get("message") : choice.get("text");
        }
        if (o.get("candidates") instanceof JsonArray c && !c.isEmpty()) {
            return c.getJsonObject(0).get("content");
        }
        if (o.get("output") instanceof JsonArray out) {
            return out;
        }
        if (o.get("content") instanceof JsonArray content) {
            return content;
        }
        return o.containsKey("error") ? o.get("error") : o;
    }

    private static String role(JsonValue m) {
        if (m instanceof JsonObject o) {
            String type = o.getString("type", "");
            if (type.equals("function_call_output")) {
                return "tool";
            }
            if (type.equals("function_call")) {
                return "assistant";
            }
            return o.getString("role", "user");
        }
        return "user";
    }

    static List<Part> parts(JsonValue v) {
        List<Part> out = new ArrayList<>();
        walk(v, out);
        return out;
    }

    private static void walk(JsonValue v, List<Part> out) {
        if (out.size() >= MAX_PARTS) {
            return;
        }
        if (v instanceof JsonString s) {
            out.add(new Part("text", null, s.getString()));
        } else if (v instanceof JsonArray a) {
            a.forEach(child -> walk(child, out));
        } else if (v instanceof JsonObject o) {
            object(o, out);
        }
    }

    private static void object(JsonObject o, List<Part> out) {
        String type = o.getString("type", "");
        if (IMAGES.contains(type) || o.containsKey("inlineData") || o.containsKey("fileData") || o.containsKey("image_url")) {
            out.add(new Part("image", null, "[image]"));
        } else if (type.equals("tool_use") || type.equals("function_call")) {
            out.add(new Part("tool-call", o.getString("name", "?"), text(o.containsKey("input") ? o.get("input")
                    : o.get("arguments"))));
        } else if (o.get("functionCall") instanceof JsonObject call) {
            out.add(new Part("tool-call", call.getString("name", "?"), text(call.get("args"))));
        } else if (type.equals("tool_result") || type.equals("function_call_output")) {
            out.add(new Part("tool-result", null, text(o.containsKey("content") ? o.get("content") : o.get("output"))));
        } else if (o.get("functionResponse") instanceof JsonObject result) {
            out.add(new Part("tool-result", result.getString("name", null), text(result.get("response"))));
        } else if (o.get("text") instanceof JsonString t) {
            out.add(new Part("text", null, t.getString()));
        } else {
            for (String inner : new String[] {"content", "parts", "message"}) {
                if (o.containsKey(inner)) {
                    walk(o.get(inner), out);
                }
            }
        }
        if (o.get("tool_calls") instanceof JsonArray calls) { // OpenAI: an assistant's calls beside its content
            for (JsonValue c : calls) {
                if (c instanceof JsonObject call && call.get("function") instanceof JsonObject f) {
                    out.add(new Part("tool-call", f.getString("name", "?"), text(f.get("arguments"))));
                }
            }
        }
    }

    private static String text(JsonValue v) {
        return v == null ? "" : v instanceof JsonString s ? s.getString() : v.toString();
    }
}
