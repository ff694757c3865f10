package dev.tollgate.it.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.config.TollgateConfig.ModelPrice;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.limit.LimitExceeded;
import dev.tollgate.limit.Permit;
import dev.tollgate.limit.RateLimiter;
import dev.tollgate.limit.Subject;
import dev.tollgate.store.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several instances' limiters on one real PostgreSQL (each as the gateway builds it, sharing only
 * the database): a key's limits hold across all of them, not per instance.
 */
class FleetLimitsIT {
    /** $1 per million input and output tokens: 1,000,000 pico-USD a token. */
    private static final PriceTable PRICES = PriceTable.withOverrides(List.of(
            new ModelPrice("m", BigDecimal.ONE, BigDecimal.ONE, Optional.empty())));
    private static PostgresServer pg;
    private static Database db;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        pg = PostgresServer.start();
        DirectPostgresDataSource ds = new DirectPostgresDataSource();
        ds.setUrl(pg.url());
        ds.setUser(pg.user());
        db = Database.of(ds, "fleet");
        db.migrate();
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    private static List<RateLimiter> fleet(int instances) {
        List<RateLimiter> out = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            out.add(new RateLimiter(db, "instance-" + i, LimitSet.NONE, 100, PRICES, Clock.systemUTC()));
        }
        return out;
    }

    private static Caller caller(String keyId) {
        return new Caller(KeyFingerprint.of("sk-" + keyId), keyId, null);
    }

    private static RateLimiter.Request request(long prompt, long maxOutput) {
        return new RateLimiter.Request("m", () -> prompt, OptionalLong.of(maxOutput));
    }

    private static void limit(List<RateLimiter> fleet, String keyId, Kind kind, long value) {
        fleet.get(0).setLimits(Subject.key(keyId), new LimitSet(Map.of(kind, value)));
        fleet.forEach(RateLimiter::reload); // what the 30 s refresh does on the others
    }

    @Test
    void aRequestsPerMinuteLimitHoldsAcrossTheFleetExactly() throws Exception {
        List<RateLimiter> fleet = fleet(3);
        limit(fleet, "rpm-key", Kind.REQUESTS_PER_MINUTE, 60);
        AtomicLong admitted = new AtomicLong();
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            RateLimiter instance = fleet.get(i % fleet.size()); // load spread evenly, as a balancer would
            calls.add(pool.submit(() -> {
                try {
                    instance.admit(caller("rpm-key"), request(1, 1)).settle(2, 0);
                    admitted.incrementAndGet();
                } catch (LimitExceeded refused) {
                    assertEquals(Kind.REQUESTS_PER_MINUTE, refused.kind());
                }
                return null;
            }));
        }
        for (Future<?> f : calls) {
            f.get();
        }
        assertEquals(60, admitted.get(), "60 a minute across three instances, not 60 each");
        // an instance that joins later starts from the fleet's state, not from zero
        RateLimiter late = fleet(1).get(0);
        late.reload();
        assertEquals(60L, late.used(Subject.key("rpm-key")).get(Kind.REQUESTS_PER_MINUTE));
        assertThrows(LimitExceeded.class, () -> late.admit(caller("rpm-key"), request(1, 1)));
    }

    @Test
    void aBudgetCannotBeOverspentBySplittingRequestsAcrossInstances() throws Exception {
        List<RateLimiter> fleet = fleet(2);
        // $0.01 a day; each request reserves 2,000 tokens ($0.002) and really spends 1,500 ($0.0015)
        limit(fleet, "budget-key", Kind.BUDGET_USD_PER_DAY, LimitSet.picoUsd(new BigDecimal("0.01")));
        AtomicLong spent = new AtomicLong();
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            RateLimiter instance = fleet.get(i % 2);
            calls.add(pool.submit(() -> {
                try {
                    Permit p = instance.admit(caller("budget-key"), request(1000, 1000));
                    long cost = 1500 * 1_000_000L;
                    p.settle(1500, cost);
                    spent.addAndGet(cost);
                } catch (LimitExceeded refused) {
                    assertTrue(refused.quota(), refused.getMessage());
                }
                return null;
            }));
        }
        for (Future<?> f : calls) {
            f.get();
        }
        long budget = LimitSet.picoUsd(new BigDecimal("0.01"));
        assertTrue(spent.get() <= budget, "spent " + spent.get() + " of " + budget);
        // settled spending is shared too: both instances see the same total, and it is what was spent
        for (RateLimiter instance : fleet) {
            assertEquals(spent.get(), instance.used(Subject.key("budget-key")).get(Kind.BUDGET_USD_PER_DAY));
        }
        // at least as many got through as fit when each request is reserved at its estimate
        assertTrue(spent.get() >= 5 * 1500 * 1_000_000L, "spent " + spent.get());
    }

    @Test
    void aConcurrencyCapCountsCallsInFlightOnEveryInstance() throws Exception {
        List<RateLimiter> fleet = fleet(2);
        limit(fleet, "conc-key", Kind.MAX_CONCURRENT, 2);
        Permit first = fleet.get(0).admit(caller("conc-key"), request(1, 1));
        Permit second = fleet.get(1).admit(caller("conc-key"), request(1, 1));
        LimitExceeded refused = assertThrows(LimitExceeded.class,
                () -> fleet.get(0).admit(caller("conc-key"), request(1, 1)));
        assertEquals(Kind.MAX_CONCURRENT, refused.kind());
        second.settle(2, 0); // a call ends on the other instance
        Permit third = fleet.get(0).admit(caller("conc-key"), request(1, 1));
        first.settle(2, 0);
        third.settle(2, 0);
    }

    @Test
    void theCallsOfAnInstanceThatDiedStopCountingWhenTheirLeasesRunOut() throws Exception {
        RateLimiter dying = fleet(1).get(0);
        limit(List.of(dying), "lease-key", Kind.MAX_CONCURRENT, 1);
        dying.admit(caller("lease-key"), request(1, 1)); // in flight when its instance dies: never settled, never renewed
        Duration soon = Duration.ofSeconds(10);
        Duration later = RateLimiter.LEASE.plusSeconds(1);
        RateLimiter survivorSoon = new RateLimiter(db, "survivor", LimitSet.NONE, 100, PRICES,
                Clock.offset(Clock.systemUTC(), soon));
        assertEquals(Kind.MAX_CONCURRENT, assertThrows(LimitExceeded.class,
                () -> survivorSoon.admit(caller("lease-key"), request(1, 1))).kind(), "the dead instance's call still counts");
        RateLimiter survivorLater = new RateLimiter(db, "survivor", LimitSet.NONE, 100, PRICES,
                Clock.offset(Clock.systemUTC(), later));
        survivorLater.admit(caller("lease-key"), request(1, 1)).settle(2, 0); // its lease ran out
    }

    @Test
    void rowsOlderThanTheLongestWindowAreFoldedOnceADayWithoutChangingAnyCount() throws Exception {
        List<RateLimiter> fleet = fleet(1);
        limit(fleet, "old-key", Kind.TOTAL_TOKENS, 1000);
        long old = System.currentTimeMillis() - Duration.ofDays(40).toMillis();
        try (Connection c = db.connection(); PreparedStatement p = c.prepareStatement(
                "INSERT INTO limit_ledger (subject, at_ms, requests, tokens, cost_pusd, writer) VALUES ('KEY:old-key', ?, 1, 100, 0, 'gone')")) {
            for (int i = 0; i < 3; i++) {
                p.setLong(1, old + i);
                p.executeUpdate();
            }
        }
        RateLimiter early = fleet.get(0);
        assertEquals(300L, early.used(Subject.key("old-key")).get(Kind.TOTAL_TOKENS));
        early.maintain(); // wins the day's compaction turn: this database has had none
        assertEquals(1L, rowsOf("KEY:old-key"), "three old rows folded into one");
        early.admit(caller("old-key"), request(10, 10)).settle(20, 0);
        assertEquals(320L, early.used(Subject.key("old-key")).get(Kind.TOTAL_TOKENS), "the folded row is not counted again");
        RateLimiter late = fleet(1).get(0);
        late.reload();
        assertEquals(320L, late.used(Subject.key("old-key")).get(Kind.TOTAL_TOKENS), "nor missed by a new instance");
        fleet(1).get(0).maintain(); // another instance the same day: no second fold
        assertEquals(3L, rowsOf("KEY:old-key"), "still the fold row plus the new reservation and its settlement");
    }

    /** Sends {@code n} admissions spread evenly over the fleet; each settles at once with {@code cost}. */
    private static long sendAll(List<RateLimiter> fleet, String keyId, int n, long prompt, long maxOutput,
                                long tokens, long cost) throws Exception {
        AtomicLong admitted = new AtomicLong();
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RateLimiter instance = fleet.get(i % fleet.size());
            calls.add(pool.submit(() -> {
                try {
                    instance.admit(caller(keyId), request(prompt, maxOutput)).settle(tokens, cost);
                    admitted.incrementAndGet();
                } catch (LimitExceeded refused) {
                    assertTrue(refused.getMessage().contains(keyId), refused.getMessage());
                }
                return null;
            }));
        }
        for (Future<?> f : calls) {
            f.get();
        }
        return admitted.get();
    }

    @Test
    void aLimitFarAwayIsServedFromSlicesInBatchesNotOneTransactionPerCall() throws Exception {
        List<RateLimiter> fleet = fleet(3);
        limit(fleet, "far-key", Kind.REQUESTS_PER_MINUTE, 100_000);
        assertEquals(2_000, sendAll(fleet, "far-key", 2_000, 1, 1, 2, 0));
        long rows = rowsOf("KEY:far-key");
        assertTrue(rows < 2_000 / 10, "2,000 admissions took " + rows + " ledger rows, not one or two each");
        fleet.forEach(RateLimiter::returnSlices);
        for (RateLimiter instance : fleet) {
            assertEquals(2_000L, instance.used(Subject.key("far-key")).get(Kind.REQUESTS_PER_MINUTE),
                    "every admission written once, the holds returned");
            assertEquals(4_000L, instance.used(Subject.key("far-key")).get(Kind.TOKENS_PER_MINUTE),
                    "and the settlements counted under the slices");
        }
    }

    /**
     * Three gateways, and twelve: with twelve, slices of 1 % could together pass the 10 % a slice
     * leaves free, so only the holds the other instances count keep the limit.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 12})
    void instancesServedFromSlicesUnderConcurrentLoadNeverPassTheLimit(int instances) throws Exception {
        List<RateLimiter> fleet = fleet(instances);
        String key = "slice-key-" + instances;
        limit(fleet, key, Kind.REQUESTS_PER_MINUTE, 1_000);
        long burst = sendAll(fleet, key, 1_100, 1, 1, 2, 0);
        assertTrue(burst <= 1_000, "never over the limit: " + burst);
        // each instance may still hold one unused slice (1 % of the limit) while the others are refused
        assertTrue(burst >= 1_000 - instances * 10, "at most one slice of 10 held back per instance: " + burst);
        // stopping instances give back what they held; the rest of the room is then admitted exactly
        fleet.forEach(RateLimiter::returnSlices);
        long rest = sendAll(fleet, key, instances * 10 + 10, 1, 1, 2, 0);
        assertEquals(1_000, burst + rest, "exactly the limit across the fleet, once the slices are returned");
        for (RateLimiter instance : fleet) {
            assertEquals(1_000L, instance.used(Subject.key(key)).get(Kind.REQUESTS_PER_MINUTE));
        }
    }

    @Test
    void aBudgetServedFromSlicesIsNeverOverspentAndEveryInstanceSeesWhatWasSpent() throws Exception {
        List<RateLimiter> fleet = fleet(3);
        long budget = LimitSet.picoUsd(BigDecimal.ONE); // slices of $0.01: five requests' estimates
        limit(fleet, "slice-budget", Kind.BUDGET_USD_PER_DAY, budget);
        long cost = 1500 * 1_000_000L; // each reserves $0.002 (2,000 tokens) and spends $0.0015
        long burst = sendAll(fleet, "slice-budget", 700, 1000, 1000, 1500, cost);
        assertTrue(burst * cost <= budget, "spent " + burst * cost + " of " + budget);
        fleet.forEach(RateLimiter::returnSlices);
        long total = burst + sendAll(fleet, "slice-budget", 60, 1000, 1000, 1500, cost);
        long spent = total * cost;
        assertTrue(spent <= budget, "spent " + spent + " of " + budget);
        assertTrue(spent > budget - 2 * 2_000_000_000L, "refused only when one more estimate did not fit: " + spent);
        for (RateLimiter instance : fleet) {
            assertEquals(spent, instance.used(Subject.key("slice-budget")).get(Kind.BUDGET_USD_PER_DAY));
        }
    }

    @Test
    void aSliceCountsOnTheOtherInstancesUntilItIsReturnedAndIsReturnedOnce() throws Exception {
        List<RateLimiter> fleet = fleet(2);
        limit(fleet, "hold-key", Kind.REQUESTS_PER_MINUTE, 10_000);
        fleet.get(0).admit(caller("hold-key"), request(1, 1)).settle(2, 0); // takes a slice: a hold of 100
        assertEquals(101L, fleet.get(1).used(Subject.key("hold-key")).get(Kind.REQUESTS_PER_MINUTE),
                "the other instance counts the hold as used, plus the request");
        fleet.get(0).returnSlices();
        assertEquals(1L, fleet.get(1).used(Subject.key("hold-key")).get(Kind.REQUESTS_PER_MINUTE),
                "returned: only the request counts");
        fleet.get(0).returnSlices(); // nothing left to return: no second release
        assertEquals(1L, fleet.get(1).used(Subject.key("hold-key")).get(Kind.REQUESTS_PER_MINUTE));
    }

    private static long rowsOf(String subject) throws Exception {
        try (Connection c = db.connection(); PreparedStatement p = c.prepareStatement(
                "SELECT COUNT(*) FROM limit_ledger WHERE subject = ?")) {
            p.setString(1, subject);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
