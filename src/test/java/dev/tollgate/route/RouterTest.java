package dev.tollgate.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.ProviderCredential.ModelEntry;
import dev.tollgate.config.ProviderCredential.Wire;
import dev.tollgate.config.ProviderCredential.WireSettings;
import dev.tollgate.config.TollgateConfig;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static ProviderCredential cred(String label, List<ModelEntry> models, String prefix, List<String> excluded,
                                           int weight, boolean disabled) {
        return new ProviderCredential("p-" + label, Wire.OPENAI, label, "secret", URI.create("https://x/v1"), models,
                Optional.ofNullable(prefix), excluded, Map.of(), weight, disabled, WireSettings.None.INSTANCE, Optional.empty());
    }

    private static ModelEntry m(String id, String alias) {
        return new ModelEntry(id, Optional.ofNullable(alias));
    }

    @Test
    void aliasIdPrefixAndCatchAll() {
        Router r = new Router(List.of(
                cred("a", List.of(m("gpt-4o", "fast")), "oa", List.of(), 1, false),
                cred("ds", List.of(), "deepseek", List.of(), 1, false),
                cred("any", List.of(), null, List.of("*-preview"), 1, false)));
        assertEquals(List.of(new Route(r.routes("fast").get(0).credential(), "gpt-4o")), r.routes("fast"));
        assertEquals("a", r.routes("gpt-4o").get(0).credential().label());
        assertEquals("gpt-4o", r.routes("oa/fast").get(0).upstreamModel());
        assertEquals("deepseek-chat", r.routes("deepseek/deepseek-chat").get(0).upstreamModel());
        assertEquals("ds", r.routes("deepseek/deepseek-chat").get(0).credential().label());
        assertEquals("any", r.routes("o3-mini").get(0).credential().label());
        assertTrue(r.routes("o3-preview").isEmpty(), "excluded by glob");
        assertTrue(r.routes("oa/unknown").isEmpty(), "a prefixed credential with a model list serves only those");
    }

    @Test
    void disabledAndExcludedNeverMatch() {
        Router r = new Router(List.of(
                cred("off", List.of(m("gpt-4o", null)), null, List.of(), 1, true),
                cred("ex", List.of(m("gpt-4o", null)), null, List.of("gpt-4*"), 1, false)));
        assertTrue(r.routes("gpt-4o").isEmpty());
        assertTrue(r.listings().isEmpty());
    }

    @Test
    void weightedRotationSpreadsTheFirstChoiceAndKeepsTheRestAsFallbacks() {
        Router r = new Router(List.of(
                cred("one", List.of(m("gpt-4o", null)), null, List.of(), 1, false),
                cred("three", List.of(m("gpt-4o", null)), null, List.of(), 3, false)));
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            List<Route> routes = r.routes("gpt-4o");
            assertEquals(2, routes.size());
            firsts.merge(routes.get(0).credential().label(), 1, Integer::sum);
        }
        assertEquals(100, firsts.get("one"));
        assertEquals(300, firsts.get("three"));
    }

    @Test
    void listingsNameIdsAliasesAndPrefixedIds() {
        Router r = new Router(List.of(cred("a", List.of(m("gpt-4o", "fast")), "oa", List.of(), 1, false)));
        assertEquals(List.of("gpt-4o", "fast", "oa/gpt-4o"), r.listings().stream().map(Router.Listing::id).toList());
        assertEquals("p-a", r.listings().get(0).ownedBy());
    }

    @Test
    void fillFirstKeepsConfigOrderAndCoolingCredentialsGoLast() {
        AtomicReference<Instant> now =
                new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        Cooldowns cooldowns = new Cooldowns(Duration.ofSeconds(10), Duration.ofSeconds(60), clock);
        ProviderCredential a = cred("a", List.of(m("gpt-4o", null)), null, List.of(), 1, false);
        ProviderCredential b = cred("b", List.of(m("gpt-4o", null)), null, List.of(), 1, false);
        ProviderCredential c = cred("c", List.of(m("gpt-4o", null)), null, List.of(), 1, false);
        Router r = new Router(List.of(a, b, c), TollgateConfig.Routing.Strategy.FILL_FIRST, cooldowns);
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("a", "b", "c"), labels(r.routes("gpt-4o")), "fill-first: always config order");
        }
        cooldowns.failed(a, Optional.of(Duration.ofSeconds(30)), "429");
        cooldowns.failed(b, Optional.empty(), "502");
        assertEquals(List.of("c", "b", "a"), labels(r.routes("gpt-4o")), "resting ones last, soonest back first");
        now.set(now.get().plusSeconds(11));
        assertEquals(List.of("b", "c", "a"), labels(r.routes("gpt-4o")), "b rested its 10 s");
        cooldowns.failed(b, Optional.empty(), "502");
        assertEquals(Instant.parse("2026-11-23T10:00:31Z"), cooldowns.snapshot().get("b").until(),
                "a second failure in a row doubles the rest: 20 s");
        cooldowns.succeeded(b);
        now.set(now.get().plusSeconds(30));
        assertEquals(List.of("a", "b", "c"), labels(r.routes("gpt-4o")));
        assertEquals(2, cooldowns.restsStarted("b"), "metrics count every rest, though a success ended the last");
        assertEquals(1, cooldowns.restsStarted("a"));
        assertEquals(0, cooldowns.restsStarted("c"));
    }

    @Test
    void wildcardsAndExplicitMappings() {
        ProviderCredential openai = cred("oa", List.of(m("gpt-4*", null)), "openai", List.of("gpt-4-32k"), 1, false);
        ProviderCredential gem = new ProviderCredential("gemini", Wire.GEMINI, "gemini#1", "k", URI.create("https://g"),
                List.of(), Optional.empty(), List.of(), Map.of(), 1, false, WireSettings.None.INSTANCE, Optional.empty());
        Router r = new Router(List.of(openai, gem), TollgateConfig.Routing.Strategy.ROUND_ROBIN,
                new Cooldowns(Duration.ZERO, Duration.ZERO, Clock.systemUTC()),
                Map.of("gpt-4", "openai/gpt-4.1", "gemini-pro", "gemini:gemini-2.5-pro"));
        assertEquals("gpt-4o-mini", r.routes("gpt-4o-mini").get(0).upstreamModel(), "a wildcard serves the name asked");
        assertEquals("oa", r.routes("gpt-4o-mini").get(0).credential().label());
        assertTrue(r.routes("gpt-4-32k").stream().noneMatch(x -> x.credential().label().equals("oa")), "still excluded");
        assertEquals("gpt-4.1", r.routes("gpt-4").get(0).upstreamModel(), "mapped to a prefixed name");
        assertEquals(List.of(new Route(gem, "gemini-2.5-pro")), r.routes("gemini-pro"), "mapped to a provider's model");
        assertTrue(r.listings().stream().noneMatch(l -> l.id().contains("*")), "patterns are not names to list");
        assertTrue(r.listings().stream().anyMatch(l -> l.id().equals("gemini-pro")));
    }

    private static List<String> labels(List<Route> routes) {
        return routes.stream().map(x -> x.credential().label()).toList();
    }
}
