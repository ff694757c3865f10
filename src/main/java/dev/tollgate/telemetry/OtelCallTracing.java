package dev.tollgate.telemetry;

import dev.tollgate.metrics.GenAi;
import dev.tollgate.usage.CallTrace;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A span per model call, under the GenAI conventions, and a child span per attempt at an upstream,
 * so retries and fallbacks show. The caller's W3C {@code traceparent} is continued, and each attempt
 * hands its own to the upstream. The call's span is named and filled in from the finished record,
 * the same record the account keeps.
 */
final class OtelCallTracing implements CallTrace.Factory {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final SemanticConventions conventions;

    OtelCallTracing(Tracer tracer, SemanticConventions conventions) {
        this.tracer = tracer;
        this.conventions = conventions;
    }

    @Override
    public CallTrace start(String endpoint, String traceparent, String tracestate, Instant startedAt) {
        Context parent = Context.root();
        if (traceparent != null) {
            Map<String, String> incoming = new LinkedHashMap<>();
            incoming.put("traceparent", traceparent);
            if (tracestate != null) {
                incoming.put("tracestate", tracestate);
            }
            parent = W3C.extract(parent, incoming, HEADERS); // a malformed one is ignored: a new trace starts
        }
        String operation = GenAi.operation(endpoint);
        Span span = tracer.spanBuilder(operation).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(startedAt.getEpochSecond() * 1_000_000_000L + startedAt.getNano(), TimeUnit.NANOSECONDS)
                .setAttribute(GenAiKeys.OPERATION, operation)
                .startSpan();
        return new Call(span, operation);
    }

    /** One call's span; its attempts are its children. */
    private final class Call implements CallTrace {
        private final Span span;
        private final String operation;

        Call(Span span, String operation) {
            this.span = span;
            this.operation = operation;
        }

        @Override
        public void request(JsonObject body) {
            if (span.isRecording() && body != null) {
                conventions.request(span, body);
            }
        }

        @Override
        public Attempt attempt(String provider, String credential, String upstreamModel, URI upstream, int number) {
            Span child = tracer.spanBuilder(operation + " " + upstreamModel).setParent(Context.root().with(span))
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute(GenAiKeys.OPERATION, operation)
                    .setAttribute(GenAiKeys.PROVIDER, GenAi.provider(provider))
                    .setAttribute(GenAiKeys.REQUEST_MODEL, upstreamModel)
                    .setAttribute(GenAiKeys.SERVER_ADDRESS, upstream.getHost() == null ? "" : upstream.getHost())
                    .setAttribute(GenAiKeys.SERVER_PORT, (long) port(upstream))
                    .setAttribute(GenAiKeys.CREDENTIAL, credential)
                    .setAttribute(GenAiKeys.ATTEMPT, (long) number)
                    .startSpan();
            Map<String, String> headers = new LinkedHashMap<>(2);
            W3C.inject(Context.root().with(child), headers, Map::put);
            return new UpstreamAttempt(child, Map.copyOf(headers));
        }

        @Override
        public void finish(UsageRecord r, Outcome outcome) {
            String model = r.requestedModel() == null ? "" : r.requestedModel();
            span.updateName(model.isEmpty() ? operation : operation + " " + model);
            span.setAttribute(GenAiKeys.PROVIDER, GenAi.provider(r.provider()));
            span.setAttribute(GenAiKeys.REQUEST_MODEL, model);
            if (r.provider() != null && r.model() != null) {
                span.setAttribute(GenAiKeys.RESPONSE_MODEL, r.model());
            }
            if (outcome.responseId() != null) {
                span.setAttribute(GenAiKeys.RESPONSE_ID, outcome.responseId());
            }
            if (!outcome.finishReasons().isEmpty()) {
                span.setAttribute(GenAiKeys.FINISH_REASONS, outcome.finishReasons());
            }
            if (r.quality() != UsageQuality.NONE) {
                span.setAttribute(GenAiKeys.INPUT_TOKENS, r.tokens().prompt());
                span.setAttribute(GenAiKeys.OUTPUT_TOKENS, r.tokens().completion());
                span.setAttribute(GenAiKeys.CACHE_READ_TOKENS, r.tokens().cached());
                span.setAttribute(GenAiKeys.REASONING_TOKENS, r.tokens().reasoning());
            }
            conventions.finish(span, r);
            span.setAttribute(GenAiKeys.HTTP_STATUS, (long) r.status());
            span.setAttribute(GenAiKeys.REQUEST_ID, r.id());
            if (r.credential() != null) {
                span.setAttribute(GenAiKeys.CREDENTIAL, r.credential());
            }
            span.setAttribute(GenAiKeys.ATTEMPTS, (long) r.attempts());
            String error = GenAi.errorType(r.status());
            if (error != null) {
                span.setAttribute(GenAiKeys.ERROR_TYPE, error);
            }
            if (r.status() >= 500) { // a 4xx is the caller's mistake: the gateway did its job (HTTP server conventions)
                span.setStatus(StatusCode.ERROR, error);
            }
            span.end();
        }
    }

    /** One attempt's span; the upstream gets its context. */
    private record UpstreamAttempt(Span span, Map<String, String> headers) implements CallTrace.Attempt {
        @Override
        public void end(int status, boolean answered) {
            span.setAttribute(GenAiKeys.HTTP_STATUS, (long) status);
            String error = GenAi.errorType(status);
            if (error != null) {
                span.setAttribute(GenAiKeys.ERROR_TYPE, answered ? error : error + "_no_answer");
                span.setStatus(StatusCode.ERROR, answered ? "upstream answered " + status : "no answer from the upstream");
            }
            span.end();
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }
}
