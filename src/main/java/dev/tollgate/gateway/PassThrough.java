package dev.tollgate.gateway;

import dev.tollgate.json.BoundedJson;
import dev.tollgate.translate.GeminiContent;
import dev.tollgate.usage.AnthropicStreamObserver;
import dev.tollgate.usage.AnthropicUsage;
import dev.tollgate.usage.GeminiStreamObserver;
import dev.tollgate.usage.GeminiUsage;
import dev.tollgate.usage.OpenAiStreamObserver;
import dev.tollgate.usage.OpenAiText;
import dev.tollgate.usage.OpenAiUsage;
import dev.tollgate.usage.ResponsesStreamObserver;
import dev.tollgate.usage.ResponsesUsage;
import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenEstimator;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A call whose client speaks the upstream's format: the body goes as the client sent it (see
 * {@link UpstreamBody}) and the answer comes back untouched; only usage is read on the way.
 */
final class PassThrough implements Exchange {
    /** What differs between formats when passing through: how usage and text are read. */
    private enum Format {
        OPENAI(OpenAiUsage::of, OpenAiText::of),
        ANTHROPIC(AnthropicUsage::of, PassThrough::anthropicText),
        GEMINI(GeminiUsage::of, GeminiUsage::text),
        RESPONSES(ResponsesUsage::of, ResponsesUsage::text);

        private final Function<JsonObject, Optional<TokenUsage>> usage;
        private final Function<JsonObject, String> text;

        Format(Function<JsonObject, Optional<TokenUsage>> usage, Function<JsonObject, String> text) {
            this.usage = usage;
            this.text = text;
        }
    }

    private final String path;
    private final UpstreamBody body;
    private final Map<String, String> headers;
    private final LongSupplier estimatedPrompt;
    private final Format format;

    private PassThrough(String path, UpstreamBody body, Map<String, String> headers, LongSupplier estimatedPrompt,
                        Format format) {
        this.path = path;
        this.body = body;
        this.headers = headers;
        this.estimatedPrompt = estimatedPrompt;
        this.format = format;
    }

    static PassThrough openAi(ProxyCall call, String upstreamModel) {
        return new PassThrough(call.operation().path(), UpstreamBody.of(call, upstreamModel), Map.of(),
                call.promptTokens(), Format.OPENAI);
    }

    static PassThrough anthropic(ProxyCall call, String upstreamModel) {
        return new PassThrough(call.operation().path(), UpstreamBody.renamed(call, upstreamModel), call.headers(),
                call.promptTokens(), Format.ANTHROPIC);
    }

    static PassThrough responses(ProxyCall call, String upstreamModel) {
        return new PassThrough(call.operation().path(), UpstreamBody.renamed(call, upstreamModel), Map.of(),
                call.promptTokens(), Format.RESPONSES);
    }

    static PassThrough gemini(ProxyCall call, String upstreamModel) {
        return new PassThrough(GeminiContent.INSTANCE.path(upstreamModel, call.stream()), UpstreamBody.asIs(call),
                Map.of(), call.promptTokens(), Format.GEMINI);
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
        return switch (format) {
            case ANTHROPIC -> new AnthropicStreamObserver(estimatedPrompt);
            case GEMINI -> new GeminiStreamObserver(estimatedPrompt);
            case RESPONSES -> new ResponsesStreamObserver(estimatedPrompt);
            case OPENAI -> new OpenAiStreamObserver(body.clientWantsUsage(), estimatedPrompt);
        };
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
        Optional<TokenUsage> reported = format.usage.apply(json);
        if (reported.isPresent()) {
            return new Answer(status, bytes, reported.get(), UsageQuality.REPORTED, id, null);
        }
        long completion = TokenEstimator.count(format.text.apply(json));
        return new Answer(status, bytes, TokenUsage.of(estimatedPrompt.getAsLong(), completion), UsageQuality.ESTIMATED, id, null);
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
