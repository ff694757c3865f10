package dev.tollgate.gateway;

import dev.tollgate.access.Caller;
import dev.tollgate.usage.PromptEstimate;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A validated client request, dialect-free: what the API layer parsed and the gateway needs.
 *
 * @param caller  the key {@link Gateway#admit} accepted
 * @param rawBody the exact bytes the client sent (passed on untouched when nothing must change)
 * @param headers   client headers to pass to an upstream of the same format (Anthropic's version and betas)
 * @param fallbacks models to try in order when every route of {@code model} failed (the body's {@code models})
 * @param debug     the client asked ({@code x-debug: true}) to see which provider, model and attempt answered
 * @param promptTokens the tokenizer's count of the prompt, made once and only if something asks
 */
public record ProxyCall(Operation operation, Caller caller, String model, boolean stream,
                        JsonObject body, byte[] rawBody, Map<String, String> headers,
                        List<String> fallbacks, boolean debug, LongSupplier promptTokens) {
    public ProxyCall(Operation operation, Caller caller, String model, boolean stream, JsonObject body, byte[] rawBody,
                     Map<String, String> headers, List<String> fallbacks, boolean debug) {
        this(operation, caller, model, stream, body, rawBody, headers, fallbacks, debug, new PromptEstimate(body));
    }

    public ProxyCall {
        headers = Map.copyOf(headers);
        fallbacks = List.copyOf(fallbacks);
    }
}
