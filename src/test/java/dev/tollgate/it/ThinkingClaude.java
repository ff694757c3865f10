package dev.tollgate.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * Claude with extended thinking and a tool, as strict as the real API: with {@code thinking}
 * enabled it refuses a changed {@code temperature} or a forced tool, and an assistant turn with a
 * tool call must open with the thinking block this fake signed for it (Anthropic answers 400
 * otherwise). The first turn thinks and calls {@code get_weather}; once the tool's result is in
 * the history, it thinks and answers.
 */
public final class ThinkingClaude {
    public static final String MODEL = "claude-fake-think";
    public static final String THOUGHT = "The user wants the weather; I should call get_weather for Paris.";
    public static final String SIGNATURE = "EqQBCkYIBxgCKkDfake-signature-over-the-thought";
    public static final String ANSWER = "It is 21C in Paris.";

    private ThinkingClaude() {
    }

    /** The 400 the real API gives for {@code body}, or null when it would answer. */
    public static String refusal(JsonObject body) {
        boolean thinking = body.get("thinking") instanceof JsonObject t && "enabled".equals(t.getString("type", ""));
        if (!thinking) {
            return null;
        }
        if (body.containsKey("temperature")) {
            return error("`temperature` may only be set to 1 when thinking is enabled.");
        }
        if (body.get("tool_choice") instanceof JsonObject c && !"auto".equals(c.getString("type", "auto"))) {
            return error("Thinking may not be enabled when tool_choice forces tool use.");
        }
        if (body.getInt("max_tokens", 0) <= ((JsonObject) body.get("thinking")).getInt("budget_tokens", 0)) {
            return error("`max_tokens` must be greater than `thinking.budget_tokens`.");
        }
        for (JsonValue v : body.getJsonArray("messages")) {
            JsonObject m = v.asJsonObject();
            if (!"assistant".equals(m.getString("role")) || !(m.get("content") instanceof JsonArray blocks)) {
                continue;
            }
            boolean calls = blocks.stream().anyMatch(b -> "tool_use".equals(b.asJsonObject().getString("type", "")));
            JsonObject first = blocks.isEmpty() ? JsonValue.EMPTY_JSON_OBJECT : blocks.getJsonObject(0);
            if (calls && !("thinking".equals(first.getString("type", "")) && SIGNATURE.equals(first.getString("signature", ""))
                    && THOUGHT.equals(first.getString("thinking", "")))) {
                return error("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `"
                        + first.getString("type", "none") + "`. When `thinking` is enabled, a final `assistant` message "
                        + "must start with a thinking block.");
            }
        }
        return null;
    }

    private static String error(String message) {
        return Json.createObjectBuilder().add("type", "error").add("error", Json.createObjectBuilder()
                .add("type", "invalid_request_error").add("message", message)).build().toString();
    }

    /** Whether the tool's result is in the history: then the model answers. */
    public static boolean answered(JsonObject body) {
        return body.toString().contains("\"tool_result\"");
    }

    /** The content blocks of the answer to {@code body}. */
    public static JsonArrayBuilder content(JsonObject body) {
        JsonArrayBuilder content = Json.createArrayBuilder().add(Json.createObjectBuilder().add("type", "thinking")
                .add("thinking", THOUGHT).add("signature", SIGNATURE));
        if (answered(body)) {
            return content.add(Json.createObjectBuilder().add("type", "text").add("text", ANSWER));
        }
        return content.add(Json.createObjectBuilder().add("type", "tool_use").add("id", "toolu_think")
                .add("name", "get_weather").add("input", Json.createObjectBuilder().add("city", "Paris")));
    }

    /** The events of the answer to {@code body} after {@code message_start}, as {@code [name, data]} pairs. */
    public static String[][] events(JsonObject body) {
        JsonObjectBuilder second = answered(body)
                ? Json.createObjectBuilder().add("type", "text").add("text", "")
                : Json.createObjectBuilder().add("type", "tool_use").add("id", "toolu_think").add("name", "get_weather")
                .add("input", JsonValue.EMPTY_JSON_OBJECT);
        JsonObjectBuilder delta = answered(body)
                ? Json.createObjectBuilder().add("type", "text_delta").add("text", ANSWER)
                : Json.createObjectBuilder().add("type", "input_json_delta").add("partial_json", "{\"city\":\"Paris\"}");
        int half = THOUGHT.length() / 2;
        return new String[][] {
            {"content_block_start", block(0).add("type", "content_block_start").add("content_block",
                    Json.createObjectBuilder().add("type", "thinking").add("thinking", "")).build().toString()},
            {"content_block_delta", thinking(THOUGHT.substring(0, half))},
            {"content_block_delta", thinking(THOUGHT.substring(half))},
            {"content_block_delta", block(0).add("type", "content_block_delta").add("delta", Json.createObjectBuilder()
                    .add("type", "signature_delta").add("signature", SIGNATURE)).build().toString()},
            {"content_block_stop", block(0).add("type", "content_block_stop").build().toString()},
            {"content_block_start", block(1).add("type", "content_block_start").add("content_block", second).build().toString()},
            {"content_block_delta", block(1).add("type", "content_block_delta").add("delta", delta).build().toString()},
            {"content_block_stop", block(1).add("type", "content_block_stop").build().toString()}};
    }

    private static String thinking(String text) {
        return block(0).add("type", "content_block_delta").add("delta", Json.createObjectBuilder()
                .add("type", "thinking_delta").add("thinking", text)).build().toString();
    }

    private static JsonObjectBuilder block(int index) {
        return Json.createObjectBuilder().add("index", index);
    }

    public static String stopReason(JsonObject body) {
        return answered(body) ? "end_turn" : "tool_use";
    }
}
