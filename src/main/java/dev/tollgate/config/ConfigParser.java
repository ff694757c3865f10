package dev.tollgate.config;

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

        List<ProviderCredential> credentials = new ArrayList<>();
        credentials.addAll(openAiKeys(top, "openai-api-key", "openai"));
        credentials.addAll(openAiKeys(top, "codex-api-key", "codex"));
        credentials.addAll(claudeKeys(top));
        credentials.addAll(geminiKeys(top));
        credentials.addAll(compatibility(top));
        credentials.addAll(azure(top));
        credentials.addAll(mocks(top));

        TollgateConfig config = new TollgateConfig(
                source,
                top.string("instance-id").filter(s -> !s.isBlank()).orElseGet(TollgateConfig::defaultInstanceId),
                top.strings("api-keys"),
                top.bool("usage-statistics-enabled", true),
                persistence(top, baseDir, defaultDatabase),
                top.integer("request-retry", 1, 0, 10),
                timeouts(top),
                inputLimits(top),
                ops(top),
                logs(top),
                modelPrices(top),
                quota(top),
                routing(top),
                payloadRules(top),
                top.stringMap("model-mappings"),
                credentials);
        warnUnknown(top);
        return config;
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
            default -> throw s.error("durability must be journaled or buffered, got '" + durability + "'");
        };
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
            default -> throw r.get().error("strategy must be round-robin or fill-first, got '" + strategy + "'");
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

    private static TollgateConfig.Quota quota(YamlSection top) {
        Optional<YamlSection> q = top.section("limits");
        if (q.isEmpty()) {
            return TollgateConfig.Quota.defaults();
        }
        LimitSet global = q.get().section("global").map(ConfigParser::limitSet).orElse(LimitSet.NONE);
        return new TollgateConfig.Quota(global, q.get().integer("reserve-output-tokens",
                TollgateConfig.Quota.defaults().reserveOutputTokens(), 0, 10_000_000));
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

    private Timeouts timeouts(YamlSection top) {
        Timeouts d = Timeouts.defaults();
        Optional<YamlSection> t = top.section("timeouts");
        if (t.isEmpty()) {
            return d;
        }
        YamlSection s = t.get();
        Timeouts result = new Timeouts(
                positive(s, "connect", d.connect()),
                positive(s, "request", d.request()),
                positive(s, "stream-idle", d.streamIdle()),
                positive(s, "keepalive", d.keepAlive()));
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

    /** Gemini (Google AI Studio) credentials; base-url is the host root, as the google-genai SDK takes it. */
    private List<ProviderCredential> geminiKeys(YamlSection top) {
        List<ProviderCredential> result = new ArrayList<>();
        List<YamlSection> entries = top.sections("gemini-api-key");
        for (int i = 0; i < entries.size(); i++) {
            YamlSection e = entries.get(i);
            result.add(credential(e, "gemini", Wire.GEMINI, "gemini#" + (i + 1), e.requiredString("api-key"),
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
            result.add(credential(e, "anthropic", Wire.ANTHROPIC, "anthropic#" + (i + 1), e.requiredString("api-key"),
                    e, e.string("prefix"), WireSettings.None.INSTANCE));
        }
        return result;
    }

    private List<ProviderCredential> openAiKeys(YamlSection top, String key, String provider) {
        List<ProviderCredential> result = new ArrayList<>();
        List<YamlSection> entries = top.sections(key);
        for (int i = 0; i < entries.size(); i++) {
            YamlSection e = entries.get(i);
            result.add(credential(e, provider, Wire.OPENAI, provider + "#" + (i + 1), e.requiredString("api-key"),
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
        for (YamlSection p : top.sections("openai-compatibility")) {
            String name = providerName(p, p.requiredString("name"));
            List<YamlSection> keys = p.sections("api-key-entries");
            if (keys.isEmpty()) {
                result.add(credential(p, name, Wire.OPENAI, name + "#1", p.requiredString("api-key"), p,
                        p.string("prefix"), WireSettings.None.INSTANCE));
                continue;
            }
            for (int i = 0; i < keys.size(); i++) {
                YamlSection k = keys.get(i);
                result.add(credential(k, name, Wire.OPENAI, name + "#" + (i + 1), k.requiredString("api-key"), p,
                        p.string("prefix"), WireSettings.None.INSTANCE));
            }
        }
        return result;
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
            result.add(credential(e, "azure", Wire.AZURE_OPENAI, "azure#" + (i + 1), e.requiredString("api-key"),
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
            result.add(credential(m, name, Wire.MOCK, name, "", m, m.string("prefix"), settings));
        }
        return result;
    }

    /**
     * @param own    the entry holding per-key options (headers, weight, disabled, base-url)
     * @param shared the entry holding models and excluded-models (the provider for compatibility entries)
     */
    private ProviderCredential credential(YamlSection own, String provider, Wire wire, String label, String apiKey,
                                          YamlSection shared, Optional<String> prefix, WireSettings settings) {
        if (wire == Wire.OPENAI) {
            String api = (own.has("wire-api") ? own : shared).string("wire-api", "chat-completions").trim();
            wire = switch (api) {
                case "chat-completions" -> Wire.OPENAI;
                case "responses" -> Wire.OPENAI_RESPONSES;
                default -> throw own.error("wire-api must be chat-completions or responses, got '" + api + "'");
            };
        }
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
                settings);
        warnUnknown(own);
        return credential;
    }

    /** @param fallback the wire's provider when the entry names none; empty where every operator has their own */
    private static URI baseUrl(YamlSection own, YamlSection shared, Optional<URI> fallback) {
        YamlSection holder = own.has("base-url") ? own : shared;
        Optional<String> text = holder.string("base-url");
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
