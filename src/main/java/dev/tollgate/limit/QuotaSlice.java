package dev.tollgate.limit;

import static dev.tollgate.limit.SlidingWindow.COST;
import static dev.tollgate.limit.SlidingWindow.REQUESTS;
import static dev.tollgate.limit.SlidingWindow.TOKENS;

import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Room one instance took ahead of use from a subject's fleet-wide limits, so that its requests are
 * admitted in memory instead of each taking the subject's lock in PostgreSQL.
 *
 * <p>Taking a slice writes a <em>hold</em> to the ledger: an entry that every other instance
 * counts as used, so the fleet's total of holds and real usage never passes a limit; the requests
 * admitted under the hold are counted here and written later, summed per second, together with a
 * <em>release</em> that cancels the hold. A slice is taken only far from the limits (at least
 * {@link #FAR} of each left after it) and is small ({@link #SHARE} of each limit), so near a limit
 * every instance is back to the exact per-request transaction. It lives {@link #TTL}; an instance
 * that stops using it returns it at the next flush.
 *
 * <p>Not thread-safe: used under the monitor of its subject's {@link Allowance}.
 */
final class QuotaSlice {
    /** How long a slice admits requests before its instance settles it and takes another. */
    static final Duration TTL = Duration.ofSeconds(1);
    /** A slice's size, as a fraction of each limit: 1 %. */
    static final long SHARE = 100;
    /** A slice is taken only while at least this fraction of each limit is left after it: 10 %. */
    static final long FAR = 10;
    /** A slice too small for this many requests of the current demand is not worth a hold. */
    private static final long MIN_REQUESTS = 2;

    final Subject subject;
    /** The hold's ledger entry; its release is written only where the hold itself was. */
    final LimitLedger.Entry hold;
    private final long expiresAt;
    /** Room left per measure (requests, tokens, pico-USD); Long.MAX_VALUE where no limit counts it. */
    private final long[] left;
    /** What was admitted and corrected under the slice and not yet written: per second, the three measures. */
    private final Map<Long, long[]> unwritten = new TreeMap<>();

    private QuotaSlice(Subject subject, long now, long[] held) {
        this.subject = subject;
        this.expiresAt = now + TTL.toMillis();
        this.left = new long[3];
        for (int m = 0; m < 3; m++) {
            left[m] = held[m] < 0 ? Long.MAX_VALUE : held[m];
        }
        this.hold = new LimitLedger.Entry(subject, now, Math.max(0, held[REQUESTS]), Math.max(0, held[TOKENS]),
                Math.max(0, held[COST])).withId();
    }

    /**
     * A slice for the allowance as it stands (brought up to the fleet and with the current request
     * reserved), or null when it is near a limit, has a concurrency cap (its calls are leased one by
     * one), or a slice would not hold {@link #MIN_REQUESTS} requests of this demand. A subject with
     * no limits gets a slice that holds nothing: its usage is still shared, in batches.
     */
    static QuotaSlice take(Allowance a, long now, Demand demand) {
        LimitSet limits = a.limits();
        if (limits.has(Kind.MAX_CONCURRENT)) {
            return null;
        }
        long[] held = {-1, -1, -1}; // -1: no limit counts the measure
        for (Map.Entry<Kind, Long> l : limits.values().entrySet()) {
            int m = Allowance.measure(l.getKey());
            long share = l.getValue() / SHARE;
            held[m] = held[m] < 0 ? share : Math.min(held[m], share);
        }
        long[] perRequest = {1, demand.tokens(), demand.costPicoUsd()};
        for (int m = 0; m < 3; m++) {
            if (held[m] >= 0 && held[m] < MIN_REQUESTS * Math.max(1, perRequest[m])) {
                return null;
            }
        }
        for (Map.Entry<Kind, Long> l : limits.values().entrySet()) {
            long limit = l.getValue();
            long leftAfter = limit - a.used(l.getKey(), now) - held[Allowance.measure(l.getKey())];
            if (leftAfter < limit / FAR) {
                return null;
            }
        }
        return new QuotaSlice(a.subject, now, held);
    }

    /** Whether taking the slice holds anything in the ledger (a subject with no limits holds nothing). */
    boolean holds() {
        return hold.requests() != 0 || hold.tokens() != 0 || hold.costPicoUsd() != 0;
    }

    /** Whether the slice can admit a request of this demand now. */
    boolean admits(long now, Demand d) {
        return now < expiresAt && left[REQUESTS] >= 1 && left[TOKENS] >= d.tokens() && left[COST] >= d.costPicoUsd();
    }

    /** Whether settlements may still be counted into it rather than written at once. */
    boolean live(long now) {
        return now < expiresAt;
    }

    /** Counts an admission or a settlement's correction under the slice, to be written at its settlement. */
    void count(LimitLedger.Entry e) {
        long[] amounts = {e.requests(), e.tokens(), e.costPicoUsd()};
        long[] sums = unwritten.computeIfAbsent(Math.floorDiv(e.atMillis(), 1000L), s -> new long[3]);
        for (int m = 0; m < 3; m++) {
            sums[m] += amounts[m];
            if (left[m] != Long.MAX_VALUE) {
                left[m] -= amounts[m]; // a settlement below its estimate gives room back, one above takes it
            }
        }
    }

    /**
     * What ends the slice in the ledger: the usage counted under it, one entry per second (the
     * windows' slots are whole seconds, so each lands in the slot its requests fell in), and the
     * release of its hold.
     */
    List<LimitLedger.Entry> settlement() {
        List<LimitLedger.Entry> out = new ArrayList<>(unwritten.size() + 1);
        unwritten.forEach((second, sums) -> out.add(new LimitLedger.Entry(subject, second * 1000, sums[REQUESTS],
                sums[TOKENS], sums[COST], UUID.randomUUID().toString())));
        if (holds()) {
            out.add(LimitLedger.Entry.release(hold));
        }
        return out;
    }
}
