package dev.tollgate.config;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the gateway reads from its YAML file, as immutable values.
 * Key names follow the seed system so its users can bring their file; see docs/configuration.md.
 */
public record TollgateConfig(
        Optional<Path> source,
        String instanceId,
        List<String> apiKeys,
        Map<String, LimitSet> apiKeyLimits,
        boolean usageStatisticsEnabled,
        boolean dashboardEnabled,
        Persistence persistence,
        int requestRetry,
        Timeouts timeouts,
        InputLimits input,
        Ops ops,
        Logs logs,
        Logging logging,
        Metrics metrics,
        Otel otel,
        List<ModelPrice> modelPrices,
        Quota quota,
        Routing routing,
        List<PayloadRule> payloadRules,
        Map<String, String> modelMappings,
        List<ProviderCredential> credentials) {

    public TollgateConfig {
        apiKeys = List.copyOf(apiKeys);
        apiKeyLimits = Map.copyOf(apiKeyLimits);
        modelPrices = List.copyOf(modelPrices);
        credentials = List.copyOf(credentials);
        payloadRules = List.copyOf(payloadRules);
        modelMappings = Map.copyOf(modelMappings);
    }

    /** What the gateway runs with when no file is found: open proxy, SQLite in the data folder, no providers. */
    public static TollgateConfig defaults(Path defaultDatabase) {
        return new TollgateConfig(Optional.empty(), defaultInstanceId(), List.of(), Map.of(), true, true,
                Persistence.defaults(defaultDatabase), 1,
                Timeouts.defaults(), InputLimits.defaults(), Ops.defaults(), Logs.defaults(), Logging.defaults(), Metrics.defaults(), Otel.defaults(), List.of(), Quota.defaults(), Routing.defaults(), List.of(), Map.of(), List.of());
    }

    /**
     * The keys that differ between this config and {@code next} but take effect only when the gateway
     * next starts: they shape what is built once (the database, the recorder, the log store, the
     * HTTP clients' connect timeout, the body reader, the operator filters). Credentials, routing,
     * mappings, payload rules, retries, client keys, prices and global limits apply at once.
     */
    public List<String> restartOnlyChanges(TollgateConfig next) {
        List<String> changed = new ArrayList<>();
        if (!instanceId.equals(next.instanceId)) {
            changed.add("instance-id");
        }
        if (usageStatisticsEnabled != next.usageStatisticsEnabled) {
            changed.add("usage-statistics-enabled");
        }
        if (dashboardEnabled != next.dashboardEnabled) {
            changed.add("quantumspring.enabled");
        }
        if (!persistence.equals(next.persistence)) {
            changed.add("persistence");
        }
        if (!timeouts.equals(next.timeouts)) {
            changed.add("timeouts");
        }
        if (!input.equals(next.input)) {
            changed.add("input-limits");
        }
        if (!ops.allowedNetworks().stream().map(Cidr::text).toList()
                .equals(next.ops.allowedNetworks().stream().map(Cidr::text).toList())) {
            changed.add("ops");
        }
        if (!logs.equals(next.logs)) {
            changed.add("logs");
        }
        if (!logging.equals(next.logging)) {
            changed.add("logging");
        }
        if (!metrics.equals(next.metrics)) {
            changed.add("metrics");
        }
        if (!otel.equals(next.otel)) {
            changed.add("otel");
        }
        return changed;
    }

    /** This machine's host name: what tells instances apart when the config does not name them. */
    public static String defaultInstanceId() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "tollgate";
        }
    }

    /**
     * Where and how records are kept.
     *
     * @param durability  {@code JOURNALED}: each record is written to a local journal before its answer
     *                    ends, so a crash loses none; {@code BUFFERED}: records wait in memory for their
     *                    batch, and a crash loses up to {@code flushInterval} of them
     * @param journal     the journal's folder (default: {@code journal} beside the SQLite file)
     * @param journalSync how often the journal is made durable on disk (group commit)
     */
    public record Persistence(boolean enabled, Path path, int bufferSize, Duration flushInterval,
                              int retentionDays, int maxQueuedRecords, Durability durability, Path journal,
                              Duration journalSync) {
        public enum Durability { JOURNALED, BUFFERED }

        public static Persistence defaults(Path path) {
            return new Persistence(true, path, 100, Duration.ofSeconds(1), 90, 100_000, Durability.JOURNALED,
                    defaultJournal(path), Duration.ofMillis(5));
        }

        /** The journal's folder when the file does not name one: beside the SQLite file. */
        public static Path defaultJournal(Path database) {
            Path dir = database.toAbsolutePath().getParent();
            return (dir == null ? Path.of(".") : dir).resolve("journal");
        }
    }

    public record Timeouts(Duration connect, Duration request, Duration streamIdle, Duration keepAlive) {
        public static Timeouts defaults() {
            return new Timeouts(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofMinutes(2),
                    Duration.ofSeconds(15));
        }
    }

    /**
     * Operator endpoints ({@code /_qs/metrics*}, {@code /admin/*}) answer only to these networks;
     * loopback by default, so a fresh deployment never shows usage data to the network by accident.
     */
    public record Ops(List<Cidr> allowedNetworks) {
        public Ops {
            allowedNetworks = List.copyOf(allowedNetworks);
        }

        public static Ops defaults() {
            return new Ops(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
        }
    }

    /**
     * The request log store ({@code logs:}): off unless enabled, because prompts are sensitive.
     *
     * @param maxBodyBytes  a request or an answer larger than this is stored cut, flagged {@code truncated}
     * @param retentionDays whole days kept; 0 keeps everything
     * @param queueBytes    bodies waiting to be written take at most this much memory; beyond it they are dropped (counted)
     * @param redact        applied, in order, to every text before it is stored
     * @param conversationIdle a call continues a conversation only if that conversation was active this recently
     */
    public record Logs(boolean enabled, long maxBodyBytes, int retentionDays, long queueBytes, List<Redaction> redact,
                       Duration conversationIdle) {
        public static final Duration DEFAULT_CONVERSATION_IDLE = Duration.ofMinutes(30);

        public Logs {
            redact = List.copyOf(redact);
        }

        public Logs(boolean enabled, long maxBodyBytes, int retentionDays, long queueBytes, List<Redaction> redact) {
            this(enabled, maxBodyBytes, retentionDays, queueBytes, redact, DEFAULT_CONVERSATION_IDLE);
        }

        public static Logs defaults() {
            return new Logs(false, 1024 * 1024, 30, 64L * 1024 * 1024, List.of());
        }
    }

    /**
     * The gateway's own log lines ({@code logging:}): {@code plain} text through the container's
     * logging (the default), or {@code json}, one object per line on standard output; and whether
     * each finished call gets a line of its own ({@code calls}).
     */
    public record Logging(Format format, boolean calls) {
        public enum Format { PLAIN, JSON }

        public static Logging defaults() {
            return new Logging(Format.PLAIN, false);
        }
    }

    /**
     * The live metrics' label bounds ({@code metrics:}): how many model names and client keys get
     * series of their own in Prometheus and OpenTelemetry before later ones fold into {@code _other}.
     */
    public record Metrics(int maxModels, int maxKeys) {
        public static Metrics defaults() {
            return new Metrics(500, 200);
        }
    }

    /**
     * OpenTelemetry ({@code otel:}): traces and metrics sent over OTLP/HTTP (protobuf) to a collector;
     * off by default. The standard {@code OTEL_*} environment variables and system properties refine
     * these values (they win), as every OpenTelemetry SDK lets them.
     *
     * @param endpoint           the collector's base URL ({@code /v1/traces} and {@code /v1/metrics} are added);
     *                           empty: {@code OTEL_EXPORTER_OTLP_ENDPOINT}, else the SDK's default
     * @param headers            sent with every export (a collector's token: may be {@code ENC(...)})
     * @param sampling           the share of new traces kept, 0 to 1; a caller's sampled traceparent is followed
     * @param captureContent     whether spans carry the request's messages ({@code gen_ai.input.messages})
     * @param metricInterval     how often metrics are exported
     */
    public record Otel(boolean enabled, Optional<URI> endpoint, Map<String, String> headers, double sampling,
                       String serviceName, Map<String, String> resourceAttributes, boolean captureContent,
                       Duration metricInterval) {
        public Otel {
            headers = Map.copyOf(headers);
            resourceAttributes = Map.copyOf(resourceAttributes);
        }

        public static Otel defaults() {
            return new Otel(false, Optional.empty(), Map.of(), 1.0, "tollgate", Map.of(), false, Duration.ofSeconds(60));
        }
    }

    /** A redaction rule: every match of {@code pattern} in stored text becomes {@code replacement}. */
    public record Redaction(Pattern pattern, String replacement) {
        /** Rules are equal when written the same (a compiled Pattern has no equality of its own). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Redaction r && r.pattern.pattern().equals(pattern.pattern()) && r.pattern.flags() == pattern.flags()
                    && r.replacement.equals(replacement);
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode() * 31 + replacement.hashCode();
        }
    }

    /** A price from {@code model-prices}, in USD per million tokens, exactly as written. */
    public record ModelPrice(String model, BigDecimal input, BigDecimal output, Optional<BigDecimal> cachedInput,
                             Optional<BigDecimal> cacheWrite5m, Optional<BigDecimal> cacheWrite1h) {
        /** A price without cache-write prices (cache writes then cost the input price). */
        public ModelPrice(String model, BigDecimal input, BigDecimal output, Optional<BigDecimal> cachedInput) {
            this(model, input, output, cachedInput, Optional.empty(), Optional.empty());
        }
    }

    /**
     * The gateway-wide limits ({@code limits.global}), the limits every client key has unless it has
     * its own of that kind ({@code limits.per-key}, or the seed's {@code rate-limit.per-key-rpm}), how
     * many output tokens a request reserves against token limits and budgets when it does not say
     * ({@code max_tokens}), and whether a key with a budget may call a model without a price.
     *
     * @param refuseUnpriced true: a call to a model with no price is refused (403) for a key, user or
     *                       gateway with a budget, since its cost could not be counted; false (the
     *                       default): it is let through and costs nothing against the budget
     */
    public record Quota(LimitSet global, LimitSet perKey, int reserveOutputTokens, boolean refuseUnpriced) {
        public static Quota defaults() {
            return new Quota(LimitSet.NONE, LimitSet.NONE, 256, false);
        }
    }

    /**
     * How a credential is chosen among those serving a model, and how long one that failed (429,
     * 5xx, network error) rests when the upstream did not say (Retry-After): {@code cooldown},
     * doubled per further failure in a row, up to {@code maxCooldown}.
     */
    public record Routing(Strategy strategy, Duration cooldown, Duration maxCooldown) {
        public enum Strategy { ROUND_ROBIN, FILL_FIRST }

        public static Routing defaults() {
            return new Routing(Strategy.ROUND_ROBIN, Duration.ofSeconds(10), Duration.ofMinutes(5));
        }
    }

    /**
     * Changes to the body sent upstream for models matching {@code models} (globs on the upstream
     * model id): {@code override} replaces fields, {@code defaults} fills absent ones, {@code remove} drops them.
     * Values are kept as written; they are read as JSON when they parse as JSON, else as text.
     */
    public record PayloadRule(List<String> models, Map<String, String> override,
                              Map<String, String> defaults, List<String> remove) {
        public PayloadRule {
            models = List.copyOf(models);
            override = Map.copyOf(override);
            defaults = Map.copyOf(defaults);
            remove = List.copyOf(remove);
        }
    }

    /**
     * Bounds on what callers and upstreams send, each checked where the bytes enter and before work
     * is done on them ({@code input-limits}, README "Limits on input").
     *
     * @param maxBodyBytes          a request body's size (also the top-level {@code max-body-size})
     * @param maxJsonDepth          nesting of arrays and objects in any JSON a caller or upstream sends
     * @param maxJsonValues         values (members and elements) in one JSON document
     * @param maxMessages           messages (chat), contents (Gemini) or input items (Responses) in one request
     * @param maxTools              tool or function declarations in one request
     * @param maxModelName          characters of a model name; names are printable ASCII without spaces
     * @param bodyTimeout           the longest a caller may take to send its whole body
     * @param bodyMinBytesPerSecond the slowest a body may arrive, on average, once {@link #BODY_RATE_GRACE} has passed
     * @param maxUpstreamBodyBytes  an upstream's whole (non-streamed) answer
     * @param maxUpstreamEventBytes one server-sent event of an upstream stream
     */
    public record InputLimits(long maxBodyBytes, int maxJsonDepth, int maxJsonValues, int maxMessages, int maxTools,
                              int maxModelName, Duration bodyTimeout, long bodyMinBytesPerSecond,
                              long maxUpstreamBodyBytes, int maxUpstreamEventBytes) {
        public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;
        /** A body's first seconds are exempt from the minimum rate: connections and clients start slowly. */
        public static final Duration BODY_RATE_GRACE = Duration.ofSeconds(5);
        /** Byte arrays are indexed by int: the largest body or answer a bound may allow. */
        public static final long MAX_BUFFER_BYTES = 1L << 30;

        public static InputLimits defaults() {
            return new InputLimits(DEFAULT_MAX_BODY_BYTES, 64, 500_000, 10_000, 512, 256, Duration.ofSeconds(60),
                    1024, 64L * 1024 * 1024, 8 * 1024 * 1024);
        }
    }
}
