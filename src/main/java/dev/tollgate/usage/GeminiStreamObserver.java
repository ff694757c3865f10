package dev.tollgate.usage;

import dev.tollgate.json.ErrorBodies;
import dev.tollgate.json.SseFrame;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.function.LongSupplier;

/**
 * Reads a Gemini {@code streamGenerateContent?alt=sse} stream as it passes, untouched: the
 * cumulative usage of the last chunk, the text for an estimate, the response id, an error chunk,
 * and a finishReason as the proper end (Gemini streams have no end marker of their own).
 */
public final class GeminiStreamObserver extends ObservedStream {
    private TokenUsage usage;

    public GeminiStreamObserver(LongSupplier estimatedPrompt) {
        super(estimatedPrompt);
    }

    @Override
    public JsonObject read(String data) {
        JsonObject chunk = parse(data);
        if (chunk == null) {
            return null;
        }
        if (id == null && chunk.get("responseId") instanceof JsonString s) {
            id = s.getString();
        }
        if (chunk.get("error") instanceof JsonObject e) {
            error = e.getString("message", UNNAMED_ERROR);
        }
        text.append(GeminiUsage.text(chunk));
        GeminiUsage.of(chunk).ifPresent(u -> usage = u);
        if (GeminiUsage.finished(chunk)) {
            done = true;
        }
        return chunk;
    }

    /** The last cumulative usage once the answer finished; before that, what was seen, with the output counted. */
    @Override
    public TokenUsage usage() {
        if (usage != null && done) {
            return usage;
        }
        long prompt = usage != null ? usage.prompt() : estimatedPrompt.getAsLong();
        long output = Math.max(usage != null ? usage.completion() : 0, text.tokens());
        return new TokenUsage(prompt, output, prompt + output, usage != null ? usage.cached() : 0,
                usage != null ? usage.reasoning() : 0);
    }

    @Override
    public UsageQuality quality() {
        return quality(usage != null && done);
    }

    @Override
    public byte[] errorEvent(String message, boolean timeout) {
        return event(timeout ? 504 : 502, message);
    }

    /** Google's error object as one SSE data event. */
    public static byte[] event(int status, String message) {
        return SseFrame.data(ErrorBodies.gemini(status, message));
    }
}
