package dev.tollgate.usage;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;

/**
 * Why the model stopped, as the upstream said it, from an answer or a stream event of any format
 * (their fields do not collide): OpenAI's {@code choices[].finish_reason}, Anthropic's
 * {@code stop_reason} (on the message, or a {@code message_delta}'s delta), Gemini's
 * {@code candidates[].finishReason}, and a Responses answer's {@code status} (or why it is
 * incomplete). For the trace ({@code gen_ai.response.finish_reasons}); bounded, as upstream text is.
 */
public final class FinishReasons {
    static final int MAX_REASONS = 8;
    static final int MAX_LENGTH = 64;

    private FinishReasons() {
    }

    /** Adds the reasons {@code o} carries to {@code into}, up to the bound. */
    public static void collect(JsonObject o, List<String> into) {
        if (o.get("choices") instanceof JsonArray choices) {
            choices.forEach(c -> add(c, "finish_reason", into));
        }
        if (o.get("candidates") instanceof JsonArray candidates) {
            candidates.forEach(c -> add(c, "finishReason", into));
        }
        add(o, "stop_reason", into);
        if (o.get("delta") instanceof JsonObject delta) {
            add(delta, "stop_reason", into);
        }
        if ("response".equals(o.getString("object", null))) {
            if (o.get("incomplete_details") instanceof JsonObject why) {
                add(why, "reason", into);
            } else {
                add(o, "status", into);
            }
        } else if (o.get("response") instanceof JsonObject r && o.getString("type", "").startsWith("response.")
                && !"in_progress".equals(r.getString("status", ""))) {
            collect(r, into); // a Responses stream's response.completed / response.incomplete
        }
    }

    private static void add(JsonValue holder, String field, List<String> into) {
        if (holder instanceof JsonObject h && h.get(field) instanceof JsonString s && into.size() < MAX_REASONS) {
            String reason = s.getString();
            into.add(reason.length() <= MAX_LENGTH ? reason : reason.substring(0, MAX_LENGTH));
        }
    }
}
