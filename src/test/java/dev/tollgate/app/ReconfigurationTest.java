package dev.tollgate.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.ClientKeys;
import dev.tollgate.config.ConfigParser;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.PayloadRules;
import dev.tollgate.route.StoredCredentials;
import dev.tollgate.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload carries over: the rests of credentials that are the same upstream account in both files. */
class ReconfigurationTest {
    private static List<ProviderCredential> credentials(String yaml) {
        return new ConfigParser(UnaryOperator.identity(), w -> { }).parse(yaml, Optional.empty(), Path.of("x.db")).credentials();
    }

    @Test
    void aCredentialThatMovedKeepsItsRestAndOneWhoseKeyChangedStartsClean() {
        List<ProviderCredential> before = credentials("openai-api-key:\n  - api-key: sk-a\n  - api-key: sk-b\n");
        // a new key first (labels shift), sk-a unchanged further down, sk-b rotated to sk-b2
        List<ProviderCredential> after = credentials("openai-api-key:\n  - api-key: sk-new\n  - api-key: sk-a\n"
                + "    weight: 3\n  - api-key: sk-b2\n");
        Map<String, String> kept = Reconfiguration.kept(before, after);
        assertEquals(Map.of("openai#1", "openai#2"), kept);

        Cooldowns cooldowns = new Cooldowns(Duration.ofMinutes(1), Duration.ofMinutes(5), Clock.systemUTC());
        cooldowns.failed(before.get(0), Optional.empty(), "429");
        cooldowns.failed(before.get(1), Optional.empty(), "500");
        cooldowns.carryOver(kept);
        assertFalse(cooldowns.cooling(after.get(0)), "the new key was never rested");
        assertTrue(cooldowns.cooling(after.get(1)), "sk-a is still resting under its new label");
        assertFalse(cooldowns.cooling(after.get(2)), "a rotated key starts with a clean slate");
        assertEquals(1, cooldowns.snapshot().get("openai#2").failures());
    }

    @TempDir
    Path dir;

    @Test
    void aFileReloadKeepsTheRestsAndRoutesOfTheStoredCredentials() {
        Database db = Database.open(dir.resolve("t.db"), false);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            db.migrate();
            Clock clock = Clock.systemUTC();
            StoredCredentials stored = new StoredCredentials(db, Optional.of("master"), clock, () -> { });
            stored.refresh();
            ProviderCredential kept = stored.add("openai", "{\"name\":\"kept\",\"base-url\":\"https://kept.example\","
                    + "\"models\":[{\"id\":\"kept-model\"}]}", "{\"api-key\":\"sk-kept\"}").credential();
            TollgateConfig before = new ConfigParser(UnaryOperator.identity(), w -> { })
                    .parse("openai-api-key:\n  - api-key: sk-a\n", Optional.empty(), dir.resolve("x.db"));
            TollgateConfig after = new ConfigParser(UnaryOperator.identity(), w -> { })
                    .parse("openai-api-key:\n  - api-key: sk-b\n", Optional.empty(), dir.resolve("x.db"));
            Cooldowns cooldowns = new Cooldowns(Duration.ofMinutes(1), Duration.ofMinutes(5), clock);
            ClientKeys keys = new ClientKeys(List.of(), db, clock);
            PriceTable prices = PriceTable.withOverrides(List.of());
            RateLimiter limiter = new RateLimiter(db, "i", LimitSet.NONE, 256, prices, clock);
            Gateway gateway = new Gateway(keys, limiter, Reconfiguration.router(before, stored, cooldowns), cooldowns,
                    new PayloadRules(List.of()), c -> null, before.timeouts(), before.input(), 1, timer);
            Reconfiguration r = new Reconfiguration(before, gateway, keys, limiter, prices, cooldowns, stored);
            cooldowns.failed(kept, Optional.empty(), "429");
            r.apply(before, after);
            assertTrue(cooldowns.cooling(kept), "a file reload leaves the stored credential's rest alone");
            assertEquals(kept.label(), gateway.router().preview("kept-model").get(0).credential().label(),
                    "and it still routes");
        } finally {
            timer.shutdownNow();
            db.close();
        }
    }
}
