package dev.tollgate.telemetry;

import dev.tollgate.usage.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which edition of the GenAI conventions the gateway writes, and the parts that depend on it. By
 * default v1.41 as released; {@code OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental} (the
 * conventions' own switch) turns on the newest draft items v1.41 carries: the time to first token as
 * the client metric {@code gen_ai.client.operation.time_to_first_chunk} in place of
 * {@code gen_ai.server.time_to_first_token}, and the streaming attributes
 * {@code gen_ai.request.stream} and {@code gen_ai.response.time_to_first_chunk} on the call's span.
 * Message content is written only when the operator asked for it ({@code otel.capture-content}).
 */
final class SemanticConventions {
    static final String OPT_IN = "gen_ai_latest_experimental";
    /** Captured messages are cut here: a span is not a request log. */
    static final int MAX_CONTENT_CHARS = 16_000;
    private static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    private static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    private static final AttributeKey<Double> TOP_P = AttributeKey.doubleKey("gen_ai.request.top_p");
    private static final AttributeKey<Double> TOP_K = AttributeKey.doubleKey("gen_ai.request.top_k");
    private static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    private static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
    private static final AttributeKey<Double> FIRST_CHUNK = AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk");

    private final boolean latest;
    private final boolean captureContent;

    SemanticConventions(boolean latest, boolean captureContent) {
        this.latest = latest;
        this.captureContent = captureContent;
    }

    /** From the value of {@code OTEL_SEMCONV_STABILITY_OPT_IN}: a comma-separated list, null when unset. */
    static SemanticConventions of(String optIn, boolean captureContent) {
        boolean latest = optIn != null && Arrays.stream(optIn.split(","))
                .anyMatch(v -> v.trim().toLowerCase(Locale.ROOT).equals(OPT_IN));
        return new SemanticConventions(latest, captureContent);
    }

    boolean latest() {
        return latest;
    }

    /** The name of the time-to-first-token histogram in this edition. */
    String firstTokenMetric() {
        return latest ? "gen_ai.client.operation.time_to_first_chunk" : "gen_ai.server.time_to_first_token";
    }

    /**
     * The request's parameters from the client's body in its own format (OpenAI chat and Responses,
     * Anthropic, Gemini), and its messages when content is captured.
     */
    void request(Span span, JsonObject body) {
        JsonObject gemini = body.get("generationConfig") instanceof JsonObject g ? g : null;
        JsonObject params = gemini != null ? gemini : body;
        number(params, "max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens")
                .flatMap(SemanticConventions::whole).ifPresent(n -> span.setAttribute(MAX_TOKENS, n));
        number(params, "temperature").flatMap(SemanticConventions::finite).ifPresent(n -> span.setAttribute(TEMPERATURE, n));
        number(params, "top_p", "topP").flatMap(SemanticConventions::finite).ifPresent(n -> span.setAttribute(TOP_P, n));
        number(params, "top_k", "topK").flatMap(SemanticConventions::finite).ifPresent(n -> span.setAttribute(TOP_K, n));
        if (captureContent) {
            for (String field : new String[] {"messages", "contents", "input"}) {
                JsonValue v = body.get(field);
                if (v != null) {
                    String text = v.toString();
                    span.setAttribute(INPUT_MESSAGES, text.length() <= MAX_CONTENT_CHARS ? text
                            : text.substring(0, MAX_CONTENT_CHARS) + "…");
                    break;
                }
            }
        }
    }

    /** What this edition adds to the call's span from the finished record. */
    void finish(Span span, UsageRecord r) {
        if (latest) {
            span.setAttribute(STREAM, r.stream());
            if (r.stream() && r.ttfbMs() != null) {
                span.setAttribute(FIRST_CHUNK, r.ttfbMs() / 1000.0);
            }
        }
    }

    /**
     * The caller's number as a long when it is a whole one in range. Never {@code longValue()}: on
     * {@code 1e999999999} that builds a billion-digit integer.
     */
    private static Optional<Long> whole(JsonNumber n) {
        if (!n.isIntegral()) {
            return Optional.empty();
        }
        try {
            return Optional.of(n.longValueExact());
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** The caller's number as a double when it is finite (an absurd exponent is not). */
    private static Optional<Double> finite(JsonNumber n) {
        double d = n.doubleValue();
        return Double.isFinite(d) ? Optional.of(d) : Optional.empty();
    }

    private static Optional<JsonNumber> number(JsonObject o, String... names) {
        for (String name : names) {
            if (o.get(name) instanceof JsonNumber n) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }
}
