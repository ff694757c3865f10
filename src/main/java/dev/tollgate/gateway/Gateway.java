package dev.tollgate.gateway;

import dev.tollgate.access.Caller;
import dev.tollgate.access.ClientKeys;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.config.TollgateConfig.Timeouts;
import dev.tollgate.limit.LimitExceeded;
import dev.tollgate.limit.Permit;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.PayloadRules;
import dev.tollgate.route.Route;
import dev.tollgate.route.Router;
import dev.tollgate.translate.TranslationException;
import dev.tollgate.upstream.Upstream;
import dev.tollgate.upstream.UpstreamRequest;
import dev.tollgate.upstream.UpstreamResponse;
import dev.tollgate.usage.Metering;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The call pipeline, dialect-free, and the one place that knows its order:
 * authenticate → route → prepare the body → call upstream (retrying elsewhere before any byte
 * reached the client) → read usage from the body or stream → reply. Every fact goes into the
 * request's {@link Metering} as it becomes known.
 */
public final class Gateway {
    private static final long RETRY_BASE_DELAY_MS = 100;

    private final ClientKeys keys;
    private final Router router;
    private final Function<ProviderCredential, Upstream> upstreams;
    private final Timeouts timeouts;
    private final int retries;
    private final StreamWatchdog watchdog;
    private final RateLimiter limiter;
    private final Cooldowns cooldowns;
    private final PayloadRules payload;
    private final InputLimits input;

    public Gateway(ClientKeys keys, RateLimiter limiter, Router router, Cooldowns cooldowns, PayloadRules payload,
                   Function<ProviderCredential, Upstream> upstreams, Timeouts timeouts, InputLimits input, int retries,
                   ScheduledExecutorService timer) {
        this.input = input;
        this.keys = keys;
        this.limiter = limiter;
        this.cooldowns = cooldowns;
        this.payload = payload;
        this.router = router;
        this.upstreams = upstreams;
        this.timeouts = timeouts;
        this.retries = retries;
        this.watchdog = new StreamWatchdog(timer);
    }

    /**
     * The first step of every call, before its body is even read: checks the caller's key and
     * notes it on the meter (a refused key under the fingerprint it presented, so its owner can
     * be found). A refusal is a {@link GatewayException} with {@link Failure#AUTHENTICATION}.
     */
    public Caller admit(Optional<String> clientKey, Metering meter) {
        meter.caller(Caller.of(clientKey.map(KeyFingerprint::of).orElse(KeyFingerprint.ANONYMOUS)));
        Caller caller = authenticate(clientKey);
        meter.caller(caller);
        return caller;
    }

    /** Checks a key for calls that are not metered (listings). */
    public Caller authenticate(Optional<String> clientKey) {
        return keys.authenticate(clientKey).orElseThrow(() -> new GatewayException(Failure.AUTHENTICATION,
                clientKey.isEmpty() ? "Missing API key: send it as 'Authorization: Bearer <key>' (or 'x-api-key')."
                        : "Incorrect API key provided."));
    }

    /** The models the caller can ask for by name. */
    public List<Router.Listing> models() {
        return router.listings();
    }

    /** Streams the gateway holds open right now. */
    public int openStreams() {
        return watchdog.open();
    }

    /**
     * Runs one admitted call. Refusals before the upstream throw {@link GatewayException} at once;
     * the returned stage completes with the reply, or exceptionally with a GatewayException.
     */
    public CompletionStage<Reply> call(ProxyCall call, Metering meter) {
        meter.request(call.model(), call.stream());
        List<Route> plan = plan(call);
        Permit permit = admitToLimits(call, plan.get(0), meter);
        return attempt(call, meter, permit, plan, 0);
    }

    /**
     * Every attempt this call may make, in order: for the model and then each fallback model, its
     * routes (best first, credentials cooling down last), {@code request-retry} + 1 attempts each.
     */
    private List<Route> plan(ProxyCall call) {
        List<String> models = new ArrayList<>();
        models.add(call.model());
        call.fallbacks().stream().filter(m -> !models.contains(m)).forEach(models::add);
        List<Route> plan = new ArrayList<>();
        Route unusable = null;
        for (String model : models) {
            List<Route> all = router.routes(model);
            List<Route> usable = all.stream().filter(r -> speaks(r, call.operation())).toList();
            if (usable.isEmpty() && !all.isEmpty() && unusable == null) {
                unusable = all.get(0);
            }
            for (int i = 0; i <= retries && !usable.isEmpty(); i++) {
                plan.add(usable.get(i % usable.size()));
            }
        }
        if (plan.isEmpty() && unusable != null) {
            throw new GatewayException(Failure.INVALID_REQUEST, "The model '" + call.model() + "' is served by "
                    + unusable.credential().provider() + ", which cannot answer this endpoint.", "model");
        }
        if (plan.isEmpty()) {
            throw new GatewayException(Failure.MODEL_NOT_FOUND,
                    "The model '" + call.model() + "' does not exist or you do not have access to it.", "model");
        }
        return plan;
    }

    /** Chat calls reach any chat format (translated when it differs); the others only their own. */
    private static boolean speaks(Route r, Operation op) {
        return op.chat() || r.credential().wire().format() == op.format();
    }

    /** How this attempt talks to its route: passed through in the same format, or translated. */
    private static Exchange exchange(ProxyCall call, Route route) {
        Dialect upstream = Dialect.of(route.credential().wire());
        Dialect client = Dialect.of(call.operation().format());
        if (upstream.passesThrough(client)) {
            return upstream.passThrough(call, route);
        }
        try {
            return upstream.translated(call, route, client);
        } catch (TranslationException e) {
            throw new GatewayException(Failure.INVALID_REQUEST, e.getMessage());
        }
    }

    /** Counts the call against its limits, reserving its estimated tokens and cost, or refuses it (429). */
    private Permit admitToLimits(ProxyCall call, Route first, Metering meter) {
        RateLimiter.Request demand = new RateLimiter.Request(first.upstreamModel(),
                call.promptTokens(), maxOutputTokens(call.body()));
        try {
            Permit permit = limiter.admit(call.caller(), demand);
            meter.admitted(permit::settle);
            return permit;
        } catch (LimitExceeded e) {
            throw new GatewayException(Failure.RATE_LIMITED, e.getMessage(), null,
                    e.quota() ? "insufficient_quota" : "rate_limit_exceeded", e.headers());
        }
    }

    /** The reply's length cap the client set; the API layer has checked it is a whole number in range. */
    private static OptionalLong maxOutputTokens(JsonObject body) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
            if (body.get(field) instanceof JsonNumber n && n.isIntegral() && n.longValue() >= 0) {
                return OptionalLong.of(n.longValue());
            }
        }
        if (body.get("generationConfig") instanceof JsonObject config
                && config.get("maxOutputTokens") instanceof JsonNumber n && n.isIntegral()
                && n.longValue() >= 0) {
            return OptionalLong.of(n.longValue());
        }
        return OptionalLong.empty();
    }

    private CompletionStage<Reply> attempt(ProxyCall call, Metering meter, Permit permit, List<Route> plan, int n) {
        Route route = plan.get(n);
        ProviderCredential credential = route.credential();
        meter.route(credential.provider(), credential.label(), route.upstreamModel());
        meter.attempt();
        Exchange exchange;
        try {
            exchange = exchange(call, route);
        } catch (GatewayException e) {
            if (n == 0) {
                throw e;
            }
            return CompletableFuture.failedFuture(e);
        }
        JsonObject json = exchange.json();
        byte[] body = exchange.body();
        if (payload.appliesTo(route.upstreamModel())) {
            json = payload.apply(route.upstreamModel(), json);
            body = json.toString().getBytes(StandardCharsets.UTF_8);
        }
        UpstreamRequest request = new UpstreamRequest(credential, exchange.path(), body, json, call.stream(),
                exchange.headers());
        boolean canRetry = n + 1 < plan.size();
        long sent = System.nanoTime();
        Attempt attempt = new Attempt(route, n + 1, call.debug());
        return upstreams.apply(credential).send(request).handle((response, error) -> {
            meter.upstreamTime(System.nanoTime() - sent);
            if (error != null) {
                GatewayException failure = unreachable(error);
                if (failure.failure() == Failure.UPSTREAM_TIMEOUT) {
                    promptOnly(call, meter); // the request went out: the provider may have read the prompt
                }
                cooldowns.failed(credential, Optional.empty(), failure.getMessage());
                if (canRetry) {
                    return next(call, meter, permit, plan, n);
                }
                return CompletableFuture.<Reply>failedFuture(failure);
            }
            if (response.retryable()) {
                cooldowns.failed(credential, response.retryAfter(), "upstream answered " + response.status());
                if (canRetry) {
                    response.discard();
                    return next(call, meter, permit, plan, n);
                }
            } else if (streams(call, response)) {
                return firstBytes(call, exchange, response, meter, permit, plan, n, attempt);
            } else {
                cooldowns.succeeded(credential);
            }
            return reply(call, exchange, response, meter, permit, attempt);
        }).thenCompose(Function.identity());
    }

    /**
     * The upstream had the request and no usage will come from it (a timeout, a stream that ended
     * before its first byte, an answer that never arrived whole): the prompt is counted with the
     * tokenizer and the record says {@code partial}, not {@code none}, which would claim that no
     * model call took place. A later attempt that is answered replaces it.
     */
    private static void promptOnly(ProxyCall call, Metering meter) {
        meter.usage(TokenUsage.of(call.promptTokens().getAsLong(), 0), UsageQuality.PARTIAL);
    }

    private static boolean streams(ProxyCall call, UpstreamResponse response) {
        return call.stream() && response.ok()
                && response.contentType().map(t -> t.startsWith("text/event-stream")).orElse(false);
    }

    /**
     * Waits for a stream's first bytes before answering the client, so a stream that ends or
     * fails before sending anything is retried like any failed attempt: the client saw nothing yet.
     */
    private CompletionStage<Reply> firstBytes(ProxyCall call, Exchange exchange, UpstreamResponse response, Metering meter,
                                              Permit permit, List<Route> plan, int n, Attempt attempt) {
        PrimedBody primed = new PrimedBody(response.body());
        long waitStart = System.nanoTime();
        return primed.ready().completeOnTimeout(false, timeouts.streamIdle().toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(started -> {
                    meter.upstreamTime(System.nanoTime() - waitStart);
                    ProviderCredential credential = attempt.route().credential();
                    if (started) {
                        cooldowns.succeeded(credential);
                        UpstreamResponse held = new UpstreamResponse(response.status(), response.contentType(),
                                response.requestId(), response.retryAfterHeader(), primed);
                        return reply(call, exchange, held, meter, permit, attempt);
                    }
                    primed.cancel();
                    promptOnly(call, meter);
                    cooldowns.failed(credential, Optional.empty(), "upstream stream ended before its first byte");
                    if (n + 1 < plan.size()) {
                        return next(call, meter, permit, plan, n);
                    }
                    return CompletableFuture.<Reply>failedFuture(new GatewayException(Failure.UPSTREAM_UNAVAILABLE,
                            "The upstream provider's stream ended before it sent anything."));
                });
    }

    /** What the debug headers tell: where the answer came from, after how many attempts. */
    private record Attempt(Route route, int number, boolean debug) {
    }

    /** The next attempt: at once on another credential, after a growing pause on the same one. */
    private CompletionStage<Reply> next(ProxyCall call, Metering meter, Permit permit, List<Route> plan, int n) {
        boolean sameCredential = plan.get(n + 1).credential().label().equals(plan.get(n).credential().label());
        if (!sameCredential) {
            return attempt(call, meter, permit, plan, n + 1);
        }
        return later(n, () -> attempt(call, meter, permit, plan, n + 1));
    }

    private CompletionStage<Reply> reply(ProxyCall call, Exchange exchange, UpstreamResponse response, Metering meter,
                                         Permit permit, Attempt attempt) {
        response.requestId().ifPresent(meter::upstreamRequestId);
        boolean eventStream = response.contentType().map(t -> t.startsWith("text/event-stream")).orElse(false);
        if (call.stream() && response.ok() && eventStream) {
            StreamRelay relay = new StreamRelay(response.body(), exchange.observer(), meter, watchdog,
                    timeouts.streamIdle(), timeouts.keepAlive(), input.maxUpstreamEventBytes());
            return CompletableFuture.completedFuture(new Reply.Stream(response.status(), headers(response, meter, permit, attempt),
                    relay));
        }
        long bodyStart = System.nanoTime();
        return whole(response).whenComplete((b, failed) -> {
            if (failed != null && response.ok()) {
                promptOnly(call, meter); // accepted, then the answer never came whole: no usage will
            }
        }).thenApply(b -> {
                    meter.upstreamTime(System.nanoTime() - bodyStart);
                    Exchange.Answer a = exchange.answer(response.status(), response.ok(), b);
                    if (a.upstreamId() != null) {
                        meter.upstreamRequestId(a.upstreamId());
                    }
                    if (a.error() != null) {
                        meter.error(a.error());
                    }
                    meter.usage(a.usage(), a.quality());
                    String type = a.body() == b ? response.contentType().orElse("application/json") : "application/json";
                    return new Reply.Buffered(a.status(), type, headers(response, meter, permit, attempt), a.body());
                });
    }

    /** The whole body of a response, within the request timeout and {@code max-upstream-body-size}. */
    private CompletableFuture<byte[]> whole(UpstreamResponse response) {
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        BoundedBody collector = new BoundedBody(input.maxUpstreamBodyBytes());
        collector.getBody().whenComplete((b, t) -> {
            if (t != null) {
                bytes.completeExceptionally(t);
            } else {
                bytes.complete(b);
            }
        });
        response.body().subscribe(collector);
        return bytes.orTimeout(timeouts.request().toMillis(), TimeUnit.MILLISECONDS).exceptionally(t -> {
            throw unreachable(t);
        });
    }

    /**
     * Counts a request's input tokens: an upstream of the call's own format that counts (Anthropic,
     * Gemini) is asked; any other is estimated with the tokenizer and answered by {@code estimate}
     * in the client's shape. Free and not a model call: not metered.
     */
    public CompletionStage<Reply> countTokens(ProxyCall call, LongFunction<String> estimate) {
        List<Route> routes = router.routes(call.model());
        if (routes.isEmpty()) {
            throw new GatewayException(Failure.MODEL_NOT_FOUND,
                    "The model '" + call.model() + "' does not exist or you do not have access to it.", "model");
        }
        Route first = routes.get(0);
        Dialect upstream = Dialect.of(first.credential().wire());
        Optional<String> counted = upstream.countTokensPath(call.operation(), first.upstreamModel());
        if (!upstream.passesThrough(Dialect.of(call.operation().format())) || counted.isEmpty()) { // estimated here
            return CompletableFuture.completedFuture(new Reply.Buffered(200, "application/json", Map.of(),
                    estimate.apply(call.promptTokens().getAsLong()).getBytes(StandardCharsets.UTF_8)));
        }
        String path = counted.get();
        UpstreamBody body = upstream.countTokensBody(call, first.upstreamModel());
        UpstreamRequest request = new UpstreamRequest(first.credential(), path, body.bytes(), body.json(), false,
                call.headers());
        return upstreams.apply(first.credential()).send(request)
                .exceptionally(t -> {
                    throw unreachable(t);
                })
                .thenCompose(response -> whole(response).thenApply(b -> (Reply) new Reply.Buffered(response.status(),
                        response.contentType().orElse("application/json"), Map.of(), b)));
    }

    /** Headers for the client; the overhead is measured now, as the answer leaves the gateway. */
    private static Map<String, String> headers(UpstreamResponse response, Metering meter, Permit permit,
                                               Attempt attempt) {
        Map<String, String> headers = new LinkedHashMap<>(permit.headers());
        if (attempt.debug()) {
            headers.put("x-debug-provider", attempt.route().credential().provider());
            headers.put("x-debug-credential", attempt.route().credential().label());
            headers.put("x-debug-model", attempt.route().upstreamModel());
            headers.put("x-debug-attempts", Integer.toString(attempt.number()));
        }
        headers.put("x-tollgate-request-id", meter.id());
        headers.put("x-tollgate-overhead-ms", millis(meter.overheadNanos(System.nanoTime())));
        response.requestId().ifPresent(id -> headers.put("x-request-id", id));
        return headers;
    }

    /** Nanoseconds as milliseconds with three decimals ("0.137"); String.format was a visible cost per call. */
    static String millis(long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        String frac = Long.toString(micros % 1000);
        return micros / 1000 + "." + "000".substring(frac.length()) + frac;
    }

    private static CompletionStage<Reply> later(int n, Supplier<CompletionStage<Reply>> next) {
        long delay = RETRY_BASE_DELAY_MS << Math.min(n, 6);
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> next.get());
    }

    private static GatewayException unreachable(Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (t instanceof GatewayException g) {
            return g;
        }
        if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException) {
            return new GatewayException(Failure.UPSTREAM_UNAVAILABLE, "The upstream provider could not be reached.");
        }
        if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
            return new GatewayException(Failure.UPSTREAM_TIMEOUT, "The upstream provider did not answer in time.");
        }
        if (t instanceof IOException) {
            return new GatewayException(Failure.UPSTREAM_UNAVAILABLE,
                    "The connection to the upstream provider failed.");
        }
        return new GatewayException(Failure.INTERNAL, "The gateway failed to complete the request.");
    }
}
