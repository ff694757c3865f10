package dev.tollgate.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the gateway reads from its YAML file, as immutable values.
 * Key names follow the seed system so its users can bring their file; see docs/configuration.md.
 */
public record TollgateConfig(
        Optional<Path> source,
        String instanceId,
        List<String> apiKeys,
        boolean usageStatisticsEnabled,
        Persistence persistence,
        int requestRetry,
        Timeouts timeouts,
        long maxBodyBytes,
        Ops ops,
        List<ModelPrice> modelPrices,
        Quota quota,
        Routing routing,
        List<PayloadRule> payloadRules,
        java.util.Map<String, String> modelMappings,
        List<ProviderCredential> credentials) {

    public TollgateConfig {
        apiKeys = List.copyOf(apiKeys);
        modelPrices = List.copyOf(modelPrices);
        credentials = List.copyOf(credentials);
        payloadRules = List.copyOf(payloadRules);
        modelMappings = java.util.Map.copyOf(modelMappings);
    }

    /** What the gateway runs with when no file is found: open proxy, SQLite in the data folder, no providers. */
    public static TollgateConfig defaults(Path defaultDatabase) {
        return new TollgateConfig(Optional.empty(), defaultInstanceId(), List.of(), true, Persistence.defaults(defaultDatabase), 1,
                Timeouts.defaults(), Limits.DEFAULT_MAX_BODY_BYTES, Ops.defaults(), List.of(), Quota.defaults(), Routing.defaults(), List.of(), java.util.Map.of(), List.of());
    }

    /** This machine's host name: what tells instances apart when the config does not name them. */
    public static String defaultInstanceId() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "tollgate";
        }
    }

    public record Persistence(boolean enabled, Path path, int bufferSize, Duration flushInterval,
                              int retentionDays, int maxQueuedRecords) {
        public static Persistence defaults(Path path) {
            return new Persistence(true, path, 100, Duration.ofSeconds(1), 90, 100_000);
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

    /** A price from {@code model-prices}, in USD per million tokens, exactly as written. */
    public record ModelPrice(String model, BigDecimal input, BigDecimal output, Optional<BigDecimal> cachedInput,
                             Optional<BigDecimal> cacheWrite5m, Optional<BigDecimal> cacheWrite1h) {
        /** A price without cache-write prices (cache writes then cost the input price). */
        public ModelPrice(String model, BigDecimal input, BigDecimal output, Optional<BigDecimal> cachedInput) {
            this(model, input, output, cachedInput, Optional.empty(), Optional.empty());
        }
    }

    /**
     * The gateway-wide limits ({@code limits.global}) and how many output tokens a request reserves
     * against token limits and budgets when it does not say ({@code max_tokens}).
     */
    public record Quota(LimitSet global, int reserveOutputTokens) {
        public static Quota defaults() {
            return new Quota(LimitSet.NONE, 256);
        }
    }

    /**
     * How a credential is chosen among those serving a model, and how long one that failed (429,
     * 5xx, network error) rests when the upstream did not say (Retry-After): {@code cooldown},
     * doubled per further failure in a row, up to {@code maxCooldown}.
     */
    public record Routing(Strategy strategy, java.time.Duration cooldown, java.time.Duration maxCooldown) {
        public enum Strategy { ROUND_ROBIN, FILL_FIRST }

        public static Routing defaults() {
            return new Routing(Strategy.ROUND_ROBIN, java.time.Duration.ofSeconds(10), java.time.Duration.ofMinutes(5));
        }
    }

    /**
     * Changes to the body sent upstream for models matching {@code models} (globs on the upstream
     * model id): {@code override} replaces fields, {@code defaults} fills absent ones, {@code remove} drops them.
     * Values are kept as written; they are read as JSON when they parse as JSON, else as text.
     */
    public record PayloadRule(List<String> models, java.util.Map<String, String> override,
                              java.util.Map<String, String> defaults, List<String> remove) {
        public PayloadRule {
            models = List.copyOf(models);
            override = java.util.Map.copyOf(override);
            defaults = java.util.Map.copyOf(defaults);
            remove = List.copyOf(remove);
        }
    }

    /** Named defaults that more than one place needs. */
    public static final class Limits {
        public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;

        private Limits() {
        }
    }
}
