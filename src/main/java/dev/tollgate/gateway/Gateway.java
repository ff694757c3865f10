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
import dev.tollgate.translate.ChatCodec;
import dev.tollgate.translate.ReasoningMemory;
import dev.tollgate.upstream.Upstream;
import dev.tollgate.upstream.UpstreamRequest;
import dev.tollgate.usage.Metering;
import dev.tollgate.usage.TokenEstimator;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The call pipeline, dialect-free, and the one place that knows its order: authenticate → plan
 * the routes → admit to the limits → run the call ({@link CallRun}: call upstream, retrying
 * elsewhere before any byte reached the client, read usage from the body or stream, reply).
 * Every fact goes into the request's {@link Metering} as it becomes known.
 */
public final class Gateway {
    private final ClientKeys keys;
    private final RateLimiter limiter;
    /**
     * What a reload replaces, swapped whole: a call reads it once when it starts and keeps it to its
     * end, so calls and streams already running finish on the routes and rules they began with.
     */
    private volatile Routing routing;

    /** The routes, the payload rules (in the pipeline) and the retry count of one config. */
    private record Routing(Router router, int retries, Pipeline pipeline) {
    }

    public Gateway(ClientKeys keys, RateLimiter limiter, Router router, Cooldowns cooldowns, PayloadRules payload,
                   Function<ProviderCredential, Upstream> upstreams, Timeouts timeouts, InputLimits input, int retries,
                   ScheduledExecutorService timer) {
        this.keys = keys;
        this.limiter = limiter;
        this.routing = new Routing(router, retries,
                new Pipeline(upstreams, cooldowns, payload, timeouts, input, new StreamWatchdog(timer),
                        new ReasoningMemory(Pipeline.REMEMBERED_CALLS, Pipeline.REMEMBERED_CHARS)));
    }

    /** Puts new routes, payload rules and retry count in force for the calls that start from now on. */
    public void reroute(Router router, PayloadRules payload, int retries) {
        Pipeline p = routing.pipeline();
        routing = new Routing(router, retries,
                new Pipeline(p.upstreams(), p.cooldowns(), payload, p.timeouts(), p.input(), p.watchdog(), p.reasoning()));
    }

    /** The routes in force now. */
    public Router router() {
        return routing.router();
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
        return routing.router().listings();
    }

    /** The chat format a call to {@code op} is written in; empty for the calls that are not chat (completions, embeddings). */
    public static Optional<ChatCodec> chatCodec(Operation op) {
        return op.chat() ? Optional.of(Dialect.of(op.format()).codec()) : Optional.empty();
    }

    /** Streams the gateway holds open right now. */
    public int openStreams() {
        return routing.pipeline().watchdog().open();
    }

    /**
     * Runs one admitted call. Refusals before the upstream throw {@link GatewayException} at once;
     * the returned stage completes with the reply, or exceptionally with a GatewayException.
     */
    public CompletionStage<Reply> call(ProxyCall call, Metering meter) {
        meter.request(call.model(), call.stream());
        Routing now = routing;
        List<Route> plan = plan(call, now);
        Permit permit = admitToLimits(call, plan.get(0), meter);
        return new CallRun(now.pipeline(), call, meter, permit, plan).start();
    }

    /**
     * Every attempt this call may make, in order: for the model and then each fallback model, its
     * routes (best first, credentials cooling down last), {@code request-retry} + 1 attempts each.
     */
    private static List<Route> plan(ProxyCall call, Routing routing) {
        List<String> models = new ArrayList<>();
        models.add(call.model());
        call.fallbacks().stream().filter(m -> !models.contains(m)).forEach(models::add);
        List<Route> plan = new ArrayList<>();
        Route unusable = null;
        for (String model : models) {
            List<Route> all = routing.router().routes(model);
            List<Route> usable = all.stream().filter(r -> speaks(r, call.operation())).toList();
            if (usable.isEmpty() && !all.isEmpty() && unusable == null) {
                unusable = all.get(0);
            }
            for (int i = 0; i <= routing.retries() && !usable.isEmpty(); i++) {
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

    /** Chat calls reach any chat format (translated when the credential does not speak theirs); the others only their own. */
    private static boolean speaks(Route r, Operation op) {
        return op.chat() || r.credential().speaking(op.format()).isPresent();
    }

    /** Counts the call against its limits, reserving its estimated tokens and cost, or refuses it (429). */
    private Permit admitToLimits(ProxyCall call, Route first, Metering meter) {
        RateLimiter.Request demand = new RateLimiter.Request(first.upstreamModel(), call.promptTokens(),
                () -> TokenEstimator.promptBound(call.body()), maxOutputTokens(call.body()));
        try {
            Permit permit = limiter.admit(call.caller(), demand);
            meter.admitted(permit::settle);
            return permit;
        } catch (LimitExceeded e) {
            if (e.unpriced()) {
                throw new GatewayException(Failure.FORBIDDEN, e.getMessage(), "model");
            }
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

    /**
     * A request about a response the provider stored ({@code GET}/{@code DELETE /responses/{id}},
     * {@code POST …/cancel}, {@code GET …/input_items}): it names no model, so each credential that
     * serves the Responses API natively is asked in turn until one knows the id (answers other than
     * 404), and that answer is the reply. Not a model call: not metered.
     *
     * @param path below the API root, e.g. {@code /responses/resp_1/input_items?limit=5}
     */
    public CompletionStage<Reply> storedResponse(String method, String path) {
        Routing now = routing;
        List<ProviderCredential> serving = now.router().credentials().stream()
                .filter(c -> c.speaking(ProviderCredential.Wire.OPENAI_RESPONSES).isPresent()).toList();
        if (serving.isEmpty()) {
            throw new GatewayException(Failure.MODEL_NOT_FOUND, "No provider here stores responses: the Responses API "
                    + "state is kept by OpenAI, and no credential serves it natively.", null);
        }
        return ask(now.pipeline(), serving, 0, method, path);
    }

    private static CompletionStage<Reply> ask(Pipeline pipeline, List<ProviderCredential> serving, int i, String method,
                                              String path) {
        UpstreamRequest request = new UpstreamRequest(serving.get(i), path, new byte[0], JsonValue.EMPTY_JSON_OBJECT,
                false, Map.of(), method);
        return pipeline.upstreams().apply(serving.get(i)).send(request)
                .exceptionally(t -> {
                    throw GatewayException.of(t);
                })
                .thenCompose(response -> {
                    if (response.status() == 404 && i + 1 < serving.size()) {
                        response.discard();
                        return ask(pipeline, serving, i + 1, method, path);
                    }
                    return pipeline.whole(response).thenApply(b -> (Reply) new Reply.Buffered(response.status(),
                            response.contentType().orElse("application/json"), Map.of(), b));
                });
    }

    /**
     * Counts a request's input tokens: an upstream of the call's own format that counts (Anthropic,
     * Gemini) is asked; any other is estimated with the tokenizer and answered by {@code estimate}
     * in the client's shape. Free and not a model call: not metered.
     */
    public CompletionStage<Reply> countTokens(ProxyCall call, LongFunction<String> estimate) {
        Routing now = routing;
        List<Route> routes = now.router().routes(call.model());
        if (routes.isEmpty()) {
            throw new GatewayException(Failure.MODEL_NOT_FOUND,
                    "The model '" + call.model() + "' does not exist or you do not have access to it.", "model");
        }
        Route first = routes.get(0);
        Optional<Dialect> upstream = first.credential().speaking(call.operation().format()).map(Dialect::of);
        Optional<String> counted = upstream.flatMap(d -> d.countTokensPath(call.operation(), first.upstreamModel()));
        if (counted.isEmpty()) { // estimated here
            return CompletableFuture.completedFuture(new Reply.Buffered(200, "application/json", Map.of(),
                    estimate.apply(call.promptTokens().getAsLong()).getBytes(StandardCharsets.UTF_8)));
        }
        String path = counted.get();
        UpstreamBody body = upstream.get().countTokensBody(call, first.upstreamModel());
        UpstreamRequest request = new UpstreamRequest(first.credential(), path, body.bytes(), body.json(), false,
                call.headers());
        Pipeline pipeline = now.pipeline();
        return pipeline.upstreams().apply(first.credential()).send(request)
                .exceptionally(t -> {
                    throw GatewayException.of(t);
                })
                .thenCompose(response -> pipeline.whole(response).thenApply(b -> (Reply) new Reply.Buffered(response.status(),
                        response.contentType().orElse("application/json"), Map.of(), b)));
    }
}
