package dev.tollgate.config;

import dev.tollgate.config.ProviderCredential.AnthropicSettings;
import dev.tollgate.config.ProviderCredential.AzureSettings;
import dev.tollgate.config.ProviderCredential.MockSettings;
import dev.tollgate.config.ProviderCredential.ModelEntry;
import dev.tollgate.config.ProviderCredential.Wire;
import dev.tollgate.config.ProviderCredential.WireSettings;
import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.config.TollgateConfig.ModelPrice;
import dev.tollgate.config.TollgateConfig.Ops;
import dev.tollgate.config.TollgateConfig.Persistence;
import dev.tollgate.config.TollgateConfig.Timeouts;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads the YAML text into a {@link TollgateConfig}. All or nothing: any bad value stops the
 * parse with a message naming the key and line, so the gateway never starts half-configured.
 */
public final class ConfigParser {

    private final UnaryOperator<String> secrets;
    private final Consumer<String> warnings;
    /** The top-level {@code proxy-url}: what a credential without its own uses. */
    private Optional<URI> defaultProxy = Optional.empty();

    public ConfigParser(UnaryOperator<String> secrets, Consumer<String> warnings) {
        this.secrets = secrets;
        this.warnings = warnings;
    }

    /**
     * @param yaml            the file's text
     * @param source          where it came from (relative paths in it resolve against its folder)
     * @param defaultDatabase the SQLite file used when {@code persistence.path} is not set
     */
    public TollgateConfig parse(String yaml, Optional<Path> source, Path defaultDatabase) {
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(source.map(Path::toString).orElse("tollgate.yaml"))
                    .build()).composeString(yaml);
        } catch (YamlEngineException e) {
            throw new ConfigException("tollgate config: not valid YAML: " + e.getMessage(), e);
        }
        if (root.isEmpty()) {
            return TollgateConfig.defaults(defaultDatabase);
        }
        YamlSection top = new YamlSection("", root.get(), secrets);
        Path baseDir = source.map(Path::toAbsolutePath).map(Path::getParent).orElse(Path.of("."));
        defaultProxy = proxy(top).orElse(Optional.empty());
        seedKeys(top);

        List<ProviderCredential> credentials = new ArrayList<>();
        credentials.addAll(openAiKeys(top, "openai-api-key", "openai", OpenAiApis.OPENAI));
        credentials.addAll(openAiKeys(top, "codex-api-key", "codex", OpenAiApis.CODEX));
        credentials.addAll(claudeKeys(top));
        credentials.addAll(geminiKeys(top, "gemini-api-key"));
        credentials.addAll(geminiKeys(top, "generative-language-api-key"));
        credentials.addAll(compatibility(top));
        credentials.addAll(azure(top));
        credentials.addAll(mocks(top));

        List<String> apiKeys = new ArrayList<>();
        Map<String, LimitSet> apiKeyLimits = new LinkedHashMap<>();
        for (YamlSection k : top.sections("api-keys", "key")) {
            String key = k.requiredString("key");
            apiKeys.add(key);
            k.section("limits").map(ConfigParser::limitSet).filter(l -> !l.isEmpty())
                    .ifPresent(l -> apiKeyLimits.put(key, l));
            warnUnknown(k);
        }

        TollgateConfig config = new TollgateConfig(
                source,
                top.string("instance-id").filter(s -> !s.isBlank()).orElseGet(TollgateConfig::defaultInstanceId),
                apiKeys,
                apiKeyLimits,
                top.bool("usage-statistics-enabled", true),
                dashboard(top),
                persistence(top, baseDir, defaultDatabase),
                top.integer("request-retry", 1, 0, 10),
                timeouts(top),
                inputLimits(top),
                ops(top),
                logs(top),
                logging(top),
                metrics(top),
                otel(top),
                modelPrices(top),
                quota(top),
                routing(top),
                payloadRules(top),
                top.stringMap("model-mappings"),
                credentials);
        refuseUnknownProviders(top);
        warnUnknown(top);
        return config;
    }

    /**
     * A provider section the gateway does not know ({@code claude-api-keys}, a typo, or a provider it
     * cannot call) is refused, not ignored: ignoring it would start, or reload into, a gateway without
     * the credentials the operator meant to give it.
     */
    private static void refuseUnknownProviders(YamlSection top) {
        for (String key : top.unreadNames()) {
            if (key.endsWith("-api-key") || key.endsWith("-api-keys")) {
                throw top.error(key, "is not a provider section this gateway knows; the known ones are openai-api-key, "
                        + "codex-api-key, claude-api-key, gemini-api-key, generative-language-api-key, openai-compatibility, "
                        + "azure-openai and mock");
            }
        }
    }

    /** The seed systems' keys a WAR cannot honour: each named once, with what to use instead. */
    private void seedKeys(YamlSection top) {
        for (String key : SeedKeys.topLevel()) {
            if (top.take(key)) {
                warnings.accept("tollgate config: '" + key + "' (line " + top.line(key) + ") is not used by the WAR: "
                        + SeedKeys.instead(key).orElseThrow());
            }
        }
    }

    /**
     * The QuantumSpring fork's {@code quantumspring:} block: {@code enabled: false} turns the dashboard
     * off (404); its address and login are the container's.
     */
    private boolean dashboard(YamlSection top) {
        Optional<YamlSection> q = top.section("quantumspring");
        if (q.isEmpty()) {
            return true;
        }
        YamlSection s = q.get();
        boolean enabled = s.bool("enabled", true);
        if (s.take("bind-address")) {
            warnings.accept("tollgate config: 'quantumspring.bind-address' (line " + s.line("bind-address") + ") is not used "
                    + "by the WAR: the operator paths answer only to ops.allowed-networks (loopback by default)");
        }
        if (s.take("basic-auth")) {
            warnings.accept("tollgate config: 'quantumspring.basic-auth' (line " + s.line("basic-auth") + ") is not used by "
                    + "the WAR: the dashboard is behind the container's login (roles tollgate-viewer, tollgate-admin)");
        }
        warnUnknown(s);
        return enabled;
    }

    /**
     * {@code proxy-url} where {@code s} has one: an HTTP proxy, or {@code ""} for a direct connection
     * (a credential's own empty value overrides the top-level proxy). Empty when the key is absent.
     */
    private static Optional<Optional<URI>> proxy(YamlSection s) {
        if (!s.has("proxy-url")) {
            return Optional.empty();
        }
        String text = s.string("proxy-url", "").trim();
        if (text.isEmpty()) {
            return Optional.of(Optional.empty());
        }
        try {
            URI uri = new URI(text);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() == 0) {
                throw s.error("proxy-url must be an HTTP proxy such as http://proxy.example.com:3128 (the JDK's HTTP client "
                        + "speaks to HTTP proxies only, and tunnels https through them), got '" + text + "'");
            }
            return Optional.of(Optional.of(uri));
        } catch (URISyntaxException e) {
            throw s.error("proxy-url is not a valid URL: '" + text + "'");
        }
    }

    /** Keys nobody read are reported, not refused, so files from the seed system still load. */
    private void warnUnknown(YamlSection section) {
        section.unreadKeys().forEach(k -> warnings.accept("tollgate config: unknown key '" + k + "' ignored"));
    }

    private TollgateConfig.Logs logs(YamlSection top) {
        TollgateConfig.Logs d = TollgateConfig.Logs.defaults();
        Optional<YamlSection> section = top.section("logs");
        if (section.isEmpty()) {
            return d;
        }
        YamlSection s = section.get();
        List<TollgateConfig.Redaction> redact = new ArrayList<>();
        for (YamlSection r : s.sections("redact")) {
            String pattern = r.requiredString("pattern");
            try {
                redact.add(new TollgateConfig.Redaction(Pattern.compile(pattern), r.string("replacement", "[redacted]")));
            } catch (PatternSyntaxException e) {
                throw r.error("pattern is not a valid regular expression: " + e.getDescription());
            }
        }
        TollgateConfig.Logs logs = new TollgateConfig.Logs(s.bool("enabled", d.enabled()),
                bytes(s, "max-body-bytes", d.maxBodyBytes(), 64L * 1024 * 1024),
                s.integer("retention-days", d.retentionDays(), 0, 36_500),
                bytes(s, "queue-bytes", d.queueBytes(), 1L << 30), redact,
                positive(s, "conversation-idle", d.conversationIdle()));
        warnUnknown(s);
        return logs;
    }

    private TollgateConfig.Logging logging(YamlSection top) {
        TollgateConfig.Logging d = TollgateConfig.Logging.defaults();
        Optional<YamlSection> section = top.section("logging");
        if (section.isEmpty()) {
            return d;
        }
        YamlSection s = section.get();
        String format = s.string("format", "plain").trim().toLowerCase(Locale.ROOT);
        TollgateConfig.Logging result = new TollgateConfig.Logging(switch (format) {
            case "plain" -> TollgateConfig.Logging.Format.PLAIN;
            case "json" -> TollgateConfig.Logging.Format.JSON;
            default -> throw s.error("format", "must be plain or json, got '" + format + "'");
        }, s.bool("calls", d.calls()));
        warnUnknown(s);
        return result;
    }

    private TollgateConfig.Metrics metrics(YamlSection top) {
        TollgateConfig.Metrics d = TollgateConfig.Metrics.defaults();
        Optional<YamlSection> section = top.section("metrics");
        if (section.isEmpty()) {
            return d;
        }
        YamlSection s = section.get();
        TollgateConfig.Metrics result = new TollgateConfig.Metrics(s.integer("max-models", d.maxModels(), 1, 100_000),
                s.integer("max-keys", d.maxKeys(), 1, 100_000));
        warnUnknown(s);
        return result;
    }

    /**
     * {@code otel:}: on when it says {@code enabled: true}, or names an endpoint without saying
     * {@code enabled: false}. Only OTLP over HTTP with protobuf is shipped in the WAR.
     */
    private TollgateConfig.Otel otel(YamlSection top) {
        TollgateConfig.Otel d = TollgateConfig.Otel.defaults();
        Optional<YamlSection> section = top.section("otel");
        if (section.isEmpty()) {
            return d;
        }
        YamlSection s = section.get();
        Optional<URI> endpoint = s.string("endpoint").filter(t -> !t.isBlank()).map(t -> {
            try {
                URI uri = new URI(trimTrailingSlash(t.trim()));
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw s.error("endpoint", "must be an http or https URL such as http://collector:4318, got '" + t + "'");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw s.error("endpoint", "is not a URL: " + e.getMessage());
            }
        });
        String protocol = s.string("protocol", "http/protobuf").trim();
        if (!protocol.equals("http/protobuf")) {
            throw s.error("protocol", "must be http/protobuf (OTLP over HTTP, port 4318): the WAR ships no gRPC client, "
                    + "got '" + protocol + "'");
        }
        String sampling = s.string("sampling", "1.0").trim();
        double ratio;
        try {
            ratio = Double.parseDouble(sampling);
        } catch (NumberFormatException e) {
            throw s.error("sampling", "must be a number from 0 to 1, got '" + sampling + "'");
        }
        if (!(ratio >= 0 && ratio <= 1)) {
            throw s.error("sampling", "must be a number from 0 to 1, got '" + sampling + "'");
        }
        TollgateConfig.Otel result = new TollgateConfig.Otel(s.bool("enabled", endpoint.isPresent()), endpoint,
                s.stringMap("headers"), ratio, s.string("service-name", d.serviceName()).trim(),
                s.stringMap("resource-attributes"), s.bool("capture-content", false),
                positive(s, "metric-interval", d.metricInterval()));
        warnUnknown(s);
        return result;
    }

    private Persistence persistence(YamlSection top, Path baseDir, Path defaultDatabase) {
        Persistence d = Persistence.defaults(defaultDatabase);
        Optional<YamlSection> p = top.section("persistence");
        if (p.isEmpty()) {
            return d;
        }
        YamlSection s = p.get();
        Path path = s.string("path").map(Path::of).map(baseDir::resolve).map(Path::normalize).orElse(d.path());
        Duration flush = s.duration("flush-interval", d.flushInterval());
        if (flush.isZero() || flush.isNegative()) {
            throw s.error("flush-interval must be positive");
        }
        String durability = s.string("durability", "journaled").trim().toLowerCase(Locale.ROOT);
        Persistence.Durability mode = switch (durability) {
            case "journaled" -> Persistence.Durability.JOURNALED;
            case "buffered" -> Persistence.Durability.BUFFERED;
            default -> throw s.error("durability", "must be journaled or buffered, got '" + durability + "'");
        };
        String type = s.string("type", "sqlite").trim().toLowerCase(Locale.ROOT);
        if (!type.equals("sqlite")) {
            warnings.accept("tollgate config: 'persistence.type: " + type + "' (line " + s.line("type") + ") is not used: records "
                    + "go to SQLite (persistence.path) or to the container's DataSource java:comp/env/jdbc/tollgate (PostgreSQL)");
        }
        Path journal = s.string("journal").map(Path::of).map(baseDir::resolve).map(Path::normalize)
                .orElse(Persistence.defaultJournal(path));
        Persistence result = new Persistence(
                s.bool("enabled", d.enabled()),
                path,
                s.integer("buffer-size", d.bufferSize(), 1, 100_000),
                flush,
                s.integer("retention-days", d.retentionDays(), 0, 36_500),
                s.integer("max-queued-records", d.maxQueuedRecords(), 1, 10_000_000),
                mode,
                journal,
                positive(s, "journal-sync", d.journalSync()));
        warnUnknown(s);
        return result;
    }

    /** {@code model-prices: {model: {input, output, cached-input}}}, USD per million tokens. */
    private List<ModelPrice> modelPrices(YamlSection top) {
        Optional<YamlSection> section = top.section("model-prices");
        if (section.isEmpty()) {
            return List.of();
        }
        List<ModelPrice> prices = new ArrayList<>();
        for (String model : section.get().keys()) {
            YamlSection p = section.get().section(model).orElseThrow(() -> section.get().error(model + " needs input and output prices"));
            prices.add(new ModelPrice(model, p.decimal("input"), p.decimal("output"), optionalDecimal(p, "cached-input"),
                    optionalDecimal(p, "cache-write-5m"), optionalDecimal(p, "cache-write-1h")));
            warnUnknown(p);
        }
        return prices;
    }

    private TollgateConfig.Routing routing(YamlSection top) {
        TollgateConfig.Routing d = TollgateConfig.Routing.defaults();
        Optional<YamlSection> r = top.section("routing");
        if (r.isEmpty()) {
            return d;
        }
        String strategy = r.get().string("strategy", "round-robin").trim().toLowerCase(Locale.ROOT);
        TollgateConfig.Routing.Strategy s = switch (strategy) {
            case "round-robin" -> TollgateConfig.Routing.Strategy.ROUND_ROBIN;
            case "fill-first" -> TollgateConfig.Routing.Strategy.FILL_FIRST;
            default -> throw r.get().error("strategy", "must be round-robin or fill-first, got '" + strategy + "'");
        };
        TollgateConfig.Routing result = new TollgateConfig.Routing(s, positive(r.get(), "cooldown", d.cooldown()),
                positive(r.get(), "max-cooldown", d.maxCooldown()));
        warnUnknown(r.get());
        return result;
    }

    private List<TollgateConfig.PayloadRule> payloadRules(YamlSection top) {
        List<TollgateConfig.PayloadRule> rules = new ArrayList<>();
        for (YamlSection p : top.sections("payload")) {
            List<String> models = p.strings("models");
            if (models.isEmpty()) {
                throw p.error("needs models: a list of model globs the rule applies to");
            }
            rules.add(new TollgateConfig.PayloadRule(models, p.stringMap("override"), p.stringMap("default"),
                    p.strings("remove")));
            warnUnknown(p);
        }
        return rules;
    }

    private static Optional<BigDecimal> optionalDecimal(YamlSection s, String key) {
        return s.has(key) ? Optional.of(s.decimal(key)) : Optional.empty();
    }

    /**
     * {@code limits:} ({@code global}, {@code per-key}, {@code reserve-output-tokens},
     * {@code refuse-unpriced-models}) and the Rust gateway's {@code rate-limit:} ({@code global-rpm},
     * {@code per-key-rpm}, {@code global-tpm}, {@code per-key-tpm}, {@code per-key-cost-per-day-usd};
     * 0 is no limit), which sets the same limits when {@code limits:} does not set that kind.
     */
    private TollgateConfig.Quota quota(YamlSection top) {
        TollgateConfig.Quota d = TollgateConfig.Quota.defaults();
        Map<LimitSet.Kind, Long> global = new EnumMap<>(LimitSet.Kind.class);
        Map<LimitSet.Kind, Long> perKey = new EnumMap<>(LimitSet.Kind.class);
        top.section("rate-limit").ifPresent(r -> {
            if (r.bool("enabled", true)) {
                seedLimit(r, "global-rpm", LimitSet.Kind.REQUESTS_PER_MINUTE, global);
                seedLimit(r, "per-key-rpm", LimitSet.Kind.REQUESTS_PER_MINUTE, perKey);
                seedLimit(r, "global-tpm", LimitSet.Kind.TOKENS_PER_MINUTE, global);
                seedLimit(r, "per-key-tpm", LimitSet.Kind.TOKENS_PER_MINUTE, perKey);
                String usd = r.string("per-key-cost-per-day-usd", "0").trim();
                try {
                    BigDecimal amount = new BigDecimal(usd);
                    if (amount.signum() < 0) {
                        throw r.error("per-key-cost-per-day-usd cannot be negative");
                    }
                    if (amount.signum() > 0) {
                        perKey.put(LimitSet.Kind.BUDGET_USD_PER_DAY, LimitSet.picoUsd(amount));
                    }
                } catch (NumberFormatException e) {
                    throw r.error("per-key-cost-per-day-usd must be an amount in USD such as 10.0, got '" + usd + "'");
                }
            } else {
                r.keys(); // a disabled block is read whole: none of its keys is unknown
            }
            warnUnknown(r);
        });
        Optional<YamlSection> q = top.section("limits");
        if (q.isEmpty()) {
            return new TollgateConfig.Quota(new LimitSet(global), new LimitSet(perKey), d.reserveOutputTokens(),
                    d.refuseUnpriced());
        }
        q.get().section("global").map(ConfigParser::limitSet).ifPresent(l -> global.putAll(l.values()));
        q.get().section("per-key").map(ConfigParser::limitSet).ifPresent(l -> perKey.putAll(l.values()));
        TollgateConfig.Quota quota = new TollgateConfig.Quota(new LimitSet(global), new LimitSet(perKey),
                q.get().integer("reserve-output-tokens", d.reserveOutputTokens(), 0, 10_000_000),
                q.get().bool("refuse-unpriced-models", d.refuseUnpriced()));
        warnUnknown(q.get());
        return quota;
    }

    /** One of {@code rate-limit}'s counts: a whole number, 0 meaning no limit. */
    private static void seedLimit(YamlSection r, String key, LimitSet.Kind kind, Map<LimitSet.Kind, Long> into) {
        int n = r.integer(key, 0, 0, Integer.MAX_VALUE);
        if (n > 0) {
            into.put(kind, (long) n);
        }
    }

    /** A set of limits: whole numbers, budgets as USD amounts. */
    static LimitSet limitSet(YamlSection s) {
        Map<LimitSet.Kind, Long> values = new EnumMap<>(LimitSet.Kind.class);
        for (LimitSet.Kind kind : LimitSet.Kind.values()) {
            Optional<String> text = s.string(kind.yamlKey());
            if (text.isEmpty()) {
                continue;
            }
            try {
                BigDecimal n = new BigDecimal(text.get().trim());
                values.put(kind, kind.money() ? LimitSet.picoUsd(n) : n.longValueExact());
                if (n.signum() < 0) {
                    throw new IllegalArgumentException("cannot be negative");
                }
            } catch (NumberFormatException | ArithmeticException e) {
                throw s.error(kind.yamlKey() + " must be " + (kind.money() ? "an amount in USD such as 5.00"
                        : "a whole number") + ", got '" + text.get() + "'");
            } catch (IllegalArgumentException e) {
                throw s.error(kind.yamlKey() + ": " + e.getMessage());
            }
        }
        return new LimitSet(values);
    }

    private Ops ops(YamlSection top) {
        Optional<YamlSection> o = top.section("ops");
        if (o.isEmpty() || !o.get().has("allowed-networks")) {
            o.ifPresent(this::warnUnknown);
            return Ops.defaults();
        }
        List<Cidr> networks = new ArrayList<>();
        for (String text : o.get().strings("allowed-networks")) {
            try {
                networks.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                throw o.get().error("allowed-networks: " + e.getMessage());
            }
        }
        warnUnknown(o.get());
        return new Ops(networks);
    }

    /**
     * {@code timeouts:}; the Rust gateway's top-level {@code connect-timeout}, {@code request-timeout}
     * (seconds) and {@code streaming.keepalive-seconds} set the same when the section does not.
     */
    private Timeouts timeouts(YamlSection top) {
        Timeouts d = Timeouts.defaults();
        Duration keepAlive = top.section("streaming").map(st -> {
            Duration k = positive(st, "keepalive-seconds", d.keepAlive());
            warnUnknown(st);
            return k;
        }).orElse(d.keepAlive());
        Timeouts seed = new Timeouts(positive(top, "connect-timeout", d.connect()), positive(top, "request-timeout", d.request()),
                d.streamIdle(), keepAlive);
        Optional<YamlSection> t = top.section("timeouts");
        if (t.isEmpty()) {
            return seed;
        }
        YamlSection s = t.get();
        Timeouts result = new Timeouts(
                positive(s, "connect", seed.connect()),
                positive(s, "request", seed.request()),
                positive(s, "stream-idle", seed.streamIdle()),
                positive(s, "keepalive", seed.keepAlive()));
        warnUnknown(s);
        return result;
    }

    /** {@code input-limits}; the older top-level {@code max-body-size} still sets the body size. */
    private InputLimits inputLimits(YamlSection top) {
        InputLimits d = InputLimits.defaults();
        long body = bytes(top, "max-body-size", d.maxBodyBytes(), InputLimits.MAX_BUFFER_BYTES);
        Optional<YamlSection> section = top.section("input-limits");
        if (section.isEmpty()) {
            return new InputLimits(body, d.maxJsonDepth(), d.maxJsonValues(), d.maxMessages(), d.maxTools(),
                    d.maxModelName(), d.bodyTimeout(), d.bodyMinBytesPerSecond(), d.maxUpstreamBodyBytes(),
                    d.maxUpstreamEventBytes());
        }
        YamlSection s = section.get();
        InputLimits result = new InputLimits(
                bytes(s, "max-body-size", body, InputLimits.MAX_BUFFER_BYTES),
                s.integer("max-json-depth", d.maxJsonDepth(), 2, 1_000),
                s.integer("max-json-values", d.maxJsonValues(), 16, 50_000_000),
                s.integer("max-messages", d.maxMessages(), 1, 1_000_000),
                s.integer("max-tools", d.maxTools(), 0, 100_000),
                s.integer("max-model-name", d.maxModelName(), 16, 4_096),
                positive(s, "body-timeout", d.bodyTimeout()),
                bytes(s, "body-min-rate", d.bodyMinBytesPerSecond(), InputLimits.MAX_BUFFER_BYTES),
                bytes(s, "max-upstream-body-size", d.maxUpstreamBodyBytes(), InputLimits.MAX_BUFFER_BYTES),
                (int) bytes(s, "max-upstream-event-size", d.maxUpstreamEventBytes(), Integer.MAX_VALUE / 2));
        warnUnknown(s);
        return result;
    }

    private static long bytes(YamlSection s, String key, long fallback, long max) {
        long value = s.size(key, fallback);
        if (value <= 0 || value > max) {
            throw s.error(key + " must be between 1 byte and " + max + " bytes");
        }
        return value;
    }

    private static Duration positive(YamlSection s, String key, Duration fallback) {
        Duration value = s.duration(key, fallback);
        if (value.isZero() || value.isNegative()) {
            throw s.error(key + " must be positive");
        }
        return value;
    }

    /**
     * Gemini (Google AI Studio) credentials; base-url is the host root, as the google-genai SDK takes it.
     * CLIProxyAPI's {@code generative-language-api-key} is a plain list of keys: an item may be just the key.
     */
    private List<ProviderCredential> geminiKeys(YamlSection top, String key) {
        List<ProviderCredential> result = new ArrayList<>();
        List<YamlSection> entries = top.sections(key, "api-key");
        for (int i = 0; i < entries.size(); i++) {
            YamlSection e = entries.get(i);
            result.add(credential(e, "gemini", List.of(Wire.GEMINI), "gemini#" + (i + 1), e.requiredString("api-key"),
                    e, e.string("prefix"), WireSettings.None.INSTANCE));
        }
        return result;
    }

    /** Anthropic credentials; their base-url is the host root, as the official SDK takes it. */
    private List<ProviderCredential> claudeKeys(YamlSection top) {
        List<ProviderCredential> result = new ArrayList<>();
        List<YamlSection> entries = top.sections("claude-api-key");
        for (int i = 0; i < entries.size(); i++) {
            YamlSection e = entries.get(i);
            String cache = e.string("prompt-cache", "off").trim();
            if (!cache.equals("auto") && !cache.equals("off")) {
                throw e.error("prompt-cache", "must be auto or off, got '" + cache + "'");
            }
            result.add(credential(e, "anthropic", List.of(Wire.ANTHROPIC), "anthropic#" + (i + 1), e.requiredString("api-key"),
                    e, e.string("prefix"), new AnthropicSettings(cache.equals("auto"))));
        }
        return result;
    }

    private List<ProviderCredential> openAiKeys(YamlSection top, String key, String provider, OpenAiApis served) {
        List<ProviderCredential> result = new ArrayList<>();
        List<YamlSection> entries = top.sections(key);
        for (int i = 0; i < entries.size(); i++) {
            YamlSection e = entries.get(i);
            result.add(credential(e, provider, served.of(e, e), provider + "#" + (i + 1), e.requiredString("api-key"),
                    e, e.string("prefix"), WireSettings.None.INSTANCE));
        }
        return result;
    }

    /**
     * Named OpenAI-compatible providers, in the seed system's shape: one base URL, models and
     * prefix per provider, and one or more keys under {@code api-key-entries} (or a single {@code api-key}).
     */
    private List<ProviderCredential> compatibility(YamlSection top) {
        List<ProviderCredential> result = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (YamlSection p : top.sections("openai-compatibility")) {
            String name = providerName(p, p.string("name").filter(n -> !n.isBlank()).orElseGet(() -> unnamed(p)));
            List<YamlSection> keys = p.sections("api-key-entries", "api-key");
            for (YamlSection k : keys.isEmpty() ? List.of(p) : keys) {
                int n = counts.merge(name, 1, Integer::sum); // two entries of one name still get labels of their own
                result.add(credential(k, name, OpenAiApis.COMPATIBLE.of(k, p), name + "#" + n, k.requiredString("api-key"), p,
                        p.string("prefix"), WireSettings.None.INSTANCE));
            }
        }
        return result;
    }

    /**
     * The Rust gateway's compatibility entries have no {@code name}: the provider is named after the
     * entry's prefix ({@code deepseek/} → {@code deepseek}), else after its base URL's host.
     */
    private static String unnamed(YamlSection p) {
        Optional<String> prefix = p.string("prefix").map(ConfigParser::trimSlashes).filter(x -> !x.isEmpty());
        if (prefix.isPresent()) {
            return prefix.get().replaceAll("[^A-Za-z0-9._-]", "-");
        }
        String host = p.string("base-url").map(String::trim).filter(u -> !u.isEmpty()).map(u -> {
            try {
                return new URI(u).getHost();
            } catch (URISyntaxException e) {
                return null;
            }
        }).orElseThrow(() -> p.error("needs a name or a base-url"));
        if (host == null) {
            throw p.error("base-url must be an http(s) URL with a host, got '" + p.string("base-url", "") + "'");
        }
        return host;
    }

    /**
     * Azure OpenAI resources: each entry a resource's base URL and key, the API version its calls
     * name, and its {@code deployments} (deployment name → the model it runs, and optionally an
     * alias clients may use). Clients ask for the model; the URL names the deployment.
     */
    private List<ProviderCredential> azure(YamlSection top) {
        List<ProviderCredential> result = new ArrayList<>();
        List<YamlSection> entries = top.sections("azure-openai");
        for (int i = 0; i < entries.size(); i++) {
            YamlSection e = entries.get(i);
            String version = e.string("api-version", AZURE_API_VERSION).trim();
            if (!API_VERSION.matcher(version).matches()) {
                throw e.error("api-version must look like 2024-10-21 or 2025-04-01-preview, got '" + version + "'");
            }
            if (version.compareTo(AZURE_STREAM_USAGE_SINCE) < 0) { // the gateway asks every stream for its usage
                throw e.error("api-version " + version + " is older than " + AZURE_STREAM_USAGE_SINCE
                        + "-preview, the first to report a stream's usage; use " + AZURE_API_VERSION + " or later");
            }
            Map<String, String> deployments = new LinkedHashMap<>();
            for (YamlSection d : e.sections("deployments")) {
                String name = d.requiredString("name");
                if (!PROVIDER_NAME.matcher(name).matches()) { // it goes into the URL's path
                    throw d.error("a deployment name is 1 to 64 letters, digits, '.', '_' or '-'; got '" + name + "'");
                }
                deployments.put(d.string("model", name), name);
            }
            result.add(credential(e, "azure", List.of(Wire.AZURE_OPENAI), "azure#" + (i + 1), e.requiredString("api-key"),
                    e, e.string("prefix"), new AzureSettings(version, deployments)));
        }
        return result;
    }

    /** The newest generally available Azure OpenAI data-plane version; it streams usage. */
    static final String AZURE_API_VERSION = "2024-10-21";
    private static final String AZURE_STREAM_USAGE_SINCE = "2024-09-01";

    private static final Pattern API_VERSION = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(-preview)?");

    /**
     * A provider's name labels records, metrics and credentials (and names a mock's address): letters,
     * digits, '.', '_' and '-', at most 64, so it is safe wherever it is printed.
     */
    private static String providerName(YamlSection s, String name) {
        if (!PROVIDER_NAME.matcher(name).matches()) {
            throw s.error("name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; got '"
                    + (name.length() > 64 ? name.substring(0, 64) + "…" : name) + "'");
        }
        return name;
    }

    private static final Pattern PROVIDER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private List<ProviderCredential> mocks(YamlSection top) {
        List<ProviderCredential> result = new ArrayList<>();
        for (YamlSection m : top.sections("mock")) {
            String name = providerName(m, m.string("name", "mock"));
            MockSettings settings = new MockSettings(
                    m.duration("latency", Duration.ofMillis(100)),
                    m.duration("chunk-delay", Duration.ofMillis(30)),
                    m.integer("completion-tokens", 16, 1, 100_000));
            result.add(credential(m, name, List.of(Wire.MOCK), name, "", m, m.string("prefix"), settings));
        }
        return result;
    }

    /**
     * The OpenAI APIs an OpenAI-shaped entry's upstream serves: its {@code wire-api} (one name or a
     * list; the first is where chat calls in other formats are translated to) added to what its kind
     * serves anyway. OpenAI itself serves them all, so there {@code wire-api} only picks the target.
     */
    private enum OpenAiApis {
        OPENAI("chat-completions", Wire.OPENAI, Wire.OPENAI_RESPONSES),
        /** Codex credentials speak nothing but the Responses API. */
        CODEX("responses"),
        COMPATIBLE("chat-completions");

        private final String fallback;
        private final List<Wire> always;

        OpenAiApis(String fallback, Wire... always) {
            this.fallback = fallback;
            this.always = List.of(always);
        }

        List<Wire> of(YamlSection own, YamlSection shared) {
            YamlSection holder = own.has("wire-api") ? own : shared;
            List<String> named = holder.has("wire-api") ? holder.strings("wire-api") : List.of(fallback);
            if (named.isEmpty()) {
                throw holder.error("wire-api", "must name at least one API: chat-completions (or chat) or responses");
            }
            List<Wire> apis = new ArrayList<>();
            for (String name : named) {
                Wire api = switch (name.trim()) {
                    case "chat-completions", "chat" -> Wire.OPENAI; // "chat" is the Rust gateway's name for it
                    case "responses" -> Wire.OPENAI_RESPONSES;
                    default -> throw holder.error("wire-api",
                            "must be chat-completions (or chat) or responses, or a list of them, got '" + name.trim() + "'");
                };
                if (!apis.contains(api)) {
                    apis.add(api);
                }
            }
            always.stream().filter(w -> !apis.contains(w)).forEach(apis::add);
            return apis;
        }
    }

    /**
     * @param own    the entry holding per-key options (headers, weight, disabled, base-url)
     * @param shared the entry holding models and excluded-models (the provider for compatibility entries)
     * @param apis   the wires its upstream serves natively, the one translated calls go to first
     */
    private ProviderCredential credential(YamlSection own, String provider, List<Wire> apis, String label, String apiKey,
                                          YamlSection shared, Optional<String> prefix, WireSettings settings) {
        Wire wire = apis.get(0);
        URI baseUrl = settings instanceof MockSettings ? URI.create("mock:" + provider)
                : baseUrl(own, shared, wire.defaultBaseUrl());
        ProviderCredential credential = new ProviderCredential(
                provider, wire, label, apiKey, baseUrl,
                models(shared),
                prefix.map(ConfigParser::trimSlashes).filter(s -> !s.isEmpty()),
                shared.strings("excluded-models"),
                own.stringMap("headers"),
                own.integer("weight", 1, 1, 1000),
                own.bool("disabled", false),
                settings,
                proxy(own).or(() -> own == shared ? Optional.empty() : proxy(shared)).orElse(defaultProxy),
                Set.copyOf(apis));
        warnUnknown(own);
        return credential;
    }

    /** @param fallback the wire's provider when the entry names none; empty where every operator has their own */
    private static URI baseUrl(YamlSection own, YamlSection shared, Optional<URI> fallback) {
        // the seed files write base-url: "" for "the provider's own"
        YamlSection holder = own.string("base-url").filter(t -> !t.isBlank()).isPresent() ? own : shared;
        Optional<String> text = holder.string("base-url").filter(t -> !t.isBlank());
        if (text.isEmpty()) {
            if (fallback.isEmpty() || holder == shared && own != shared) {
                throw holder.error("needs a base-url");
            }
            return fallback.get();
        }
        try {
            URI uri = new URI(trimTrailingSlash(text.get().trim()));
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw holder.error("base-url must be an http(s) URL with a host, got '" + text.get() + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw holder.error("base-url is not a valid URL: '" + text.get() + "'");
        }
    }

    private static List<ModelEntry> models(YamlSection s) {
        List<ModelEntry> models = new ArrayList<>();
        for (YamlSection m : s.sections("models")) {
            // the seed system calls the upstream id "name" in compatibility entries and "id" elsewhere
            String id = m.has("id") ? m.requiredString("id") : m.requiredString("name");
            models.add(new ModelEntry(id, m.string("alias").filter(a -> !a.isBlank())));
        }
        for (YamlSection d : s.sections("deployments")) { // Azure: clients ask for the model a deployment runs
            String model = d.string("model").orElseGet(() -> d.requiredString("name"));
            models.add(new ModelEntry(model, d.string("alias").filter(a -> !a.isBlank())));
        }
        return models;
    }

    private static String trimSlashes(String s) {
        String t = s.trim();
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        while (t.startsWith("/")) {
            t = t.substring(1);
        }
        return t;
    }

    private static String trimTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
