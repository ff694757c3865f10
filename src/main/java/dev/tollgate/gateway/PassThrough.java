package dev.tollgate.gateway;

import dev.tollgate.json.BoundedJson;
import dev.tollgate.usage.FinishReasons;
import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenEstimator;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A call whose client speaks the upstream's format: the body goes as the client sent it (see
 * {@link UpstreamBody}) and the answer comes back untouched; only usage is read on the way.
 */
final class PassThrough implements Exchange {
    private final String path;
    private final UpstreamBody body;
    private final Map<String, String> headers;
    private final LongSupplier estimatedPrompt;
    private final Dialect dialect;

    /** Made by its {@link Dialect}. */
    PassThrough(String path, UpstreamBody body, Map<String, String> headers, LongSupplier estimatedPrompt,
                Dialect dialect) {
        this.path = path;
        this.body = body;
        this.headers = headers;
        this.estimatedPrompt = estimatedPrompt;
        this.dialect = dialect;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public byte[] body() {
        return body.bytes();
    }

    @Override
    public JsonObject json() {
        return body.json();
    }

    @Override
    public Map<String, String> headers() {
        return headers;
    }

    @Override
    public StreamObserver observer() {
        return dialect.observer(body, estimatedPrompt);
    }

    @Override
    public Answer answer(int status, boolean ok, byte[] bytes) {
        if (!ok) {
            return new Answer(status, bytes, TokenUsage.NONE, UsageQuality.NONE, null, "upstream answered " + status);
        }
        JsonObject json = BoundedJson.tryObject(bytes, BoundedJson.Bounds.UPSTREAM).orElse(null);
        if (json == null) {
            return new Answer(status, bytes, TokenUsage.of(estimatedPrompt.getAsLong(), 0), UsageQuality.ESTIMATED, null, null);
        }
        String id = json.get("id") instanceof JsonString s ? s.getString()
                : json.get("responseId") instanceof JsonString r ? r.getString() : null;
        List<String> finished = new ArrayList<>(1);
        FinishReasons.collect(json, finished);
        Optional<TokenUsage> reported = dialect.usage(json);
        if (reported.isPresent()) {
            return new Answer(status, bytes, reported.get(), UsageQuality.REPORTED, id, null, finished);
        }
        long completion = TokenEstimator.count(dialect.text(json));
        return new Answer(status, bytes, TokenUsage.of(estimatedPrompt.getAsLong(), completion), UsageQuality.ESTIMATED, id,
                null, finished);
    }
}
