package dev.tollgate.usage;

import dev.tollgate.access.KeyFingerprint;
import java.time.Instant;

/**
 * The account of one proxied request, written once when the response has truly completed.
 *
 * @param ttfbMs time to the first byte sent to the client, for streams; null otherwise
 * @param model  the model that served the call (the upstream id), or the requested name when no upstream was reached
 * @param charge what it cost, when the model has a price; null when it has none
 */
public record UsageRecord(
        String id,
        Instant timestamp,
        String endpoint,
        boolean stream,
        String requestedModel,
        String model,
        String provider,
        String credential,
        KeyFingerprint apiKey,
        int status,
        long latencyMs,
        Long ttfbMs,
        TokenUsage tokens,
        UsageQuality quality,
        String upstreamRequestId,
        String error,
        int attempts,
        Charge charge) {

    public boolean failed() {
        return status >= 400;
    }

    public UsageRecord withCharge(Charge c) {
        return new UsageRecord(id, timestamp, endpoint, stream, requestedModel, model, provider, credential, apiKey,
                status, latencyMs, ttfbMs, tokens, quality, upstreamRequestId, error, attempts, c);
    }
}
