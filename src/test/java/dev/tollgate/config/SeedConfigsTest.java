package dev.tollgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.config.ProviderCredential.Wire;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seed systems' example config files, kept verbatim in src/test/resources/seed-configs, load as they are. */
class SeedConfigsTest {
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger(ConfigLocator.class.getName()).addHandler(capture);
    }

    @AfterEach
    void stop() {
        Logger.getLogger(ConfigLocator.class.getName()).removeHandler(capture);
    }

    static Path seed(String name) {
        try {
            return Path.of(SeedConfigsTest.class.getResource("/seed-configs/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private TollgateConfig load(String name) {
        return new ConfigLocator(n -> Optional.empty(), Map.of("user.home", "/tmp")::get, Map.of()).read(seed(name)).config();
    }

    private static ProviderCredential only(TollgateConfig c, String provider) {
        List<ProviderCredential> found = c.credentials().stream().filter(p -> p.provider().equals(provider)).toList();
        assertEquals(1, found.size(), provider + " in " + c.credentials());
        return found.get(0);
    }

    private boolean warned(String text) {
        return logged.stream().anyMatch(l -> l.contains(text));
    }

    @Test
    void theQuantumSpringForksFileLoadsWithEveryProviderAndItsPersistence() {
        TollgateConfig c = load("quantumspring-fork.yaml");
        assertEquals(List.of("your-api-key-1", "your-api-key-2"), c.apiKeys());
        assertEquals(100, c.persistence().bufferSize());
        assertEquals(Duration.ofSeconds(10), c.persistence().flushInterval());
        assertEquals(90, c.persistence().retentionDays());
        assertEquals(seed("quantumspring-fork.yaml").getParent().resolve("data/usage.db").normalize(), c.persistence().path());
        assertEquals(3, c.requestRetry());
        assertTrue(c.dashboardEnabled());
        // generative-language-api-key is a plain list of Gemini keys: none may be dropped
        assertEquals(2, c.credentials().stream().filter(p -> p.wire() == Wire.GEMINI).count());
        // base-url: "" means the provider's own; proxy-url: "" a direct connection
        assertEquals(URI.create("https://api.anthropic.com"), only(c, "anthropic").baseUrl());
        assertEquals(Optional.empty(), only(c, "anthropic").proxy());
        assertEquals(URI.create("https://api.openai.com/v1"), only(c, "codex").baseUrl());
        ProviderCredential openrouter = only(c, "openrouter");
        assertEquals("kimi-k2", openrouter.models().get(0).alias().orElseThrow());
        assertEquals("moonshotai/kimi-k2:free", openrouter.models().get(0).id());
        // what a WAR cannot honour is said, once each, with what to use instead
        for (String key : List.of("'port' (line 5)", "'auth-dir' (line 6)", "'debug'", "'logging-to-file'",
                "'remote-management'", "'quota-exceeded'", "'quantumspring.bind-address'", "'quantumspring.basic-auth'")) {
            assertTrue(warned(key), key + " not in " + logged);
        }
        assertFalse(warned("unknown key"), logged.toString());
    }

    @Test
    void theCliProxyApiExampleTurnsStatisticsOff() {
        TollgateConfig c = load("cliproxyapi-example.yaml");
        assertFalse(c.usageStatisticsEnabled());
        assertEquals(2, c.apiKeys().size());
        assertTrue(c.credentials().isEmpty());
        assertTrue(warned("'ws-auth'"), logged.toString());
        assertFalse(warned("unknown key"), logged.toString());
    }

    @Test
    void theRustGatewaysExampleKeepsItsTimeoutsRoutingAndProviders() {
        TollgateConfig c = load("rust-gateway-example.yaml");
        assertTrue(c.apiKeys().isEmpty());
        assertEquals(TollgateConfig.Routing.Strategy.ROUND_ROBIN, c.routing().strategy());
        assertEquals(3, c.requestRetry());
        assertEquals(Duration.ofSeconds(30), c.timeouts().connect());
        assertEquals(Duration.ofSeconds(300), c.timeouts().request());
        assertEquals(Duration.ofSeconds(15), c.timeouts().keepAlive());
        assertEquals("sk-ant-your-claude-key", only(c, "anthropic").apiKey());
        assertEquals("sk-your-openai-key", only(c, "openai").apiKey());
        assertEquals("your-gemini-key", only(c, "gemini").apiKey());
        for (String key : List.of("'host'", "'port'", "'max-retry-interval'", "'debug'", "'logging-to-file'")) {
            assertTrue(warned(key), key + " not in " + logged);
        }
        assertFalse(warned("unknown key"), logged.toString());
    }

    @Test
    void theRustGatewaysReadmeConfigSetsItsRateLimitsAndAnUnnamedCompatibleProvider() {
        TollgateConfig c = load("rust-gateway-readme.yaml");
        assertEquals(60L, c.quota().global().get(Kind.REQUESTS_PER_MINUTE).orElseThrow());
        assertEquals(30L, c.quota().perKey().get(Kind.REQUESTS_PER_MINUTE).orElseThrow());
        ProviderCredential deepseek = only(c, "deepseek");
        assertEquals(Optional.of("deepseek"), deepseek.prefix());
        assertEquals(URI.create("https://api.deepseek.com"), deepseek.baseUrl());
        assertEquals("sonnet", only(c, "anthropic").models().get(0).alias().orElseThrow());
        assertEquals("my-custom-model", c.modelPrices().get(0).model());
        assertFalse(warned("unknown key"), logged.toString());
    }
}
