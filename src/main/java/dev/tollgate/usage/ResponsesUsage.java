package dev.tollgate.usage;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Optional;

/**
 * Reads OpenAI Responses API usage ({@code input_tokens} with {@code input_tokens_details.cached_tokens},
 * {@code output_tokens} with {@code output_tokens_details.reasoning_tokens}) and output text.
 */
public final class ResponsesUsage {
    private ResponsesUsage() {
    }

    /** The usage of a response object, if it carries one. */
    public static Optional<TokenUsage> of(JsonObject response) {
        if (!(response.get("usage") instanceof JsonObject u)) {
            return Optional.empty();
        }
        long input = n(u, "input_tokens");
        long output = n(u, "output_tokens");
        long cached = u.get("input_tokens_details") instanceof JsonObject d ? n(d, "cached_tokens") : 0;
        long reasoning = u.get("output_tokens_details") instanceof JsonObject d ? n(d, "reasoning_tokens") : 0;
        return Optional.of(new TokenUsage(input, output, input + output, cached, reasoning));
    }

    /** The text of a response object's message outputs. */
    public static String text(JsonObject response) {
        StringBuilder b = new StringBuilder();
        if (response.get("output") instanceof JsonArray items) {
            for (JsonValue item : items) {
                if (item instanceof JsonObject o && o.get("content") instanceof JsonArray parts) {
                    for (JsonValue p : parts) {
                        if (p instanceof JsonObject part) {
                            b.append(part.getString("text", ""));
                        }
                    }
                }
            }
        }
        return b.toString();
    }

    private static long n(JsonObject o, String key) {
        return TokenCount.of(o.get(key));
    }
}
