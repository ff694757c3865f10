package dev.tollgate.limit;

import static dev.tollgate.limit.SlidingWindow.COST;
import static dev.tollgate.limit.SlidingWindow.REQUESTS;
import static dev.tollgate.limit.SlidingWindow.TOKENS;

import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The running state of one subject's limits: what it used in the last minute, day and 30 days,
 * its all-time tokens and its calls in flight. Callers hold its monitor while they use it.
 * Day windows slide in 5-minute slots and the 30-day window in 2-hour slots, so a refused caller
 * may wait up to one slot longer than an exact log would make it; never shorter.
 */
final class Allowance {
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration DAY = Duration.ofDays(1);
    static final Duration MONTH = Duration.ofDays(30);
    /** How long a caller over the total token limit is told to wait: only an admin can make room. */
    static final long TOTAL_RETRY_SECONDS = 3600;

    final Subject subject;
    final SlidingWindow minute = new SlidingWindow(MINUTE, 60);
    final SlidingWindow day = new SlidingWindow(DAY, 288);
    final SlidingWindow month = new SlidingWindow(MONTH, 360);
    private volatile LimitSet limits;
    long totalTokens;
    long inFlight;
    /** When a request last checked, reserved or settled here; idle allowances are dropped from memory. */
    long lastUsedMillis;

    Allowance(Subject subject, LimitSet limits) {
        this.subject = subject;
        this.limits = limits;
    }

    LimitSet limits() {
        return limits;
    }

    void limits(LimitSet limits) {
        this.limits = limits;
    }

    /** The first limit this request would break, or null when it fits. */
    Refusal check(long now, Demand d) {
        LimitSet l = limits;
        if (l.has(Kind.MAX_CONCURRENT) && inFlight + 1 > l.get(Kind.MAX_CONCURRENT).getAsLong()) {
            return new Refusal(Kind.MAX_CONCURRENT, l.get(Kind.MAX_CONCURRENT).getAsLong(), inFlight, 1000);
        }
        Refusal r = window(now, l, Kind.REQUESTS_PER_MINUTE, minute, REQUESTS, 1);
        r = r != null ? r : window(now, l, Kind.REQUESTS_PER_DAY, day, REQUESTS, 1);
        r = r != null ? r : window(now, l, Kind.TOKENS_PER_MINUTE, minute, TOKENS, d.tokens());
        r = r != null ? r : window(now, l, Kind.TOKENS_PER_DAY, day, TOKENS, d.tokens());
        r = r != null ? r : window(now, l, Kind.BUDGET_USD_PER_DAY, day, COST, d.costPicoUsd());
        r = r != null ? r : window(now, l, Kind.BUDGET_USD_PER_MONTH, month, COST, d.costPicoUsd());
        if (r == null && l.has(Kind.TOTAL_TOKENS)) {
            long limit = l.get(Kind.TOTAL_TOKENS).getAsLong();
            if (totalTokens >= limit || totalTokens + d.tokens() > limit) {
                r = new Refusal(Kind.TOTAL_TOKENS, limit, totalTokens, TOTAL_RETRY_SECONDS * 1000);
            }
        }
        return r;
    }

    private static Refusal window(long now, LimitSet l, Kind kind, SlidingWindow w, int measure, long demand) {
        if (!l.has(kind)) {
            return null;
        }
        long limit = l.get(kind).getAsLong();
        w.advance(now);
        long used = w.sum(measure);
        if (used >= limit || used + demand > limit) {
            long needed = Math.max(1, used + demand - limit);
            long wait = demand > limit ? w.length().toMillis() : w.millisUntilFreed(now, measure, needed);
            return new Refusal(kind, limit, used, wait);
        }
        return null;
    }

    /**
     * What the subject used now of the measure a limit kind counts: requests, tokens or pico-USD
     * in the kind's window, its all-time tokens, or its calls in flight.
     */
    long used(Kind kind, long now) {
        return switch (kind) {
            case REQUESTS_PER_MINUTE -> inWindow(minute, now, REQUESTS);
            case REQUESTS_PER_DAY -> inWindow(day, now, REQUESTS);
            case TOKENS_PER_MINUTE -> inWindow(minute, now, TOKENS);
            case TOKENS_PER_DAY -> inWindow(day, now, TOKENS);
            case TOTAL_TOKENS -> totalTokens;
            case BUDGET_USD_PER_DAY -> inWindow(day, now, COST);
            case BUDGET_USD_PER_MONTH -> inWindow(month, now, COST);
            case MAX_CONCURRENT -> inFlight;
        };
    }

    private static long inWindow(SlidingWindow w, long now, int measure) {
        w.advance(now);
        return w.sum(measure);
    }

    /** Which of an entry's amounts a limit kind counts; MAX_CONCURRENT counts none of them. */
    static int measure(Kind kind) {
        return switch (kind) {
            case REQUESTS_PER_MINUTE, REQUESTS_PER_DAY -> REQUESTS;
            case TOKENS_PER_MINUTE, TOKENS_PER_DAY, TOTAL_TOKENS -> TOKENS;
            case BUDGET_USD_PER_DAY, BUDGET_USD_PER_MONTH -> COST;
            case MAX_CONCURRENT -> -1;
        };
    }

    /**
     * Counts the request and reserves its demand, telling the ledger so other instances count it
     * too; returns the hold, so the settlement can correct it.
     */
    Reservation reserve(long now, Demand d, LimitLedger.Sink sink) {
        inFlight++;
        totalTokens += d.tokens();
        minute.add(now, 1, d.tokens(), d.costPicoUsd());
        day.add(now, 1, d.tokens(), d.costPicoUsd());
        month.add(now, 1, d.tokens(), d.costPicoUsd());
        sink.add(new LimitLedger.Entry(subject, now, 1, d.tokens(), d.costPicoUsd()));
        return new Reservation(this, d, now, limits.has(Kind.MAX_CONCURRENT) ? sink.lease(subject) : null);
    }

    /** Replaces a reservation by what the request really used, and ends it. */
    void settle(long now, Reservation r, long tokens, long cost, LimitLedger.Sink sink) {
        long dt = tokens - r.demand().tokens();
        long dc = cost - r.demand().costPicoUsd();
        if (dt != 0 || dc != 0) {
            for (SlidingWindow w : windows()) {
                w.adjust(now, w.slotAt(r.atMillis()), dt, dc);
            }
            totalTokens += dt;
            sink.add(new LimitLedger.Entry(subject, r.atMillis(), 0, dt, dc));
        }
        inFlight = Math.max(0, inFlight - 1);
        if (r.leaseId() != null) {
            sink.release(r.leaseId());
        }
    }

    /** Counts what another instance reported (an entry of the fleet's ledger) as of {@code now}. */
    void apply(long now, long atMillis, long requests, long tokens, long cost) {
        for (SlidingWindow w : windows()) {
            // another instance may have read its clock after ours (we took "now" before waiting for the
            // subject's lock): its entry can lie in a slot ahead of ours, which must count, not be dropped
            w.advance(Math.max(now, atMillis));
            w.restore(w.slotAt(atMillis), requests, tokens, cost);
        }
        totalTokens += tokens;
    }

    /** Where past usage is read from when an allowance is rebuilt: the records, or the fleet's ledger. */
    interface History {
        /** What the subject used since {@code sinceMillis}, summed per slot of {@code slotMillis}. */
        List<Used> perSlot(long slotMillis, long sinceMillis) throws SQLException;

        long totalTokens() throws SQLException;
    }

    /** What a subject used in one slot of a window. */
    record Used(long slot, long requests, long tokens, long cost) {
    }

    /** Forgets the running state and takes it from history instead; calls in flight are kept. */
    void restore(long now, History history) throws SQLException {
        for (SlidingWindow w : windows()) {
            w.clear();
            w.advance(now);
            long since = now - w.length().toMillis() - w.slotMillis();
            List<Used> used = history.perSlot(w.slotMillis(), since);
            for (Used u : used) { // entries written after our clock reading (see apply) move the window on
                w.advance(Math.max(now, u.slot() * w.slotMillis()));
            }
            for (Used u : used) {
                w.restore(u.slot(), u.requests(), u.tokens(), u.cost());
            }
        }
        totalTokens = history.totalTokens();
    }

    private List<SlidingWindow> windows() {
        return List.of(minute, day, month);
    }

    /** One request's hold on this allowance: what it reserved, when, and its concurrency lease if one is kept. */
    record Reservation(Allowance owner, Demand demand, long atMillis, String leaseId) {
    }

    /**
     * A broken limit: its kind, value, what was used, and how long until there is room.
     */
    record Refusal(Kind kind, long limit, long used, long waitMillis) {
    }
}
