package dev.tollgate.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.store.Database;
import dev.tollgate.usage.Charge;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import dev.tollgate.usage.UsageRecord;
import dev.tollgate.usage.UsageTable;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits set on keys and users are stored, and what was used is rebuilt from the records after a restart. */
class LimitsPersistenceTest {
    private static final Caller BOB = new Caller(KeyFingerprint.of("sk-proxy-bob"), "key-b", "bob");
    private static final Caller BOB_OTHER_KEY = new Caller(KeyFingerprint.of("sk-proxy-bob2"), "key-b2", "bob");

    @TempDir
    Path dir;
    private Database db;
    private final AtomicLong now = new AtomicLong(Instant.parse("2026-11-23T10:00:00Z").toEpochMilli());

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("limits.db"), false);
        db.migrate();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private RateLimiter limiter() {
        return new RateLimiter(new LimitStore(db), LimitSet.NONE, 10, PriceTable.withOverrides(List.of()), now::get);
    }

    private static RateLimiter.Request request() {
        return new RateLimiter.Request("gpt-4o", () -> 5, OptionalLong.of(5));
    }

    private UsageRecord record(Caller c, Instant at, long tokens, long cost, boolean admitted) {
        return new UsageRecord(UUID.randomUUID().toString(), at, "/v1/chat/completions", false, "gpt-4o",
                "gpt-4o", "openai", "openai#1", c, admitted ? 200 : 429, 5, null, TokenUsage.of(tokens, 0),
                UsageQuality.REPORTED, null, null, 1, admitted, new Charge(cost, 1, 1, 1));
    }

    @Test
    void limitsAreStoredPerSubjectAndAUserLimitCoversAllTheirKeys() throws Exception {
        RateLimiter l = limiter();
        l.setLimits(Subject.user("bob"), new LimitSet(Map.of(Kind.REQUESTS_PER_DAY, 3L)));
        l.setLimits(Subject.key("key-b"), new LimitSet(Map.of(Kind.REQUESTS_PER_MINUTE, 2L)));
        assertEquals(new LimitSet(Map.of(Kind.REQUESTS_PER_DAY, 3L)), limiter().limitsOf(Subject.user("bob")),
                "a new instance reads them back");

        l.admit(BOB, request()).settle(10, 0);
        l.admit(BOB, request()).settle(10, 0);
        LimitExceeded perKey = assertThrows(LimitExceeded.class, () -> l.admit(BOB, request()));
        assertTrue(perKey.getMessage().contains("key key-b"), perKey.getMessage());
        l.admit(BOB_OTHER_KEY, request()).settle(10, 0);
        LimitExceeded perUser = assertThrows(LimitExceeded.class, () -> l.admit(BOB_OTHER_KEY, request()));
        assertTrue(perUser.getMessage().contains("user bob"), perUser.getMessage());

        l.setLimits(Subject.user("bob"), LimitSet.NONE);
        l.admit(BOB_OTHER_KEY, request());
        assertEquals(LimitSet.NONE, limiter().limitsOf(Subject.user("bob")));
    }

    @Test
    void whatWasUsedSurvivesARestart() throws Exception {
        Instant t = Instant.ofEpochMilli(now.get());
        List<UsageRecord> past = new ArrayList<>();
        past.add(record(BOB, t.minusSeconds(20), 100, 1_000, true));
        past.add(record(BOB, t.minusSeconds(10), 100, 1_000, true));
        past.add(record(BOB, t.minusSeconds(5), 100, 1_000, false)); // refused: does not count
        past.add(record(BOB, t.minusSeconds(3 * 3600), 100, 1_000, true)); // outside the minute, inside the day
        past.add(record(BOB_OTHER_KEY, t.minusSeconds(1), 100, 1_000, true));
        new UsageTable(db, "test").insert(past);

        RateLimiter l = limiter();
        l.setLimits(Subject.key("key-b"), new LimitSet(Map.of(Kind.REQUESTS_PER_MINUTE, 3L)));
        Map<Kind, Long> used = l.used(Subject.key("key-b"));
        assertEquals(2, used.get(Kind.REQUESTS_PER_MINUTE));
        assertEquals(3, used.get(Kind.REQUESTS_PER_DAY));
        assertEquals(300, used.get(Kind.TOTAL_TOKENS));
        assertEquals(3_000, used.get(Kind.BUDGET_USD_PER_MONTH));
        assertEquals(4, l.used(Subject.user("bob")).get(Kind.REQUESTS_PER_DAY));

        Permit p = l.admit(BOB, request());
        assertEquals("0", p.headers().get("x-ratelimit-remaining-requests"));
        assertThrows(LimitExceeded.class, () -> l.admit(BOB, request()), "the restart did not reset the limit");
    }
}
