package dev.tollgate.usage;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import java.time.Instant;

/**
 * The account of one proxied request, written once when the response has truly completed.
 *
 * @param ttfbMs time to the first byte sent to the client, for streams; null otherwise
 * @param model  the model that served the call (the upstream id), or the requested name when no upstream was reached
 * @param caller the key, and for stored keys its id and user
 * @param admitted whether it passed authentication and the limits, and so counts against them
 * @param charge what it cost, when the model has a price; null when it has none
 * @param usageReported the upstream's figures as it sent them, when they had to be clamped ({@link UsageQuality#CLAMPED}); else null
 * @param overheadMicros what the gateway itself added before the answer left it (its time outside the upstream
 *                       call, as {@code x-tollgate-overhead-ms} says); -1 when no answer came from an upstream, and
 *                       in records read back from a journal or a bundle, which do not keep it
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
        Caller caller,
        int status,
        long latencyMs,
        Long ttfbMs,
        TokenUsage tokens,
        UsageQuality quality,
        String upstreamRequestId,
        String error,
        int attempts,
        boolean admitted,
        Charge charge,
        String usageReported,
        long overheadMicros) {

    /** A record as the journal and bundles keep it: without the overhead, which only the live figures use. */
    public UsageRecord(String id, Instant timestamp, String endpoint, boolean stream, String requestedModel, String model,
                       String provider, String credential, Caller caller, int status, long latencyMs, Long ttfbMs,
                       TokenUsage tokens, UsageQuality quality, String upstreamRequestId, String error, int attempts,
                       boolean admitted, Charge charge, String usageReported) {
        this(id, timestamp, endpoint, stream, requestedModel, model, provider, credential, caller, status, latencyMs,
                ttfbMs, tokens, quality, upstreamRequestId, error, attempts, admitted, charge, usageReported, -1);
    }

    /** A record whose usage needed no clamping. */
    public UsageRecord(String id, Instant timestamp, String endpoint, boolean stream, String requestedModel, String model,
                       String provider, String credential, Caller caller, int status, long latencyMs, Long ttfbMs,
                       TokenUsage tokens, UsageQuality quality, String upstreamRequestId, String error, int attempts,
                       boolean admitted, Charge charge) {
        this(id, timestamp, endpoint, stream, requestedModel, model, provider, credential, caller, status, latencyMs,
                ttfbMs, tokens, quality, upstreamRequestId, error, attempts, admitted, charge, null, -1);
    }

    public KeyFingerprint apiKey() {
        return caller.key();
    }

    public boolean failed() {
        return status >= 400;
    }

    public UsageRecord withCharge(Charge c) {
        return new UsageRecord(id, timestamp, endpoint, stream, requestedModel, model, provider, credential, caller,
                status, latencyMs, ttfbMs, tokens, quality, upstreamRequestId, error, attempts, admitted, c, usageReported,
                overheadMicros);
    }
}
