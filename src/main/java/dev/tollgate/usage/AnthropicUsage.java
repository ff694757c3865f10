package dev.tollgate.usage;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Anthropic's {@code usage} objects field by field, the latest value of each field winning,
 * so a stream's {@code message_start} and {@code message_delta} usage combine correctly whether or
 * not the delta repeats the input counts. Normalised: prompt = input + cache reads + cache
 * writes; cache writes split into 5-minute and 1-hour when the breakdown is given (else all 5-minute).
 */
public final class AnthropicUsage {
    private static final String[] FIELDS = {"input_tokens", "output_tokens", "cache_read_input_tokens",
            "cache_creation_input_tokens"};
    private static final String[] WRITES = {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"};

    private final Map<String, Long> latest = new HashMap<>();

    /** Tokens of thinking text counted by the tokenizer: Anthropic reports no reasoning count of its own. */
    private long thinking;

    /**
     * The usage of a whole response body, if it has one; its reasoning part estimated from the
     * thinking blocks' text, since Anthropic counts thinking in {@code output_tokens} without a breakdown.
     */
    public static Optional<TokenUsage> of(JsonObject body) {
        if (!(body.get("usage") instanceof JsonObject u)) {
            return Optional.empty();
        }
        AnthropicUsage a = new AnthropicUsage();
        a.merge(u);
        if (body.get("content") instanceof JsonArray blocks) {
            StringBuilder thought = new StringBuilder();
            for (JsonValue v : blocks) {
                if (v instanceof JsonObject b && "thinking".equals(b.getString("type", ""))) {
                    thought.append(b.getString("thinking", ""));
                }
            }
            a.thinking(TokenEstimator.count(thought.toString()));
        }
        return Optional.of(a.tokens());
    }

    /** The tokens of the thinking text seen, the estimate of the reasoning part of the output. */
    public void thinking(long tokens) {
        thinking = tokens;
    }

    /** Takes every field present in {@code usage}, replacing earlier values of the same field. */
    public void merge(JsonObject usage) {
        for (String f : FIELDS) {
            take(usage, f, f);
        }
        if (usage.get("cache_creation") instanceof JsonObject c) {
            for (String f : WRITES) {
                take(c, f, "cache_creation." + f);
            }
        }
    }

    /** Whether any count arrived. */
    public boolean seen() {
        return !latest.isEmpty();
    }

    public long output() {
        return latest.getOrDefault("output_tokens", 0L);
    }

    public TokenUsage tokens() {
        long input = latest.getOrDefault("input_tokens", 0L);
        long read = latest.getOrDefault("cache_read_input_tokens", 0L);
        long written = latest.getOrDefault("cache_creation_input_tokens", 0L);
        long write1h = latest.getOrDefault("cache_creation.ephemeral_1h_input_tokens", 0L);
        long write5m = latest.containsKey("cache_creation.ephemeral_5m_input_tokens")
                ? latest.get("cache_creation.ephemeral_5m_input_tokens") : written - write1h;
        long prompt = input + read + written;
        long output = output();
        return new TokenUsage(prompt, output, prompt + output, read, Math.min(thinking, output), Math.max(0, write5m),
                write1h);
    }

    private void take(JsonObject o, String field, String key) {
        JsonValue v = o.get(field);
        if (v instanceof JsonNumber) {
            latest.put(key, TokenCount.of(v));
        }
    }
}
