package dev.tollgate.usage;

import jakarta.json.JsonObject;
import java.util.function.LongSupplier;

/**
 * The tokenizer's count of a request's prompt, made the first time something needs it: a limit
 * that reserves tokens, or an upstream that reported no usage. Most calls need neither, and
 * tokenizing every prompt was a measurable share of the gateway's time per call.
 */
public final class PromptEstimate implements LongSupplier {
    private final JsonObject body;
    private long tokens = -1;

    public PromptEstimate(JsonObject body) {
        this.body = body;
    }

    @Override
    public synchronized long getAsLong() {
        if (tokens < 0) {
            tokens = TokenEstimator.prompt(body);
        }
        return tokens;
    }
}
