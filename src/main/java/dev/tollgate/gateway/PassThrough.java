package dev.tollgate.gateway;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.usage.AnthropicStreamObserver;
import dev.tollgate.usage.AnthropicUsage;
import dev.tollgate.usage.OpenAiStreamObserver;
import dev.tollgate.usage.OpenAiText;
import dev.tollgate.usage.OpenAiUsage;
import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenEstimator;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A call whose client speaks the upstream's format: the body goes as the client sent it (see
 * {@link UpstreamBody}) and the answer comes back untouched; only usage is read on the way.
 */
final class PassThrough implements Exchange {
    private final String path;
    private final UpstreamBody body;
    private final Map<String, String> headers;
    private final long estimatedPrompt;
    private final boolean anthropic;

    private PassThrough(String path, UpstreamBody body, Map<String, String> headers, long estimatedPrompt,
                        boolean anthropic) {
        this.path = path;
        this.body = body;
        this.headers = headers;
        this.estimatedPrompt = estimatedPrompt;
        this.anthropic = anthropic;
    }

    static PassThrough openAi(ProxyCall call, String upstreamModel) {
        return new PassThrough(call.operation().path(), UpstreamBody.of(call, upstreamModel), Map.of(),
                TokenEstimator.prompt(call.body()), false);
    }

    static PassThrough anthropic(ProxyCall call, String upstreamModel) {
        return new PassThrough(call.operation().path(), UpstreamBody.renamed(call, upstreamModel), call.headers(),
                TokenEstimator.prompt(call.body()), true);
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
        return anthropic ? new AnthropicStreamObserver(estimatedPrompt)
                : new OpenAiStreamObserver(body.clientWantsUsage(), estimatedPrompt);
    }

    @Override
    public Answer answer(int status, boolean ok, byte[] bytes) {
        if (!ok) {
            return new Answer(status, bytes, TokenUsage.NONE, UsageQuality.NONE, null, "upstream answered " + status);
        }
        JsonObject json;
        try {
            json = JSON.createReader(new ByteArrayInputStream(bytes)).readObject();
        } catch (JsonException | IllegalStateException e) {
            return new Answer(status, bytes, TokenUsage.of(estimatedPrompt, 0), UsageQuality.ESTIMATED, null, null);
        }
        String id = json.get("id") instanceof JsonString s ? s.getString() : null;
        Function<JsonObject, Optional<TokenUsage>> reader = anthropic ? AnthropicUsage::of : OpenAiUsage::of;
        Optional<TokenUsage> reported = reader.apply(json);
        if (reported.isPresent()) {
            return new Answer(status, bytes, reported.get(), UsageQuality.REPORTED, id, null);
        }
        long completion = TokenEstimator.count(anthropic ? anthropicText(json) : OpenAiText.of(json));
        return new Answer(status, bytes, TokenUsage.of(estimatedPrompt, completion), UsageQuality.ESTIMATED, id, null);
    }

    private static String anthropicText(JsonObject body) {
        StringBuilder b = new StringBuilder();
        if (body.get("content") instanceof JsonArray blocks) {
            for (JsonValue v : blocks) {
                if (v instanceof JsonObject o) {
                    b.append(o.getString("text", ""));
                }
            }
        }
        return b.toString();
    }
}
