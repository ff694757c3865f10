package dev.tollgate.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When an instance may take room ahead from a fleet-wide limit, how much, and what it writes back. */
class QuotaSliceTest {
    private static final long NOW = 1_764_000_000_000L;
    private static final Demand SMALL = new Demand(100, 1_000);

    private static Allowance allowance(Map<Kind, Long> limits) {
        return new Allowance(Subject.key("k"), new LimitSet(limits));
    }

    private static void use(Allowance a, long requests, long tokens, long cost) {
        a.minute.add(NOW, requests, tokens, cost);
        a.day.add(NOW, requests, tokens, cost);
        a.month.add(NOW, requests, tokens, cost);
        a.totalTokens += tokens;
    }

    @Test
    void farFromTheLimitASliceHoldsOnePercentOfTheTightestLimitOfEachMeasure() {
        Allowance a = allowance(Map.of(Kind.REQUESTS_PER_MINUTE, 10_000L, Kind.REQUESTS_PER_DAY, 50_000L,
                Kind.TOKENS_PER_MINUTE, 1_000_000L, Kind.BUDGET_USD_PER_DAY, 500_000L));
        QuotaSlice s = QuotaSlice.take(a, NOW, SMALL);
        assertNotNull(s);
        assertEquals(100, s.hold.requests(), "1 % of the per-minute 10,000, tighter than the day's 500");
        assertEquals(10_000, s.hold.tokens());
        assertEquals(5_000, s.hold.costPicoUsd());
        assertTrue(s.holds());
        assertEquals(NOW, s.hold.atMillis());
    }

    @Test
    void nearALimitNoSliceIsTakenSoEveryRequestIsCheckedAgainstTheFleet() {
        Allowance a = allowance(Map.of(Kind.REQUESTS_PER_MINUTE, 10_000L));
        use(a, 8_900, 0, 0); // 1,100 left: after a slice of 100, 1,000 = 10 % of the limit
        assertNotNull(QuotaSlice.take(a, NOW, SMALL));
        use(a, 1, 0, 0); // one more and less than 10 % would be left
        assertNull(QuotaSlice.take(a, NOW, SMALL));
    }

    @Test
    void noSliceWhereItWouldHoldTooFewRequestsOrUnderAConcurrencyCap() {
        assertNull(QuotaSlice.take(allowance(Map.of(Kind.REQUESTS_PER_MINUTE, 60L)), NOW, SMALL), "1 % of 60 is no request");
        assertNull(QuotaSlice.take(allowance(Map.of(Kind.TOKENS_PER_DAY, 10_000L)), NOW, SMALL),
                "100 tokens is one request of this demand, not two");
        assertNull(QuotaSlice.take(allowance(Map.of(Kind.REQUESTS_PER_DAY, 1_000_000L, Kind.MAX_CONCURRENT, 5L)),
                NOW, SMALL), "calls in flight are leased one by one");
    }

    @Test
    void aSubjectWithoutLimitsGetsASliceThatHoldsNothing() {
        QuotaSlice s = QuotaSlice.take(allowance(Map.of()), NOW, SMALL);
        assertNotNull(s);
        assertFalse(s.holds());
        s.count(new LimitLedger.Entry(Subject.key("k"), NOW, 1, 100, 1_000));
        assertTrue(s.admits(NOW, new Demand(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2)), "nothing limits it");
        List<LimitLedger.Entry> out = s.settlement();
        assertEquals(1, out.size(), "its usage, and no release of a hold it never wrote");
        assertNull(out.get(0).releases());
    }

    @Test
    void admissionsSpendTheSliceSettlementsCorrectItAndItEndsAfterItsTime() {
        QuotaSlice s = QuotaSlice.take(allowance(Map.of(Kind.REQUESTS_PER_MINUTE, 300L)), NOW, SMALL);
        assertNotNull(s);
        assertEquals(3, s.hold.requests());
        Subject k = Subject.key("k");
        for (int i = 0; i < 3; i++) {
            assertTrue(s.admits(NOW + i, SMALL));
            s.count(new LimitLedger.Entry(k, NOW + i, 1, 100, 1_000));
        }
        assertFalse(s.admits(NOW + 3, SMALL), "three requests spent the slice");
        assertTrue(s.live(NOW + 999));
        assertFalse(s.live(NOW + QuotaSlice.TTL.toMillis()), "after its time it admits nothing more");
    }

    @Test
    void theSettlementSumsUsagePerSecondAndReleasesTheHoldWhereItWas() {
        Allowance a = allowance(Map.of(Kind.TOKENS_PER_MINUTE, 1_000_000L));
        QuotaSlice s = QuotaSlice.take(a, NOW, SMALL);
        assertNotNull(s);
        Subject k = Subject.key("k");
        long second = NOW - NOW % 1000;
        s.count(new LimitLedger.Entry(k, second + 10, 1, 100, 0));
        s.count(new LimitLedger.Entry(k, second + 900, 1, 100, 0));
        s.count(new LimitLedger.Entry(k, second + 1_200, 1, 100, 0));
        s.count(new LimitLedger.Entry(k, second + 10, 0, -40, 0)); // the first one used less than estimated
        List<LimitLedger.Entry> out = s.settlement();
        assertEquals(3, out.size());
        assertEquals(List.of(second, second + 1000), List.of(out.get(0).atMillis(), out.get(1).atMillis()));
        assertEquals(2, out.get(0).requests());
        assertEquals(160, out.get(0).tokens());
        assertEquals(100, out.get(1).tokens());
        LimitLedger.Entry release = out.get(2);
        assertEquals(s.hold.id(), release.releases());
        assertEquals(-s.hold.tokens(), release.tokens());
        assertEquals(s.hold.atMillis(), release.atMillis());
        assertTrue(out.stream().allMatch(e -> e.id() != null), "every entry can be written twice harmlessly");
    }
}
