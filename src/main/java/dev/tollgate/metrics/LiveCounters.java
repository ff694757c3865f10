package dev.tollgate.metrics;

import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import java.util.List;

/**
 * Counters and histograms since this instance started, fed with every finished record (the same
 * record the database gets, so the two agree exactly), for Prometheus to scrape without touching the
 * database. Two sets of names: the OpenTelemetry GenAI conventions' in Prometheus form
 * ({@code gen_ai_client_token_usage}, …), which other GenAI services share, and the gateway's own
 * ({@code tollgate_*}). Labels stay bounded: model names and keys are folded ({@link LabelFold}), every
 * other label comes from a fixed list or from the config.
 */
public final class LiveCounters {
    /** The defaults of {@code metrics.max-models} and {@code metrics.max-keys}. */
    public static final int MAX_MODELS = 500;
    public static final int MAX_KEYS = 200;
    /** The key label of calls refused before they were admitted: a flood of wrong keys stays one series. */
    static final String REFUSED_KEY = "_refused";
    private static final long[] OVERHEAD_BUCKETS_MICROS = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000,
        100_000, 1_000_000};
    private static final int MICROS = 6;
    private static final int PICO = 12;
    private static final String[] BY_MODEL = {"model", "provider", "status"};

    private final LabelFold models;
    private final LabelFold keys;

    private final Family.Counter requests = new Family.Counter("tollgate_requests_total",
            "Model calls finished, by model, provider and status class.", 0, BY_MODEL);
    private final Family.Counter promptTokens = new Family.Counter("tollgate_prompt_tokens_total",
            "Prompt tokens, cached included.", 0, BY_MODEL);
    private final Family.Counter completionTokens = new Family.Counter("tollgate_completion_tokens_total",
            "Completion tokens, reasoning included.", 0, BY_MODEL);
    private final Family.Counter cachedTokens = new Family.Counter("tollgate_cached_tokens_total",
            "Prompt tokens served from the provider's cache.", 0, BY_MODEL);
    private final Family.Counter reasoningTokens = new Family.Counter("tollgate_reasoning_tokens_total",
            "Reasoning tokens.", 0, BY_MODEL);
    private final Family.Counter latency = new Family.Counter("tollgate_latency_milliseconds_total",
            "Summed request latency; divide by requests for the mean.", 0, BY_MODEL);
    private final Family.Counter cost = new Family.Counter("tollgate_cost_usd_total",
            "Cost of priced requests in USD.", PICO, BY_MODEL);
    private final Family.Counter unpriced = new Family.Counter("tollgate_unpriced_requests_total",
            "Calls that reached a model without a price: their cost is not in tollgate_cost_usd_total.", 0, BY_MODEL);
    private final Family.Counter errors = new Family.Counter("tollgate_errors_total",
            "Failed calls by error type (the OpenTelemetry error.type values the gateway uses).", 0,
            "model", "provider", "type");
    private final Family.Counter keyRequests = new Family.Counter("tollgate_key_requests_total",
            "Model calls by client key (masked) and status class.", 0, "key", "status");
    private final Family.Counter keyTokens = new Family.Counter("tollgate_key_tokens_total",
            "Tokens by client key (masked) and type: input, output.", 0, "key", "type");
    private final Family.Counter keyCost = new Family.Counter("tollgate_key_cost_usd_total",
            "Cost of priced requests in USD, by client key (masked).", PICO, "key");
    private final Family.Histograms overhead = new Family.Histograms("tollgate_overhead_seconds",
            "What the gateway added before the answer left it: its time outside the upstream call.",
            OVERHEAD_BUCKETS_MICROS, MICROS, "stream");
    private final Family.Histograms tokenUsage = new Family.Histograms("gen_ai_client_token_usage",
            "Number of input and output tokens used (GenAI semantic conventions).", GenAi.TOKEN_BUCKETS, 0,
            "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_token_type");
    private final Family.Histograms duration = new Family.Histograms("gen_ai_client_operation_duration_seconds",
            "GenAI operation duration (GenAI semantic conventions).", GenAi.DURATION_BUCKETS_MICROS, MICROS,
            "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type");
    private final Family.Histograms firstToken = new Family.Histograms("gen_ai_server_time_to_first_token_seconds",
            "Time to the first token of a streamed answer, as the caller got it (GenAI semantic conventions).",
            GenAi.FIRST_TOKEN_BUCKETS_MICROS, MICROS, "gen_ai_operation_name", "gen_ai_provider_name",
            "gen_ai_request_model");
    private final List<Family<?>> families = List.of(requests, promptTokens, completionTokens, cachedTokens,
            reasoningTokens, latency, cost, unpriced, errors, keyRequests, keyTokens, keyCost, overhead, tokenUsage,
            duration, firstToken);

    public LiveCounters() {
        this(MAX_MODELS, MAX_KEYS);
    }

    /** @param maxModels model names with series of their own; @param maxKeys the same for client keys */
    public LiveCounters(int maxModels, int maxKeys) {
        this.models = new LabelFold(maxModels);
        this.keys = new LabelFold(maxKeys);
    }

    public void add(UsageRecord r) {
        String model = models.of(r.model() == null ? "" : r.model());
        String provider = r.provider() == null ? "unrouted" : r.provider();
        String status = (r.status() / 100) + "xx";
        requests.add(1, model, provider, status);
        promptTokens.add(r.tokens().prompt(), model, provider, status);
        completionTokens.add(r.tokens().completion(), model, provider, status);
        cachedTokens.add(r.tokens().cached(), model, provider, status);
        reasoningTokens.add(r.tokens().reasoning(), model, provider, status);
        latency.add(r.latencyMs(), model, provider, status);
        cost.add(r.charge() == null ? 0 : r.charge().costPicoUsd(), model, provider, status);
        unpriced.add(r.charge() == null && r.provider() != null ? 1 : 0, model, provider, status);
        String errorType = GenAi.errorType(r.status());
        if (errorType != null) {
            errors.add(1, model, provider, errorType);
        }
        byKey(r, status);
        if (r.overheadMicros() >= 0) {
            overhead.observe(r.overheadMicros(), Boolean.toString(r.stream()));
        }
        conventions(r, errorType);
    }

    private void byKey(UsageRecord r, String status) {
        String key = r.admitted() ? keys.of(keyLabel(r)) : REFUSED_KEY;
        keyRequests.add(1, key, status);
        keyTokens.add(r.tokens().prompt(), key, "input");
        keyTokens.add(r.tokens().completion(), key, "output");
        keyCost.add(r.charge() == null ? 0 : r.charge().costPicoUsd(), key);
    }

    /** The masked key, with the start of its hash so that two keys ending alike stay apart. */
    private static String keyLabel(UsageRecord r) {
        String hash = r.apiKey().hash();
        return hash == null ? r.apiKey().masked() : r.apiKey().masked() + " (" + hash.substring(0, KeyId.HASH_SHOWN) + ")";
    }

    /** The GenAI conventions' instruments: tokens only when the call had usage, first token only for streams. */
    private void conventions(UsageRecord r, String errorType) {
        String operation = GenAi.operation(r.endpoint());
        String provider = GenAi.provider(r.provider());
        String requested = models.of(r.requestedModel() == null ? "" : r.requestedModel());
        if (r.quality() != UsageQuality.NONE) {
            tokenUsage.observe(r.tokens().prompt(), operation, provider, requested, "input");
            tokenUsage.observe(r.tokens().completion(), operation, provider, requested, "output");
        }
        duration.observe(r.latencyMs() * 1000, operation, provider, requested, errorType == null ? "" : errorType);
        if (r.stream() && r.ttfbMs() != null && errorType == null) {
            firstToken.observe(r.ttfbMs() * 1000, operation, provider, requested);
        }
    }

    /** Every family, in the order the scrape shows them. */
    List<Family<?>> families() {
        return families;
    }
}
