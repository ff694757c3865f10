package dev.tollgate.it.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Accounts;
import dev.tollgate.access.Caller;
import dev.tollgate.access.ClientKeys;
import dev.tollgate.access.IssuedKey;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.LimitSet;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.limit.Subject;
import dev.tollgate.metrics.MetricsQuery;
import dev.tollgate.metrics.MetricsService;
import dev.tollgate.store.CopyStore;
import dev.tollgate.store.Database;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented migration path: a SQLite store with users, keys, limits and records copied into
 * a real PostgreSQL, read back through the gateway's own classes; a second copy adds nothing.
 */
class CopyStoreIT {
    @TempDir
    Path dir;

    @Test
    void aSqliteStoreMovesToPostgresqlWhole() throws Exception {
        Path file = dir.resolve("tollgate.db");
        Database sqlite = Database.open(file, false);
        sqlite.migrate();
        Accounts accounts = new Accounts(new ClientKeys(List.of(), sqlite, Clock.systemUTC()));
        accounts.createUser(Optional.of("ana"), "Ana", Optional.of("search"));
        IssuedKey key = accounts.issueKey("ana", Optional.of("laptop"), Optional.empty());
        new RateLimiter(sqlite, "copy-test", LimitSet.NONE, 1, PriceTable.withOverrides(List.of()), Clock.systemUTC())
                .setLimits(Subject.user("ana"), new LimitSet(Map.of(LimitSet.Kind.REQUESTS_PER_DAY, 500L)));
        List<UsageRecord> records = new ArrayList<>();
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        for (int i = 0; i < 2500; i++) {
            records.add(new UsageRecord(UUID.randomUUID().toString(), t.plusSeconds(i), "/v1/chat/completions", i % 2 == 0,
                    "gpt-4o", "gpt-4o", "openai", "openai#1",
                    new Caller(KeyFingerprint.of(key.secret()), key.key().id(), "ana"), 200, 10 + i, null,
                    new TokenUsage(100 + i, 20, 120 + i, 5, 1), UsageQuality.REPORTED, null, null, 1, true,
                    new Charge(1_000_000L + i, 1, 2, 3)));
        }
        new UsageTable(sqlite, "old-box").insert(records);
        sqlite.close();

        PostgresServer pg = PostgresServer.start();
        DirectPostgresDataSource target = new DirectPostgresDataSource();
        target.setUrl(pg.url());
        target.setUser(pg.user());
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        CopyStore.copy(file, target, new PrintStream(report, true));
        assertTrue(report.toString().contains("usage_records: 2500 read, 2500 written"), report.toString());

        Database postgres = Database.of(target, "test");
        MetricsQuery q = MetricsQuery.parse("2026-11-20", "2026-11-21", null, "day", Instant.now());
        var report1 = new MetricsService(postgres).report(q);
        assertEquals(2500, report1.totals().requests());
        long tokens = records.stream().mapToLong(r -> r.tokens().total()).sum();
        assertEquals(tokens, report1.totals().tokens());
        long cost = records.stream().mapToLong(r -> r.charge().costPicoUsd()).sum();
        assertEquals(new BigDecimal(cost).movePointLeft(12).stripTrailingZeros(), report1.totals().costUsd());
        assertEquals(List.of("ana"), report1.byUser().stream().map(g -> g.key()).toList());

        ClientKeys keysOnPg = new ClientKeys(List.of(), postgres, Clock.systemUTC());
        assertEquals(Optional.of(new Caller(KeyFingerprint.of(key.secret()), key.key().id(), "ana")),
                keysOnPg.authenticate(Optional.of(key.secret())), "the issued key works against the new store");
        assertEquals(new LimitSet(Map.of(LimitSet.Kind.REQUESTS_PER_DAY, 500L)),
                new RateLimiter(postgres, "copy-test", LimitSet.NONE, 1, PriceTable.withOverrides(List.of()), Clock.systemUTC())
                        .limitsOf(Subject.user("ana")));

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        CopyStore.copy(file, target, new PrintStream(again, true));
        assertTrue(again.toString().contains("usage_records: 2500 read, 0 written"), "re-running adds nothing: " + again);
        assertEquals(2500, new MetricsService(postgres).report(q).totals().requests());
    }
}
