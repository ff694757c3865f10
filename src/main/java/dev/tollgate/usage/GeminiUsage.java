package dev.tollgate.usage;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * Reads Gemini's {@code usageMetadata} into {@link TokenUsage}: prompt = promptTokenCount (which
 * includes the cached part) + toolUsePromptTokenCount, cached = cachedContentTokenCount,
 * completion = candidatesTokenCount + thoughtsTokenCount, reasoning = thoughtsTokenCount. Streams
 * repeat cumulative usage in every chunk: the last one wins.
 */
public final class GeminiUsage {
    private GeminiUsage() {
    }

    public static Optional<TokenUsage> of(JsonObject body) {
        if (!(body.get("usageMetadata") instanceof JsonObject u)) {
            return Optional.empty();
        }
        long prompt = n(u, "promptTokenCount") + n(u, "toolUsePromptTokenCount");
        long thoughts = n(u, "thoughtsTokenCount");
        long completion = n(u, "candidatesTokenCount") + thoughts;
        return Optional.of(new TokenUsage(prompt, completion, prompt + completion, n(u, "cachedContentTokenCount"),
                thoughts));
    }

    /** The text of a response or stream chunk: every candidate's text parts. */
    public static String text(JsonObject body) {
        StringBuilder b = new StringBuilder();
        if (body.get("candidates") instanceof JsonArray cs) {
            for (var c : cs) {
                if (c instanceof JsonObject cand && cand.get("content") instanceof JsonObject content
                        && content.get("parts") instanceof JsonArray parts) {
                    for (var p : parts) {
                        if (p instanceof JsonObject part) {
                            b.append(part.getString("text", ""));
                        }
                    }
                }
            }
        }
        return b.toString();
    }

    /** Whether a chunk ends the answer: a candidate with a finishReason. */
    public static boolean finished(JsonObject body) {
        if (body.get("candidates") instanceof JsonArray cs) {
            for (var c : cs) {
                if (c instanceof JsonObject cand && cand.containsKey("finishReason")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long n(JsonObject o, String key) {
        return TokenCount.of(o.get(key));
    }
}
