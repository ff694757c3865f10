package dev.tollgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.ProviderCredential.AzureSettings;
import dev.tollgate.config.ProviderCredential.MockSettings;
import dev.tollgate.config.ProviderCredential.Wire;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
    private static final Path DEFAULT_DB = Path.of("/data/tollgate.db");
    private final List<String> warnings = new ArrayList<>();

    private TollgateConfig parse(String yaml, Optional<String> master) {
        return new ConfigParser(new SecretDecryptor(master), warnings::add)
                .parse(yaml, Optional.of(Path.of("/etc/tollgate/tollgate.yaml")), DEFAULT_DB);
    }

    private TollgateConfig parse(String yaml) {
        return parse(yaml, Optional.empty());
    }

    @Test
    void readsTheSeedSystemKeys() {
        TollgateConfig c = parse("""
                api-keys: [sk-a, sk-b]
                usage-statistics-enabled: false
                persistence:
                  path: data/usage.db
                  buffer-size: 50
                  flush-interval: 250ms
                  retention-days: 30
                request-retry: 3
                timeouts: {connect: 5s, request: 2m, stream-idle: 90, keepalive: 10s}
                max-body-size: 2MB
                openai-api-key:
                  - api-key: sk-upstream
                    base-url: https://api.openai.com/v1/
                    models: [{id: gpt-4o, alias: fast}]
                    prefix: /openai/
                    excluded-models: ["*-preview"]
                    headers: {OpenAI-Organization: org-1}
                    weight: 3
                codex-api-key:
                  - api-key: sk-codex
                    disabled: true
                openai-compatibility:
                  - name: deepseek
                    base-url: https://api.deepseek.com/v1
                    prefix: deepseek
                    api-key-entries: [{api-key: k1}, {api-key: k2, weight: 2}]
                    models: [{name: deepseek-chat, alias: ds}]
                """);
        assertEquals(List.of("sk-a", "sk-b"), c.apiKeys());
        assertFalse(c.usageStatisticsEnabled());
        assertEquals(Path.of("/etc/tollgate/data/usage.db"), c.persistence().path());
        assertEquals(50, c.persistence().bufferSize());
        assertEquals(Duration.ofMillis(250), c.persistence().flushInterval());
        assertEquals(30, c.persistence().retentionDays());
        assertEquals(3, c.requestRetry());
        assertEquals(Duration.ofSeconds(90), c.timeouts().streamIdle());
        assertEquals(Duration.ofMinutes(2), c.timeouts().request());
        assertEquals(2L * 1024 * 1024, c.input().maxBodyBytes());
        assertEquals(4, c.credentials().size());

        ProviderCredential openai = c.credentials().get(0);
        assertEquals("openai", openai.provider());
        assertEquals(Wire.OPENAI, openai.wire());
        assertEquals(Set.of(Wire.OPENAI, Wire.OPENAI_RESPONSES), openai.apis(), "OpenAI serves every OpenAI API");
        assertEquals(URI.create("https://api.openai.com/v1"), openai.baseUrl());
        assertEquals("gpt-4o", openai.models().get(0).id());
        assertEquals(Optional.of("fast"), openai.models().get(0).alias());
        assertEquals(Optional.of("openai"), openai.prefix());
        assertEquals(List.of("*-preview"), openai.excludedModels());
        assertEquals("org-1", openai.headers().get("OpenAI-Organization"));
        assertEquals(3, openai.weight());

        ProviderCredential codex = c.credentials().get(1);
        assertEquals("codex", codex.provider());
        assertTrue(codex.disabled());
        assertEquals(URI.create("https://api.openai.com/v1"), codex.baseUrl());
        assertEquals(Wire.OPENAI_RESPONSES, codex.wire(), "Codex speaks the Responses API");
        assertEquals(Set.of(Wire.OPENAI_RESPONSES), codex.apis());

        ProviderCredential ds2 = c.credentials().get(3);
        assertEquals("deepseek", ds2.provider());
        assertEquals(Set.of(Wire.OPENAI), ds2.apis(), "a compatible server: chat completions unless it says more");
        assertEquals("k2", ds2.apiKey());
        assertEquals(2, ds2.weight());
        assertEquals("deepseek-chat", ds2.models().get(0).id());
        assertEquals(URI.create("https://api.deepseek.com/v1"), ds2.baseUrl());
        assertFalse(ds2.label().contains("k2"), "labels never carry the secret");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    /** {@code wire-api} names what an OpenAI-shaped upstream serves; its first is where translated calls go. */
    @Test
    void wireApiNamesTheApisAnUpstreamServes() {
        TollgateConfig c = parse("""
                openai-api-key:
                  - {api-key: a, wire-api: responses}
                codex-api-key:
                  - {api-key: b, wire-api: [responses, chat-completions]}
                openai-compatibility:
                  - {name: both, base-url: "http://h/v1", api-key: c, wire-api: [chat, responses]}
                  - {name: only, base-url: "http://h/v1", api-key: d, wire-api: responses}
                """);
        List<ProviderCredential> all = c.credentials();
        assertEquals(List.of(Wire.OPENAI_RESPONSES, Wire.OPENAI_RESPONSES, Wire.OPENAI, Wire.OPENAI_RESPONSES),
                all.stream().map(ProviderCredential::wire).toList(), "the first named is where translated calls go");
        Set<Wire> both = Set.of(Wire.OPENAI, Wire.OPENAI_RESPONSES);
        assertEquals(List.of(both, both, both, Set.of(Wire.OPENAI_RESPONSES)),
                all.stream().map(ProviderCredential::apis).toList());
        assertEquals(Optional.of(Wire.OPENAI_RESPONSES), all.get(2).speaking(Wire.OPENAI_RESPONSES));
        assertEquals(Optional.empty(), all.get(3).speaking(Wire.OPENAI), "a Responses-only server gets chat translated");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> parse("openai-compatibility:\n  - {name: x, base-url: 'http://h', api-key: k, wire-api: [chat, grpc]}\n"));
        assertTrue(bad.getMessage().contains("wire-api") && bad.getMessage().contains("'grpc'"), bad.getMessage());
        assertThrows(ConfigException.class,
                () -> parse("openai-compatibility:\n  - {name: x, base-url: 'http://h', api-key: k, wire-api: []}\n"));
    }

    @Test
    void promptCacheIsAutoOrOffPerClaudeCredential() {
        TollgateConfig c = parse("claude-api-key:\n  - {api-key: a, prompt-cache: auto}\n  - {api-key: b}\n");
        assertEquals(List.of(new ProviderCredential.AnthropicSettings(true), new ProviderCredential.AnthropicSettings(false)),
                c.credentials().stream().map(ProviderCredential::settings).toList());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> parse("claude-api-key:\n  - {api-key: a, prompt-cache: always}\n"));
        assertTrue(bad.getMessage().contains("prompt-cache") && bad.getMessage().contains("'always'"), bad.getMessage());
    }

    @Test
    void emptyFileGivesSafeDefaults() {
        TollgateConfig c = parse("");
        assertTrue(c.apiKeys().isEmpty());
        assertTrue(c.credentials().isEmpty());
        assertEquals(DEFAULT_DB, c.persistence().path());
        assertTrue(c.usageStatisticsEnabled());
    }

    @Test
    void metricsLabelBoundsAreReadAndChecked() {
        assertEquals(new TollgateConfig.Metrics(500, 200), parse("").metrics());
        assertEquals(new TollgateConfig.Metrics(12, 3), parse("metrics: {max-models: 12, max-keys: 3}").metrics());
        ConfigException e = assertThrows(ConfigException.class, () -> parse("metrics: {max-models: 0}"));
        assertTrue(e.getMessage().contains("'metrics.max-models'"), e.getMessage());
        assertEquals(List.of("metrics"), parse("").restartOnlyChanges(parse("metrics: {max-keys: 9}")),
                "the bounds shape counters built once");
    }

    @Test
    void wrongTypeNamesTheKeyAndLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                api-keys: [a]
                persistence:
                  buffer-size: lots
                """));
        assertTrue(e.getMessage().contains("'persistence.buffer-size' (line 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("'lots'"), e.getMessage());
    }

    @Test
    void missingRequiredValueNamesTheEntry() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                openai-api-key:
                  - base-url: https://example.com/v1
                  - api-key: k
                    base-url: ftp://example.com
                """));
        assertTrue(e.getMessage().contains("'openai-api-key[0].api-key'"), e.getMessage());
        ConfigException scheme = assertThrows(ConfigException.class, () -> parse("""
                openai-api-key:
                  - api-key: k
                    base-url: ftp://example.com
                """));
        assertTrue(scheme.getMessage().contains("openai-api-key[0]") && scheme.getMessage().contains("line 2"),
                scheme.getMessage());
    }

    @Test
    void brokenYamlSaysWhere() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("api-keys: [a, b\npersistence: {"));
        assertTrue(e.getMessage().contains("not valid YAML") && e.getMessage().contains("line"), e.getMessage());
    }

    @Test
    void listWhereAMappingBelongsIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("persistence: [1, 2]\n"));
        assertTrue(e.getMessage().contains("'persistence' (line 1)"), e.getMessage());
    }

    @Test
    void unknownKeysWarnButLoad() {
        parse("port: 8317\nauth-dir: ~/.cli-proxy\napi-keys: [a]\nsparkle: on\n");
        assertEquals(3, warnings.size());
        // the seed systems' keys a WAR cannot take are named with what to use instead
        assertTrue(warnings.get(0).contains("'port' (line 1) is not used by the WAR") && warnings.get(0).contains("Connector"),
                warnings.toString());
        assertTrue(warnings.get(1).contains("'auth-dir' (line 2)"), warnings.toString());
        assertTrue(warnings.get(2).contains("unknown key 'sparkle (line 4)'"), warnings.toString());
    }

    @Test
    void decryptsEncValuesWithTheMasterPassword() {
        String enc = SecretDecryptor.encrypt("sk-secret-upstream", "correct horse");
        TollgateConfig c = parse("openai-api-key:\n  - api-key: " + enc + "\n", Optional.of("correct horse"));
        assertEquals("sk-secret-upstream", c.credentials().get(0).apiKey());
    }

    @Test
    void encWithoutMasterPasswordFailsNamingTheKey() {
        String enc = SecretDecryptor.encrypt("sk-secret-upstream", "correct horse");
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("api-keys:\n  - " + enc + "\n", Optional.empty()));
        assertTrue(e.getMessage().contains("'api-keys[0].key' (line 2)"), e.getMessage());
        assertTrue(e.getMessage().contains("TOLLGATE_MASTER_PASSWORD"), e.getMessage());
        assertFalse(e.getMessage().contains(enc), "the encrypted value is not echoed");
    }

    @Test
    void encWithWrongPasswordFails() {
        String enc = SecretDecryptor.encrypt("sk-secret-upstream", "correct horse");
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("openai-api-key:\n  - api-key: " + enc + "\n", Optional.of("battery staple")));
        assertTrue(e.getMessage().contains("openai-api-key[0].api-key") && e.getMessage().contains("wrong master"),
                e.getMessage());
    }

    @Test
    void mockProviderSettings() {
        TollgateConfig c = parse("""
                mock:
                  - name: demo
                    models: [{id: m1, alias: d}]
                    latency: 5ms
                    chunk-delay: 1ms
                    completion-tokens: 7
                """);
        ProviderCredential m = c.credentials().get(0);
        assertEquals(Wire.MOCK, m.wire());
        MockSettings settings = assertInstanceOf(MockSettings.class, m.settings());
        assertEquals(7, settings.completionTokens());
        assertEquals(Duration.ofMillis(5), settings.latency());
    }

    @Test
    void azureResourcesMapModelsToDeployments() {
        TollgateConfig c = parse("""
                azure-openai:
                  - api-key: az-key
                    base-url: https://contoso.openai.azure.com/
                    deployments:
                      - {name: prod-4o, model: gpt-4o, alias: fast}
                      - {name: gpt-4o-mini}
                  - api-key: az-2
                    base-url: https://fabrikam.openai.azure.com
                    api-version: 2025-04-01-preview
                """);
        ProviderCredential first = c.credentials().get(0);
        assertEquals(Wire.AZURE_OPENAI, first.wire());
        assertEquals(Wire.OPENAI, first.wire().format());
        assertEquals("azure", first.provider());
        assertEquals("azure#1", first.label());
        assertEquals(URI.create("https://contoso.openai.azure.com"), first.baseUrl());
        assertEquals(List.of(new ProviderCredential.ModelEntry("gpt-4o", Optional.of("fast")),
                new ProviderCredential.ModelEntry("gpt-4o-mini", Optional.empty())), first.models());
        AzureSettings azure = assertInstanceOf(AzureSettings.class, first.settings());
        assertEquals("2024-10-21", azure.apiVersion());
        assertEquals("prod-4o", azure.deployment("gpt-4o"));
        assertEquals("gpt-4o-mini", azure.deployment("gpt-4o-mini"));
        assertEquals(Map.of("api-key", "az-key"), first.wire().authHeaders(first.apiKey()));
        assertEquals("2025-04-01-preview",
                assertInstanceOf(AzureSettings.class, c.credentials().get(1).settings()).apiVersion());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void anAzureEntryNeedsItsResourceAndAValidVersionAndDeployment() {
        ConfigException url = assertThrows(ConfigException.class,
                () -> parse("azure-openai:\n  - api-key: k\n"));
        assertTrue(url.getMessage().contains("needs a base-url"), url.getMessage());
        ConfigException version = assertThrows(ConfigException.class, () -> parse(
                "azure-openai:\n  - {api-key: k, base-url: https://a.openai.azure.com, api-version: latest}\n"));
        assertTrue(version.getMessage().contains("api-version"), version.getMessage());
        ConfigException old = assertThrows(ConfigException.class, () -> parse(
                "azure-openai:\n  - {api-key: k, base-url: https://a.openai.azure.com, api-version: 2024-02-01}\n"));
        assertTrue(old.getMessage().contains("report a stream's usage"), old.getMessage());
        ConfigException deployment = assertThrows(ConfigException.class, () -> parse(
                "azure-openai:\n  - {api-key: k, base-url: https://a.openai.azure.com, deployments: [{name: \"a/../b\"}]}\n"));
        assertTrue(deployment.getMessage().contains("deployment name"), deployment.getMessage());
    }

    @Test
    void logsAreOffUnlessEnabledAndTheirRulesAreCheckedAtLoad() {
        assertFalse(parse("api-keys: [a]\n").logs().enabled(), "prompts are sensitive: off by default");
        TollgateConfig c = parse("""
                logs:
                  enabled: true
                  max-body-bytes: 2MB
                  retention-days: 7
                  redact:
                    - {pattern: 'sk-[a-z0-9]+', replacement: '[key]'}
                    - {pattern: '\\d{16}'}
                """);
        assertTrue(c.logs().enabled());
        assertEquals(2L * 1024 * 1024, c.logs().maxBodyBytes());
        assertEquals(7, c.logs().retentionDays());
        assertEquals("[redacted]", c.logs().redact().get(1).replacement());
        assertTrue(c.logs().redact().get(0).pattern().matcher("my sk-abc1").find());
        ConfigException bad = assertThrows(ConfigException.class, () -> parse("logs:\n  redact: [{pattern: '(open'}]\n"));
        assertTrue(bad.getMessage().contains("not a valid regular expression"), bad.getMessage());
    }

    @Test
    void modelPricesAreExactDecimals() {
        TollgateConfig c = parse("""
                model-prices:
                  gpt-4o: {input: 2.50, output: 10, cached-input: 1.25}
                  in-house: {input: 0.000001, output: 0.5}
                """);
        assertEquals(2, c.modelPrices().size());
        assertEquals(new BigDecimal("2.50"), c.modelPrices().get(0).input());
        assertEquals(Optional.of(new BigDecimal("1.25")), c.modelPrices().get(0).cachedInput());
        assertEquals(Optional.empty(), c.modelPrices().get(1).cachedInput());
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                model-prices:
                  gpt-4o: {input: cheap, output: 10}
                """));
        assertTrue(e.getMessage().contains("'model-prices.gpt-4o.input' (line 2)"), e.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> parse("model-prices:\n  m: {input: 1}\n"));
        assertTrue(missing.getMessage().contains("model-prices.m.output"), missing.getMessage());
    }

    @Test
    void outOfRangeNumbersAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("request-retry: 99\n"));
        assertTrue(e.getMessage().contains("'request-retry' (line 1) must be between 0 and 10"), e.getMessage());
    }

    /** Found by ConfigFuzzTest: a mock named "dem`o" made URI.create throw instead of a clear error. */
    @Test
    void aProviderNameThatIsNotAnIdentifierIsAClearError() {
        ConfigException mock = assertThrows(ConfigException.class, () -> parse("mock:\n  - name: \"dem`o\"\n"));
        assertTrue(mock.getMessage().contains("mock[0]") && mock.getMessage().contains("name must be"), mock.getMessage());
        ConfigException compat = assertThrows(ConfigException.class, () -> parse(
                "openai-compatibility:\n  - name: \"a b\"\n    base-url: http://x/v1\n    api-key: k\n"));
        assertTrue(compat.getMessage().contains("name must be"), compat.getMessage());
    }

    @Test
    void sizesAndDurationsTooLargeForALongAreClearErrors() {
        ConfigException size = assertThrows(ConfigException.class, () -> parse("max-body-size: 99999999999999999999GB\n"));
        assertTrue(size.getMessage().contains("too large"), size.getMessage());
        ConfigException duration = assertThrows(ConfigException.class, () -> parse("timeouts: {request: 99999999999999999d}\n"));
        assertTrue(duration.getMessage().contains("too long"), duration.getMessage());
    }

    @Test
    void inputLimitsAndDurabilityAreRead() {
        TollgateConfig c = parse("""
                max-body-size: 1MB
                input-limits: {max-json-depth: 10, body-timeout: 5s, body-min-rate: 2KB}
                persistence: {path: data/t.db, durability: buffered, journal-sync: 20ms}
                """);
        assertEquals(1024 * 1024, c.input().maxBodyBytes(), "the top-level size still counts");
        assertEquals(10, c.input().maxJsonDepth());
        assertEquals(2048, c.input().bodyMinBytesPerSecond());
        assertEquals(TollgateConfig.Persistence.Durability.BUFFERED, c.persistence().durability());
        assertEquals(Path.of("/etc/tollgate/data/journal"), c.persistence().journal());
        assertThrows(ConfigException.class, () -> parse("persistence: {durability: sometimes}\n"));
    }

    @Test
    void proxiesPerKeyAndGlobalWithAnEmptyOneMeaningDirect() {
        TollgateConfig c = parse("proxy-url: http://proxy.corp:3128\n"
                + "openai-api-key:\n  - api-key: a\n  - api-key: b\n    proxy-url: \"\"\n  - api-key: c\n    proxy-url: http://other:8080\n");
        assertEquals(Optional.of(URI.create("http://proxy.corp:3128")), c.credentials().get(0).proxy());
        assertEquals(Optional.empty(), c.credentials().get(1).proxy(), "an empty proxy-url is a direct connection");
        assertEquals(Optional.of(URI.create("http://other:8080")), c.credentials().get(2).proxy());
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("claude-api-key:\n  - api-key: a\n    proxy-url: socks5://127.0.0.1:1080\n"));
        assertTrue(e.getMessage().contains("'claude-api-key[0]' (line 2) proxy-url must be an HTTP proxy"), e.getMessage());
    }

    @Test
    void configKeysCarryTheirOwnLimitsAndTheLimitsSectionSetsDefaults() {
        TollgateConfig c = parse("api-keys:\n  - plain-key\n  - key: team-key\n    limits: {requests-per-minute: 5, budget-usd-per-month: 20}\n"
                + "limits:\n  per-key: {requests-per-minute: 60}\n  refuse-unpriced-models: true\n"
                + "rate-limit: {enabled: true, global-rpm: 100, per-key-rpm: 30}\n");
        assertEquals(List.of("plain-key", "team-key"), c.apiKeys());
        assertEquals(5L, c.apiKeyLimits().get("team-key").get(LimitSet.Kind.REQUESTS_PER_MINUTE).orElseThrow());
        assertFalse(c.apiKeyLimits().containsKey("plain-key"));
        assertEquals(60L, c.quota().perKey().get(LimitSet.Kind.REQUESTS_PER_MINUTE).orElseThrow(), "limits: wins over rate-limit:");
        assertEquals(100L, c.quota().global().get(LimitSet.Kind.REQUESTS_PER_MINUTE).orElseThrow());
        assertTrue(c.quota().refuseUnpriced());
        TollgateConfig off = parse("rate-limit: {enabled: false, global-rpm: 100}\n");
        assertTrue(off.quota().global().isEmpty(), "a disabled rate-limit block sets nothing");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void unnamedCompatibleProvidersAreNamedAfterTheirPrefixOrHost() {
        TollgateConfig c = parse("openai-compatibility:\n"
                + "  - api-key: a\n    base-url: https://api.deepseek.com\n    prefix: deepseek/\n    wire-api: chat\n"
                + "  - api-key: b\n    base-url: https://api.groq.com/openai/v1\n"
                + "  - api-key: c\n    base-url: https://api.groq.com/openai/v1\n");
        assertEquals(List.of("deepseek#1", "api.groq.com#1", "api.groq.com#2"),
                c.credentials().stream().map(ProviderCredential::label).toList(), "each credential keeps a label of its own");
    }
}
