package dev.tollgate.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.config.TollgateConfig.ModelPrice;
import dev.tollgate.cost.PriceTable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final Caller ALICE_KEY = new Caller(KeyFingerprint.of("sk-proxy-alice"), "key-a", "alice");
    /** $1 per million input tokens, $2 per million output: 1,000,000 and 2,000,000 pico-USD per token. */
    private static final PriceTable PRICES = PriceTable.withOverrides(List.of(
            new ModelPrice("m", BigDecimal.ONE, BigDecimal.valueOf(2), Optional.empty())));

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    private RateLimiter limiter(LimitSet global) {
        return new RateLimiter((LimitStore) null, global, 100, PRICES, now::get);
    }

    private static RateLimiter.Request request(long prompt, Long maxOutput) {
        return new RateLimiter.Request("m", () -> prompt, maxOutput == null ? OptionalLong.empty() : OptionalLong.of(maxOutput));
    }

    private static LimitSet limits(Kind kind, long value) {
        return new LimitSet(Map.of(kind, value));
    }

    @Test
    void refusalsAreCountedByKindAndBudgetsLeftAreReadForMetrics() throws Exception {
        RateLimiter l = limiter(new LimitSet(Map.of(Kind.REQUESTS_PER_MINUTE, 2L,
                Kind.BUDGET_USD_PER_DAY, LimitSet.picoUsd(BigDecimal.ONE))));
        l.admit(ALICE_KEY, request(1, 1L)).settle(1000, 250_000_000_000L); // $0.25
        l.admit(ALICE_KEY, request(1, 1L)).settle(10, 0);
        for (int i = 0; i < 3; i++) {
            assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(1, 1L)));
        }
        assertEquals(Map.of("requests_per_minute", 3L), l.refusals());
        assertEquals(List.of(new RateLimiter.Remaining(Subject.GLOBAL, Kind.BUDGET_USD_PER_DAY, 750_000_000_000L)),
                l.budgetsLeft(10));
        assertEquals(List.of(), l.budgetsLeft(0), "no more subjects than asked for");
        assertEquals("gateway", Subject.GLOBAL.label());
        assertEquals("key:config-1a2b3c4d", Subject.key(RateLimiter.CONFIG_KEY + "1a2b3c4d5e6f").label());
    }

    @Test
    void noBurstAcrossAWindowBoundary() throws Exception {
        RateLimiter l = limiter(limits(Kind.REQUESTS_PER_MINUTE, 10));
        Random random = new Random(42);
        List<Long> admitted = new ArrayList<>();
        long start = now.get();
        while (now.get() < start + 600_000) {
            now.addAndGet(random.nextInt(3_000));
            // bursts: several requests at the very same instant, often right at slot edges
            for (int i = 0; i < 1 + random.nextInt(6); i++) {
                try {
                    l.admit(ALICE_KEY, request(1, 1L)).settle(2, 0);
                    admitted.add(now.get());
                } catch (LimitExceeded e) {
                    assertTrue(e.retryAfterSeconds() >= 1 && e.retryAfterSeconds() <= 61, "retry " + e.retryAfterSeconds());
                }
            }
        }
        for (long t : admitted) {
            long inWindow = admitted.stream().filter(a -> a > t - 60_000 && a <= t).count();
            assertTrue(inWindow <= 10, inWindow + " requests in the 60 s before " + t);
        }
        // and the window does free again: over 10 minutes at least 9 full windows' worth got through
        assertTrue(admitted.size() >= 90, "admitted " + admitted.size());
    }

    @Test
    void headersCountDownThenTheRefusalSaysWhenAndTheyResetAfterTheWindow() throws Exception {
        RateLimiter g = limiter(new LimitSet(Map.of(Kind.REQUESTS_PER_MINUTE, 3L, Kind.TOKENS_PER_MINUTE, 1000L)));
        List<String> remaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Permit p = g.admit(ALICE_KEY, request(50, 50L));
            assertEquals("3", p.headers().get("x-ratelimit-limit-requests"));
            assertEquals("1000", p.headers().get("x-ratelimit-limit-tokens"));
            remaining.add(p.headers().get("x-ratelimit-remaining-requests"));
            assertEquals(Long.toString(1000 - 100L * (i + 1)), p.headers().get("x-ratelimit-remaining-tokens"));
            p.settle(100, 0);
            now.addAndGet(10_000);
        }
        assertEquals(List.of("2", "1", "0"), remaining);
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> g.admit(ALICE_KEY, request(50, 50L)));
        // the first request was at t0, now is t0+30 s: its slot leaves the window at t0+61 s at the latest
        assertTrue(e.retryAfterSeconds() >= 30 && e.retryAfterSeconds() <= 31, "retry-after " + e.retryAfterSeconds());
        assertEquals(Long.toString(e.retryAfterSeconds()), e.headers().get("retry-after"));
        assertEquals("0", e.headers().get("x-ratelimit-remaining-requests"));
        assertTrue(e.getMessage().contains("requests per minute") && e.getMessage().contains("limit 3"), e.getMessage());
        now.addAndGet(e.retryAfterSeconds() * 1000);
        Permit again = g.admit(ALICE_KEY, request(50, 50L));
        assertEquals("0", again.headers().get("x-ratelimit-remaining-requests"), "one left the window, one came in");
        now.addAndGet(61_000);
        assertEquals("2", g.admit(ALICE_KEY, request(50, 50L)).headers().get("x-ratelimit-remaining-requests"));
    }

    @Test
    void aBudgetIsRefusedUntilTheDayWindowFrees() throws Exception {
        // $0.01 a day; each call costs 1,000 in + 4,000 out tokens = $0.001 + $0.008 = $0.009
        RateLimiter l = limiter(limits(Kind.BUDGET_USD_PER_DAY, LimitSet.picoUsd(new BigDecimal("0.01"))));
        Permit first = l.admit(ALICE_KEY, request(1000, 4000L));
        first.settle(5000, 9_000_000_000L);
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(1000, 4000L)),
                "a second $0.009 call would pass $0.01");
        assertTrue(e.quota());
        assertTrue(e.getMessage().contains("budget per day") && e.getMessage().contains("0.009"), e.getMessage());
        now.addAndGet(12 * 3_600_000L);
        assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(1000, 4000L)), "still within the day");
        now.addAndGet(12 * 3_600_000L + 5 * 60_000L);
        l.admit(ALICE_KEY, request(1000, 4000L)); // the first call has left the 24 h window
    }

    @Test
    void reservationsStopConcurrentRequestsOvershootingTogetherAndSettleToTheTruth() throws Exception {
        RateLimiter l = limiter(limits(Kind.TOKENS_PER_MINUTE, 1000));
        Permit a = l.admit(ALICE_KEY, request(200, 200L)); // reserves 400
        Permit b = l.admit(ALICE_KEY, request(200, 200L)); // 800
        assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(200, 200L)), "1200 would exceed 1000");
        a.settle(100, 0); // a used far less than it reserved
        b.settle(100, 0);
        assertEquals(200, l.used(Subject.GLOBAL).get(Kind.TOKENS_PER_MINUTE));
        l.admit(ALICE_KEY, request(200, 200L));
        a.settle(999_999, 0);
        assertEquals(600, l.used(Subject.GLOBAL).get(Kind.TOKENS_PER_MINUTE), "a permit settles once");
    }

    @Test
    void aPromptIsReservedAtItsBoundAndTokenizedOnlyWhenTheBoundDoesNotFit() throws Exception {
        RateLimiter l = limiter(new LimitSet(Map.of(Kind.TOKENS_PER_MINUTE, 1000L, Kind.REQUESTS_PER_MINUTE, 3L)));
        AtomicInteger tokenized = new AtomicInteger();
        RateLimiter.Request boundOf600 = new RateLimiter.Request("m", () -> {
            tokenized.incrementAndGet();
            return 50;
        }, () -> 600, OptionalLong.of(0));
        Permit far = l.admit(ALICE_KEY, boundOf600);
        assertEquals(0, tokenized.get(), "far from the limit the bound decides");
        assertEquals(600, l.used(Subject.GLOBAL).get(Kind.TOKENS_PER_MINUTE), "the bound is what is reserved");
        Permit near = l.admit(ALICE_KEY, boundOf600); // 1200 would not fit, 650 does
        assertEquals(1, tokenized.get());
        assertEquals(650, l.used(Subject.GLOBAL).get(Kind.TOKENS_PER_MINUTE), "near it the count is reserved");
        LimitExceeded full = assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(400, 0L)));
        assertTrue(full.getMessage().contains("requested about 400"), full.getMessage());
        far.settle(40, 0);
        near.settle(45, 0);
        assertEquals(85, l.used(Subject.GLOBAL).get(Kind.TOKENS_PER_MINUTE), "each settles to the truth");
        l.admit(ALICE_KEY, boundOf600);
        LimitExceeded requests = assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, boundOf600));
        assertEquals(Kind.REQUESTS_PER_MINUTE, requests.kind());
        assertEquals(1, tokenized.get(), "a refusal on requests needs no count");
    }

    @Test
    void theConcurrencyCapCountsCallsInFlight() throws Exception {
        RateLimiter l = limiter(limits(Kind.MAX_CONCURRENT, 2));
        Permit a = l.admit(ALICE_KEY, request(1, 1L));
        l.admit(ALICE_KEY, request(1, 1L));
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(1, 1L)));
        assertEquals(Kind.MAX_CONCURRENT, e.kind());
        a.settle(2, 0);
        l.admit(ALICE_KEY, request(1, 1L));
    }

    @Test
    void theTotalTokenLimitIsAQuotaThatDoesNotSlide() throws Exception {
        RateLimiter l = limiter(limits(Kind.TOTAL_TOKENS, 500));
        l.admit(ALICE_KEY, request(100, 300L)).settle(450, 0);
        now.addAndGet(40L * 24 * 3_600_000L);
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(10, 100L)));
        assertTrue(e.quota());
        l.admit(ALICE_KEY, request(10, 40L)); // 450 + 50 fits exactly
    }

    @Test
    void manyThreadsOnOneLimitGetExactlyTheLimitThrough() throws Exception {
        RateLimiter l = limiter(limits(Kind.REQUESTS_PER_MINUTE, 50));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < 16; t++) {
            pool.submit(() -> {
                go.await();
                for (int i = 0; i < 20; i++) {
                    try {
                        l.admit(ALICE_KEY, request(1, 1L)).settle(2, 0);
                        admitted.incrementAndGet();
                    } catch (LimitExceeded e) {
                        refused.incrementAndGet();
                    }
                }
                return null;
            });
        }
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(50, admitted.get());
        assertEquals(16 * 20 - 50, refused.get());
    }

    @Test
    void withoutLimitsThereAreNoHeadersToShow() throws Exception {
        assertTrue(limiter(LimitSet.NONE).admit(ALICE_KEY, request(1, 1L)).headers().isEmpty());
    }

    @Test
    void durationsReadLikeOpenAis() {
        assertEquals("0s", RateLimitHeaders.duration(0));
        assertEquals("1s", RateLimitHeaders.duration(1));
        assertEquals("59s", RateLimitHeaders.duration(59_000));
        assertEquals("1m30s", RateLimitHeaders.duration(90_000));
        assertEquals("2h0m5s", RateLimitHeaders.duration(7_205_000));
    }

    @Test
    void anAllowanceIdleForADayLeavesMemoryButNotWhileACallIsInFlight() throws Exception {
        RateLimiter l = limiter(limits(Kind.MAX_CONCURRENT, 1));
        Permit running = l.admit(ALICE_KEY, request(1, 1L));
        assertEquals(3, l.allowancesInMemory(), "the gateway's, the user's and the key's");
        now.addAndGet(RateLimiter.IDLE.toMillis() + 1);
        l.maintain();
        assertEquals(3, l.allowancesInMemory(), "a call in flight keeps its allowances");
        assertThrows(LimitExceeded.class, () -> l.admit(ALICE_KEY, request(1, 1L)), "the cap still counts it");
        running.settle(2, 0);
        now.addAndGet(RateLimiter.IDLE.toMillis() + 1);
        l.maintain();
        assertEquals(0, l.allowancesInMemory());
        l.admit(ALICE_KEY, request(1, 1L)).settle(2, 0); // and a new one starts when needed
        assertEquals(3, l.allowancesInMemory());
    }

    private static int admitted(RateLimiter l, Caller caller, String model, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            try {
                l.admit(caller, new RateLimiter.Request(model, () -> 1, OptionalLong.of(1))).settle(2, 0);
                n++;
            } catch (LimitExceeded e) {
                assertTrue(!e.unpriced(), e.getMessage());
            }
        }
        return n;
    }

    @Test
    void configKeysHaveTheirOwnLimitsOverThePerKeyDefaultAndUnknownKeysNone() {
        RateLimiter l = limiter(LimitSet.NONE);
        Caller own = Caller.of(KeyFingerprint.of("sk-config-own"));
        Caller plain = Caller.of(KeyFingerprint.of("sk-config-plain"));
        Caller stranger = Caller.of(KeyFingerprint.of("sk-anything-in-open-mode"));
        l.useConfig(new RateLimiter.ConfigLimits(LimitSet.NONE, limits(Kind.REQUESTS_PER_MINUTE, 2),
                Map.of(own.key().hash(), limits(Kind.REQUESTS_PER_MINUTE, 1), plain.key().hash(), LimitSet.NONE), false));
        assertEquals(1, admitted(l, own, "m", 5), "its own limit over the default");
        assertEquals(2, admitted(l, plain, "m", 5), "the per-key default");
        assertEquals(2, admitted(l, ALICE_KEY, "m", 5), "an issued key without limits of its own takes the default too");
        assertEquals(5, admitted(l, stranger, "m", 5), "a key the gateway does not know is not a config key");
        // a reload lifts the default: the counts so far stay, the limits are the new ones
        l.useConfig(new RateLimiter.ConfigLimits(LimitSet.NONE, LimitSet.NONE, Map.of(plain.key().hash(), LimitSet.NONE), false));
        assertEquals(3, admitted(l, plain, "m", 3));
    }

    @Test
    void aBudgetRefusesAModelWithoutAPriceOnlyWhenTheConfigSaysSo() throws Exception {
        RateLimiter l = limiter(LimitSet.NONE);
        LimitSet budget = limits(Kind.BUDGET_USD_PER_DAY, LimitSet.picoUsd(BigDecimal.ONE));
        l.useConfig(new RateLimiter.ConfigLimits(budget, LimitSet.NONE, Map.of(), true));
        LimitExceeded e = assertThrows(LimitExceeded.class,
                () -> l.admit(ALICE_KEY, new RateLimiter.Request("no-such-price", () -> 1, OptionalLong.of(1))));
        assertTrue(e.unpriced() && e.getMessage().contains("no-such-price"), e.getMessage());
        l.admit(ALICE_KEY, request(1, 1L)).settle(2, 0); // a priced model passes
        l.useConfig(new RateLimiter.ConfigLimits(budget, LimitSet.NONE, Map.of(), false));
        l.admit(ALICE_KEY, new RateLimiter.Request("no-such-price", () -> 1, OptionalLong.of(1))).settle(2, 0);
    }
}
