package dev.tollgate.gateway;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.ProviderCredential.Wire;
import dev.tollgate.limit.Permit;
import dev.tollgate.route.Route;
import dev.tollgate.translate.TranslationException;
import dev.tollgate.upstream.UpstreamRequest;
import dev.tollgate.upstream.UpstreamResponse;
import dev.tollgate.usage.CallTrace;
import dev.tollgate.usage.Metering;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One admitted call on its way through its plan: the call, its meter, the permit its limits
 * granted and the attempts it may make, held together so each step reads them instead of being
 * handed them. Calls upstream (retrying elsewhere before any byte reached the client), reads the
 * usage from the body or stream, and makes the reply. Every fact goes into the meter as it becomes known.
 */
final class CallRun {
    private static final long RETRY_BASE_DELAY_MS = 100;

    private final Pipeline pipeline;
    private final ProxyCall call;
    private final Metering meter;
    private final Permit permit;
    private final List<Route> plan;

    CallRun(Pipeline pipeline, ProxyCall call, Metering meter, Permit permit, List<Route> plan) {
        this.pipeline = pipeline;
        this.call = call;
        this.meter = meter;
        this.permit = permit;
        this.plan = List.copyOf(plan);
    }

    /** The first attempt; a refusal of the first route (a request it cannot translate) throws at once. */
    CompletionStage<Reply> start() {
        meter.trace().request(call.body());
        return attempt(0);
    }

    /** The exchange's headers, with the trace context the attempt's span hands the upstream. */
    private static Map<String, String> traced(Map<String, String> headers, CallTrace.Attempt span) {
        Map<String, String> trace = span.headers();
        if (trace.isEmpty()) {
            return headers;
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.putAll(trace);
        return all;
    }

    private CompletionStage<Reply> attempt(int n) {
        Route route = plan.get(n);
        ProviderCredential credential = route.credential();
        meter.route(credential.provider(), credential.label(), route.upstreamModel());
        meter.attempt();
        Exchange exchange;
        try {
            exchange = exchange(route);
        } catch (GatewayException e) {
            if (n == 0) {
                throw e;
            }
            return CompletableFuture.failedFuture(e);
        }
        JsonObject json = exchange.json();
        byte[] body = exchange.body();
        if (pipeline.payload().appliesTo(route.upstreamModel())) {
            json = pipeline.payload().apply(route.upstreamModel(), json);
            body = json.toString().getBytes(StandardCharsets.UTF_8);
        }
        CallTrace.Attempt span = meter.trace().attempt(credential.provider(), credential.label(), route.upstreamModel(),
                credential.baseUrl(), n + 1);
        UpstreamRequest request = new UpstreamRequest(credential, exchange.path(), body, json, call.stream(),
                traced(exchange.headers(), span));
        boolean canRetry = n + 1 < plan.size();
        long sent = System.nanoTime();
        Attempt attempt = new Attempt(route, n + 1);
        return pipeline.upstreams().apply(credential).send(request).handle((response, error) -> {
            meter.upstreamTime(System.nanoTime() - sent);
            span.end(error == null ? response.status() : GatewayException.of(error).failure().status(), error == null);
            if (error != null) {
                GatewayException failure = GatewayException.of(error);
                if (failure.failure() == Failure.UPSTREAM_TIMEOUT) {
                    promptOnly(); // the request went out: the provider may have read the prompt
                }
                pipeline.cooldowns().failed(credential, Optional.empty(), failure.getMessage());
                if (canRetry) {
                    return next(n);
                }
                return CompletableFuture.<Reply>failedFuture(failure);
            }
            if (response.retryable()) {
                pipeline.cooldowns().failed(credential, response.retryAfter(), "upstream answered " + response.status());
                if (canRetry) {
                    response.discard();
                    return next(n);
                }
            } else if (streams(response)) {
                return firstBytes(exchange, response, attempt);
            } else {
                pipeline.cooldowns().succeeded(credential);
            }
            return reply(exchange, response, attempt);
        }).thenCompose(Function.identity());
    }

    /** How an attempt talks to its route: passed through in the same format, or translated. */
    private Exchange exchange(Route route) {
        Optional<Wire> spoken = route.credential().speaking(call.operation().format());
        if (spoken.isPresent()) {
            return Dialect.of(spoken.get()).passThrough(call, route);
        }
        try {
            return Dialect.of(route.credential().wire()).translated(call, route, Dialect.of(call.operation().format()),
                    pipeline.reasoning());
        } catch (TranslationException e) {
            throw new GatewayException(Failure.INVALID_REQUEST, e.getMessage());
        }
    }

    /**
     * The upstream had the request and no usage will come from it (a timeout, a stream that ended
     * before its first byte, an answer that never arrived whole): the prompt is counted with the
     * tokenizer and the record says {@code partial}, not {@code none}, which would claim that no
     * model call took place. A later attempt that is answered replaces it.
     */
    private void promptOnly() {
        meter.usage(TokenUsage.of(call.promptTokens().getAsLong(), 0), UsageQuality.PARTIAL);
    }

    private boolean streams(UpstreamResponse response) {
        return call.stream() && response.ok() && eventStream(response);
    }

    private static boolean eventStream(UpstreamResponse response) {
        return response.contentType().map(t -> t.startsWith("text/event-stream")).orElse(false);
    }

    /**
     * Waits for a stream's first bytes before answering the client, so a stream that ends or
     * fails before sending anything is retried like any failed attempt: the client saw nothing yet.
     */
    private CompletionStage<Reply> firstBytes(Exchange exchange, UpstreamResponse response, Attempt attempt) {
        PrimedBody primed = new PrimedBody(response.body());
        long waitStart = System.nanoTime();
        return primed.ready().completeOnTimeout(false, pipeline.timeouts().streamIdle().toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(started -> {
                    meter.upstreamTime(System.nanoTime() - waitStart);
                    ProviderCredential credential = attempt.route().credential();
                    if (started) {
                        pipeline.cooldowns().succeeded(credential);
                        UpstreamResponse held = new UpstreamResponse(response.status(), response.contentType(),
                                response.requestId(), response.retryAfterHeader(), primed);
                        return reply(exchange, held, attempt);
                    }
                    primed.cancel();
                    promptOnly();
                    pipeline.cooldowns().failed(credential, Optional.empty(), "upstream stream ended before its first byte");
                    if (attempt.number() < plan.size()) {
                        return next(attempt.number() - 1);
                    }
                    return CompletableFuture.<Reply>failedFuture(new GatewayException(Failure.UPSTREAM_UNAVAILABLE,
                            "The upstream provider's stream ended before it sent anything."));
                });
    }

    /** Which attempt answered, for the debug headers: its route and its number, from 1. */
    private record Attempt(Route route, int number) {
    }

    /** The next attempt: at once on another credential, after a growing pause on the same one. */
    private CompletionStage<Reply> next(int n) {
        boolean sameCredential = plan.get(n + 1).credential().label().equals(plan.get(n).credential().label());
        if (!sameCredential) {
            return attempt(n + 1);
        }
        return later(n, () -> attempt(n + 1));
    }

    private static CompletionStage<Reply> later(int n, Supplier<CompletionStage<Reply>> next) {
        long delay = RETRY_BASE_DELAY_MS << Math.min(n, 6);
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> next.get());
    }

    private CompletionStage<Reply> reply(Exchange exchange, UpstreamResponse response, Attempt attempt) {
        response.requestId().ifPresent(meter::upstreamRequestId);
        if (call.stream() && response.ok() && eventStream(response)) {
            StreamRelay relay = new StreamRelay(response.body(), exchange.observer(), meter, pipeline.watchdog(),
                    pipeline.timeouts().streamIdle(), pipeline.timeouts().keepAlive(),
                    pipeline.input().maxUpstreamEventBytes());
            return CompletableFuture.completedFuture(new Reply.Stream(response.status(), headers(response, attempt),
                    relay));
        }
        long bodyStart = System.nanoTime();
        return pipeline.whole(response).whenComplete((b, failed) -> {
            if (failed != null && response.ok()) {
                promptOnly(); // accepted, then the answer never came whole: no usage will
            }
        }).thenApply(b -> {
            meter.upstreamTime(System.nanoTime() - bodyStart);
            Exchange.Answer a = exchange.answer(response.status(), response.ok(), b);
            if (a.upstreamId() != null) {
                meter.answerId(a.upstreamId());
            }
            meter.finishReasons(a.finishReasons());
            if (a.error() != null) {
                meter.error(a.error());
            }
            meter.usage(a.usage(), a.quality());
            String type = a.body() == b ? response.contentType().orElse("application/json") : "application/json";
            return new Reply.Buffered(a.status(), type, headers(response, attempt), a.body());
        });
    }

    /** Headers for the client; the overhead is measured now, as the answer leaves the gateway. */
    private Map<String, String> headers(UpstreamResponse response, Attempt attempt) {
        Map<String, String> headers = new LinkedHashMap<>(permit.headers());
        if (call.debug()) {
            headers.put("x-debug-provider", attempt.route().credential().provider());
            headers.put("x-debug-credential", attempt.route().credential().label());
            headers.put("x-debug-model", attempt.route().upstreamModel());
            headers.put("x-debug-attempts", Integer.toString(attempt.number()));
        }
        headers.put("x-tollgate-request-id", meter.id());
        headers.put("x-tollgate-overhead-ms", millis(meter.answerLeaves(System.nanoTime())));
        response.requestId().ifPresent(id -> headers.put("x-request-id", id));
        return headers;
    }

    /** Nanoseconds as milliseconds with three decimals ("0.137"); String.format was a visible cost per call. */
    static String millis(long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        String frac = Long.toString(micros % 1000);
        return micros / 1000 + "." + "000".substring(frac.length()) + frac;
    }
}
