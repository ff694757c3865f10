package dev.tollgate.app;

import dev.tollgate.access.ClientKeys;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.ConfigLocator;
import dev.tollgate.config.ConfigReloader;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LiveConfig;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.PayloadRules;
import dev.tollgate.route.Router;
import dev.tollgate.route.StoredCredentials;
import dev.tollgate.store.Database;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Puts a reloaded config into effect: builds the new routes and rules first (a failure there
 * refuses the file having changed nothing), then swaps each live part. Calls already running keep
 * the routes they started with (the gateway's snapshot); rests of credentials that did not change
 * and every limit counter carry over.
 */
final class Reconfiguration implements ConfigReloader.Target {
    private static final Logger LOG = Logger.getLogger(Reconfiguration.class.getName());
    /** How often every instance re-reads the stored credentials: a change made on one serves on all within it. */
    static final Duration STORED_REFRESH = Duration.ofSeconds(3);
    /** How often the config file is looked at; a change is applied once it has settled (two looks alike). */
    static final Duration CONFIG_WATCH = Duration.ofSeconds(1);

    private final Gateway gateway;
    private final ClientKeys keys;
    private final RateLimiter limiter;
    private final PriceTable prices;
    private final Cooldowns cooldowns;
    /** Credentials and the strategy kept outside the file (the database's), merged over the file's. */
    private final StoredCredentials stored;
    /**
     * The config this last put in force. A change of the stored credentials routes on it, not on the
     * live config, which a reload swaps only after {@link #apply} returns: in between, a stored
     * change must not bring the old file's routes back.
     */
    private TollgateConfig applied;

    Reconfiguration(TollgateConfig initial, Gateway gateway, ClientKeys keys, RateLimiter limiter, PriceTable prices,
                    Cooldowns cooldowns, StoredCredentials stored) {
        this.applied = initial;
        this.gateway = gateway;
        this.keys = keys;
        this.limiter = limiter;
        this.prices = prices;
        this.cooldowns = cooldowns;
        this.stored = stored;
    }

    /** The live parts a running gateway is changed through. */
    record Live(Gateway gateway, LiveConfig config, ConfigReloader reloader, StoredCredentials stored) {
    }

    /**
     * Builds the gateway on the file's config and the stored credentials, and keeps both current:
     * the file watched, the stored credentials re-read every {@link #STORED_REFRESH}.
     */
    static Live start(ConfigLocator locator, ConfigLocator.Loaded loaded, Database database, ClientKeys keys,
                      RateLimiter limiter, PriceTable prices, Upstreams upstreams, Cooldowns cooldowns,
                      ScheduledExecutorService timer, Clock clock) {
        TollgateConfig config = loaded.config();
        LiveConfig live = new LiveConfig(config, loaded.hash(), clock.instant());
        Reconfiguration[] self = new Reconfiguration[1]; // the stored credentials report changes to it once it exists
        StoredCredentials stored = new StoredCredentials(database, locator.masterPassword(), clock,
                () -> {
                    if (self[0] != null) {
                        self[0].storedChanged();
                    }
                });
        stored.refresh(); // before the first router: stored credentials serve from the first call
        Gateway gateway = new Gateway(keys, limiter, router(config, stored, cooldowns), cooldowns,
                new PayloadRules(config.payloadRules()), upstreams, config.timeouts(), config.input(), config.requestRetry(), timer);
        self[0] = new Reconfiguration(config, gateway, keys, limiter, prices, cooldowns, stored);
        ConfigReloader reloader = new ConfigReloader(locator, config.source(), live, self[0], clock);
        reloader.watch(timer, CONFIG_WATCH);
        timer.scheduleWithFixedDelay(() -> {
            try {
                stored.refresh();
            } catch (RuntimeException e) { // a thrown task never runs again: the refresh must outlive an outage
                LOG.warning("tollgate: cannot re-read the stored credentials (keeping the last ones): " + e.getMessage());
            }
        }, STORED_REFRESH.toMillis(), STORED_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return new Live(gateway, live, reloader, stored);
    }

    /** The stored credentials changed (here or on another instance): route with them, on the config in force. */
    private synchronized void storedChanged() {
        TollgateConfig config = applied;
        gateway.reroute(router(config, stored, cooldowns), new PayloadRules(config.payloadRules()), config.requestRetry());
    }

    /** The router a config makes, with the stored credentials after the file's and the dashboard's strategy over the file's. */
    static Router router(TollgateConfig config, StoredCredentials stored, Cooldowns cooldowns) {
        return new Router(stored.after(config.credentials()), stored.strategy().orElse(config.routing().strategy()), cooldowns, config.modelMappings());
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
    public synchronized void apply(TollgateConfig previous, TollgateConfig next) {
        Router router = router(next, stored, cooldowns);
        PayloadRules payload = new PayloadRules(next.payloadRules());
        RateLimiter.ConfigLimits limits = limits(next);
        // everything is built: from here on nothing refuses
        cooldowns.periods(next.routing().cooldown(), next.routing().maxCooldown());
        // the stored credentials are on both sides, under the same labels: their rests stay
        cooldowns.carryOver(kept(stored.after(previous.credentials()), stored.after(next.credentials())));
        prices.useOverrides(next.modelPrices());
        limiter.useConfig(limits);
        keys.useConfigured(next.apiKeys());
        TollgateListener.warnIfOpen(keys);
        gateway.reroute(router, payload, next.requestRetry());
        applied = next;
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
