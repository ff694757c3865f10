package dev.tollgate.usage;

import jakarta.json.JsonObject;
import java.util.Optional;

/** Reads OpenAI's {@code usage} object, details included, into {@link TokenUsage}. */
public final class OpenAiUsage {
    private OpenAiUsage() {
    }

    /** The usage of a response body or stream chunk, if it carries a non-null one. */
    public static Optional<TokenUsage> of(JsonObject body) {
        return body.get("usage") instanceof JsonObject usage ? Optional.of(read(usage)) : Optional.empty();
    }

    static TokenUsage read(JsonObject usage) {
        long prompt = number(usage, "prompt_tokens");
        long completion = number(usage, "completion_tokens");
        long total = usage.containsKey("total_tokens") ? number(usage, "total_tokens") : prompt + completion;
        long cached = usage.get("prompt_tokens_details") instanceof JsonObject d ? number(d, "cached_tokens") : 0;
        long reasoning = usage.get("completion_tokens_details") instanceof JsonObject d
                ? number(d, "reasoning_tokens") : 0;
        return new TokenUsage(prompt, completion, total, cached, reasoning);
    }

    private static long number(JsonObject o, String key) {
        return TokenCount.of(o.get(key));
    }
}
