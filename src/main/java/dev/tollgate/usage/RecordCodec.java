package dev.tollgate.usage;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.json.BoundedJson;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A usage record as one line of JSON, for the journal: every field the database row has, so a
 * record read back after a crash is the record that would have been written.
 */
final class RecordCodec {
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(4, 256);

    private RecordCodec() {
    }

    static byte[] encode(UsageRecord r) {
        JsonObjectBuilder b = JSON.createObjectBuilder()
                .add("id", r.id())
                .add("ts", r.timestamp().toEpochMilli())
                .add("stream", r.stream())
                .add("status", r.status())
                .add("latency", r.latencyMs())
                .add("attempts", r.attempts())
                .add("admitted", r.admitted())
                .add("quality", r.quality().name());
        text(b, "endpoint", r.endpoint());
        text(b, "requested", r.requestedModel());
        text(b, "model", r.model());
        text(b, "provider", r.provider());
        text(b, "credential", r.credential());
        text(b, "key_hash", r.caller().key().hash());
        text(b, "key_masked", r.caller().key().masked());
        text(b, "key_id", r.caller().keyId());
        text(b, "user", r.caller().userId());
        text(b, "upstream_id", r.upstreamRequestId());
        text(b, "error", r.error());
        text(b, "reported", r.usageReported());
        if (r.ttfbMs() != null) {
            b.add("ttfb", r.ttfbMs());
        }
        TokenUsage t = r.tokens();
        b.add("tokens", JSON.createArrayBuilder().add(t.prompt()).add(t.completion()).add(t.total()).add(t.cached())
                .add(t.reasoning()).add(t.cacheWrite5m()).add(t.cacheWrite1h()));
        Charge c = r.charge();
        if (c != null) {
            b.add("charge", JSON.createArrayBuilder().add(c.costPicoUsd()).add(c.inputPerToken()).add(c.outputPerToken())
                    .add(c.cachedInputPerToken()).add(c.cacheWrite5mPerToken()).add(c.cacheWrite1hPerToken()));
        }
        return b.build().toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The record in {@code bytes}; throws {@link IllegalArgumentException} when they hold none. */
    static UsageRecord decode(byte[] bytes) {
        JsonObject o;
        try {
            o = BoundedJson.object(bytes, BOUNDS);
        } catch (BoundedJson.Refused e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        try {
            var t = o.getJsonArray("tokens");
            TokenUsage tokens = new TokenUsage(n(t, 0), n(t, 1), n(t, 2), n(t, 3), n(t, 4), n(t, 5), n(t, 6));
            Charge charge = null;
            if (o.get("charge") instanceof jakarta.json.JsonArray c) {
                charge = new Charge(n(c, 0), n(c, 1), n(c, 2), n(c, 3), n(c, 4), n(c, 5));
            }
            Caller caller = new Caller(new KeyFingerprint(text(o, "key_hash"), text(o, "key_masked")),
                    text(o, "key_id"), text(o, "user"));
            Long ttfb = o.get("ttfb") instanceof JsonNumber n ? n.longValue() : null;
            return new UsageRecord(o.getString("id"), Instant.ofEpochMilli(o.getJsonNumber("ts").longValue()),
                    text(o, "endpoint"), o.getBoolean("stream"), text(o, "requested"), text(o, "model"),
                    text(o, "provider"), text(o, "credential"), caller, o.getInt("status"),
                    o.getJsonNumber("latency").longValue(), ttfb, tokens, UsageQuality.valueOf(o.getString("quality")),
                    text(o, "upstream_id"), text(o, "error"), o.getInt("attempts"), o.getBoolean("admitted"), charge,
                    text(o, "reported"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a usage record: " + e.getMessage(), e);
        }
    }

    private static void text(JsonObjectBuilder b, String key, String value) {
        if (value != null) {
            b.add(key, value);
        }
    }

    private static String text(JsonObject o, String key) {
        return o.get(key) instanceof JsonString s ? s.getString() : null;
    }

    private static long n(jakarta.json.JsonArray a, int i) {
        JsonValue v = a.get(i);
        return ((JsonNumber) v).longValue();
    }
}
