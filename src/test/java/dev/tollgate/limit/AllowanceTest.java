package dev.tollgate.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What another instance of a fleet wrote must count here even when its clock reading is later
 * than ours: an instance reads "now" before it waits for the subject's lock, so the entries it
 * then applies can lie in a slot ahead of it (FleetLimitsIT once admitted 61 of a 60-a-minute limit).
 */
class AllowanceTest {
    private static final long NOW = 1_764_000_000_000L;

    private static Allowance oneAMinute() {
        return new Allowance(Subject.key("k"), new LimitSet(Map.of(Kind.REQUESTS_PER_MINUTE, 1L)));
    }

    @Test
    void anEntryFromAnotherInstanceInALaterSlotCounts() {
        Allowance a = oneAMinute();
        a.apply(NOW, NOW + 1_500, 1, 0, 0); // written by an instance whose clock read 1.5 s later
        Allowance.Refusal r = a.check(NOW, Demand.NOTHING);
        assertNotNull(r, "the other instance's request fills the limit");
        assertEquals(Kind.REQUESTS_PER_MINUTE, r.kind());
        assertEquals(1, r.used());
    }

    @Test
    void aRebuildCountsEntriesInALaterSlot() throws Exception {
        Allowance a = oneAMinute();
        a.restore(NOW, new Allowance.History() {
            @Override
            public List<Allowance.Used> perSlot(long slotMillis, long sinceMillis) {
                return List.of(new Allowance.Used((NOW + 1_500) / slotMillis, 1, 0, 0));
            }

            @Override
            public long totalTokens() {
                return 0;
            }
        });
        assertNotNull(a.check(NOW, Demand.NOTHING), "the rebuilt minute holds the later entry");
    }
}
