package dev.tollgate.app;

import dev.tollgate.access.ClientKeys;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.ConfigReloader;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.PayloadRules;
import dev.tollgate.route.Router;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Puts a reloaded config into effect: builds the new routes and rules first (a failure there
 * refuses the file having changed nothing), then swaps each live part. Calls already running keep
 * the routes they started with (the gateway's snapshot); rests of credentials that did not change
 * and every limit counter carry over.
 */
final class Reconfiguration implements ConfigReloader.Target {
    private final Gateway gateway;
    private final ClientKeys keys;
    private final RateLimiter limiter;
    private final PriceTable prices;
    private final Cooldowns cooldowns;
    /** Credentials kept outside the file (the database's), merged after the file's. */
    private final Supplier<List<ProviderCredential>> stored;

    Reconfiguration(Gateway gateway, ClientKeys keys, RateLimiter limiter, PriceTable prices, Cooldowns cooldowns,
                    Supplier<List<ProviderCredential>> stored) {
        this.gateway = gateway;
        this.keys = keys;
        this.limiter = limiter;
        this.prices = prices;
        this.cooldowns = cooldowns;
        this.stored = stored;
    }

    /** The router a config makes, with the stored credentials after the file's. */
    static Router router(TollgateConfig config, List<ProviderCredential> stored, Cooldowns cooldowns) {
        List<ProviderCredential> all = new ArrayList<>(config.credentials());
        all.addAll(stored);
        return new Router(all, config.routing().strategy(), cooldowns, config.modelMappings());
    }

    /** The limits the config file sets, with its keys by hash. */
    static RateLimiter.ConfigLimits limits(TollgateConfig config) {
        Map<String, LimitSet> byHash = new HashMap<>();
        config.apiKeys().stream().filter(k -> !k.isBlank())
                .forEach(k -> byHash.put(KeyFingerprint.sha256(k), config.apiKeyLimits().getOrDefault(k, LimitSet.NONE)));
        return new RateLimiter.ConfigLimits(config.quota().global(), config.quota().perKey(), byHash,
                config.quota().refuseUnpriced());
    }

    @Override
    public void apply(TollgateConfig previous, TollgateConfig next) {
        Router router = router(next, stored.get(), cooldowns);
        PayloadRules payload = new PayloadRules(next.payloadRules());
        RateLimiter.ConfigLimits limits = limits(next);
        // everything is built: from here on nothing refuses
        cooldowns.periods(next.routing().cooldown(), next.routing().maxCooldown());
        cooldowns.carryOver(kept(previous.credentials(), next.credentials()));
        prices.useOverrides(next.modelPrices());
        limiter.useConfig(limits);
        keys.useConfigured(next.apiKeys());
        gateway.reroute(router, payload, next.requestRetry());
    }

    /**
     * Label before → label after, for each credential that is the same upstream account in both
     * (provider, wire, base URL and key): its rest is still true, whatever else changed around it.
     */
    static Map<String, String> kept(List<ProviderCredential> before, List<ProviderCredential> after) {
        Map<Account, String> now = new LinkedHashMap<>();
        after.forEach(c -> now.putIfAbsent(Account.of(c), c.label()));
        Map<String, String> kept = new HashMap<>();
        before.forEach(c -> {
            String label = now.get(Account.of(c));
            if (label != null) {
                kept.put(c.label(), label);
            }
        });
        return kept;
    }

    private record Account(String provider, ProviderCredential.Wire wire, URI baseUrl, String apiKey) {
        static Account of(ProviderCredential c) {
            return new Account(c.provider(), c.wire(), c.baseUrl(), c.apiKey());
        }
    }
}
