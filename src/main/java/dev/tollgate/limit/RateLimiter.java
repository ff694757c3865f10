package dev.tollgate.limit;

import dev.tollgate.access.Caller;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.store.Database;
import dev.tollgate.store.StoreException;
import dev.tollgate.usage.TokenUsage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Holds every request to the limits of the gateway, its user and its key, in that order, before
 * the upstream call. The check and the reservation happen under the monitors of all the
 * allowances involved (taken in that fixed order), so concurrent requests cannot overshoot a
 * limit together. Token limits and budgets reserve an estimate (prompt tokens counted with the
 * tokenizer, plus max_tokens or the configured reserve) and settle to the real usage when the
 * request's record is written. Each allowance is rebuilt from the stored records the first time
 * it is needed, so limits survive a restart.
 */
public final class RateLimiter {
    private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());
    private static final Kind[] NEEDS_DEMAND = {Kind.TOKENS_PER_MINUTE, Kind.TOKENS_PER_DAY, Kind.TOTAL_TOKENS,
            Kind.BUDGET_USD_PER_DAY, Kind.BUDGET_USD_PER_MONTH};

    private final LimitStore store;
    private final LimitSet global;
    private final int reserveOutputTokens;
    private final PriceTable prices;
    private final LongSupplier clock;
    private final Map<Subject, Allowance> allowances = new ConcurrentHashMap<>();
    private volatile Map<Subject, LimitSet> stored = Map.of();

    /** What the limiter needs to know of a request to estimate its demand, computed only when needed. */
    public record Request(String model, LongSupplier promptTokens, OptionalLong maxOutputTokens) {
    }

    public RateLimiter(Database db, LimitSet global, int reserveOutputTokens, PriceTable prices, Clock clock) {
        this(db == null ? null : new LimitStore(db), global, reserveOutputTokens, prices, clock::millis);
    }

    RateLimiter(LimitStore store, LimitSet global, int reserveOutputTokens, PriceTable prices, LongSupplier clock) {
        this.store = store;
        this.global = global;
        this.reserveOutputTokens = reserveOutputTokens;
        this.prices = prices;
        this.clock = clock;
        reload();
    }

    /** Re-reads the limits set through the admin API (after a change, and periodically for a fleet). */
    public void reload() {
        if (store == null) {
            return;
        }
        Map<Subject, LimitSet> fresh = Map.copyOf(store.all());
        stored = fresh;
        allowances.forEach((s, a) -> a.limits(limitsOf(s)));
    }

    /** The limits set on a subject; the config's for the gateway, the admin API's otherwise. */
    public LimitSet limitsOf(Subject s) {
        return s.kind() == Subject.Kind.GLOBAL ? global : stored.getOrDefault(s, LimitSet.NONE);
    }

    /** Replaces a subject's limits (an empty set removes them); takes effect for the next request. */
    public void setLimits(Subject s, LimitSet limits) {
        if (s.kind() == Subject.Kind.GLOBAL) {
            throw new IllegalArgumentException("the gateway's own limits come from the config file");
        }
        store.put(s, limits, clock.getAsLong());
        reload();
    }

    /** What a subject used in each window now, by limit kind (requests, tokens, pico-USD, calls in flight). */
    public Map<Kind, Long> used(Subject s) {
        Allowance a = allowance(s);
        long now = clock.getAsLong();
        Map<Kind, Long> out = new EnumMap<>(Kind.class);
        synchronized (a) {
            a.minute.advance(now);
            a.day.advance(now);
            a.month.advance(now);
            out.put(Kind.REQUESTS_PER_MINUTE, a.minute.sum(SlidingWindow.REQUESTS));
            out.put(Kind.REQUESTS_PER_DAY, a.day.sum(SlidingWindow.REQUESTS));
            out.put(Kind.TOKENS_PER_MINUTE, a.minute.sum(SlidingWindow.TOKENS));
            out.put(Kind.TOKENS_PER_DAY, a.day.sum(SlidingWindow.TOKENS));
            out.put(Kind.TOTAL_TOKENS, a.totalTokens);
            out.put(Kind.BUDGET_USD_PER_DAY, a.day.sum(SlidingWindow.COST));
            out.put(Kind.BUDGET_USD_PER_MONTH, a.month.sum(SlidingWindow.COST));
            out.put(Kind.MAX_CONCURRENT, a.inFlight);
        }
        return out;
    }

    /**
     * Lets the request through, counted and reserved, or refuses it with the limit it would break
     * and when to retry.
     */
    public Permit admit(Caller caller, Request request) throws LimitExceeded {
        List<Allowance> involved = new ArrayList<>(3);
        if (!global.isEmpty()) {
            involved.add(allowance(Subject.GLOBAL));
        }
        if (caller.userId() != null) {
            involved.add(allowance(Subject.user(caller.userId())));
        }
        if (caller.keyId() != null) {
            involved.add(allowance(Subject.key(caller.keyId())));
        }
        if (involved.isEmpty()) {
            return new Permit(List.of(), Map.of(), clock, prices);
        }
        Demand demand = needsDemand(involved) ? demand(request) : Demand.NOTHING;
        return admitLocked(involved, 0, demand);
    }

    private Permit admitLocked(List<Allowance> involved, int i, Demand demand) throws LimitExceeded {
        if (i < involved.size()) {
            synchronized (involved.get(i)) {
                return admitLocked(involved, i + 1, demand);
            }
        }
        long now = clock.getAsLong();
        for (Allowance a : involved) {
            Allowance.Refusal r = a.check(now, demand);
            if (r != null) {
                throw refusal(a.subject, r, demand, RateLimitHeaders.of(involved, now));
            }
        }
        List<Allowance.Reservation> reservations = new ArrayList<>(involved.size());
        for (Allowance a : involved) {
            reservations.add(a.reserve(now, demand));
        }
        return new Permit(reservations, RateLimitHeaders.of(involved, now), clock, prices);
    }

    private Demand demand(Request request) {
        long prompt = request.promptTokens().getAsLong();
        long output = request.maxOutputTokens().orElse(reserveOutputTokens);
        long cost = prices.find(request.model()).map(p -> p.charge(TokenUsage.of(prompt, output)).costPicoUsd())
                .orElse(0L);
        return new Demand(prompt + output, cost);
    }

    private static boolean needsDemand(List<Allowance> involved) {
        for (Allowance a : involved) {
            for (Kind k : NEEDS_DEMAND) {
                if (a.limits().has(k)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static LimitExceeded refusal(Subject s, Allowance.Refusal r, Demand demand, Map<String, String> headers) {
        long retry = Math.max(1, RateLimitHeaders.seconds(r.waitMillis()));
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put("retry-after", Long.toString(retry));
        String what = switch (r.kind()) {
            case REQUESTS_PER_MINUTE -> "requests per minute";
            case REQUESTS_PER_DAY -> "requests per day";
            case TOKENS_PER_MINUTE -> "tokens per minute";
            case TOKENS_PER_DAY -> "tokens per day";
            case TOTAL_TOKENS -> "total tokens";
            case BUDGET_USD_PER_DAY -> "budget per day (USD)";
            case BUDGET_USD_PER_MONTH -> "budget per 30 days (USD)";
            case MAX_CONCURRENT -> "concurrent requests";
        };
        String limit = r.kind().money() ? LimitSet.usd(r.limit()).toPlainString() : Long.toString(r.limit());
        String used = r.kind().money() ? LimitSet.usd(r.used()).toPlainString() : Long.toString(r.used());
        String requested = switch (r.kind()) {
            case REQUESTS_PER_MINUTE, REQUESTS_PER_DAY, MAX_CONCURRENT -> "1";
            case BUDGET_USD_PER_DAY, BUDGET_USD_PER_MONTH -> "about " + LimitSet.usd(demand.costPicoUsd()).toPlainString();
            default -> "about " + demand.tokens();
        };
        String message = (r.kind().money() || r.kind() == Kind.TOTAL_TOKENS ? "Quota exceeded" : "Rate limit reached")
                + " for " + s.describe() + " on " + what + ": limit " + limit + ", used " + used + ", requested "
                + requested + ". Please try again in " + RateLimitHeaders.duration(retry * 1000) + ".";
        return new LimitExceeded(r.kind(), message, retry, h);
    }

    private Allowance allowance(Subject s) {
        return allowances.computeIfAbsent(s, this::rebuilt);
    }

    /** A new allowance with what the subject used before this instance started. */
    private Allowance rebuilt(Subject s) {
        Allowance a = new Allowance(s, limitsOf(s));
        long now = clock.getAsLong();
        if (store == null) {
            return a;
        }
        try {
            for (SlidingWindow w : List.of(a.minute, a.day, a.month)) {
                w.advance(now);
                long since = now - w.length().toMillis() - w.slotMillis();
                for (LimitStore.Used u : store.history(s, w.slotMillis(), since)) {
                    w.restore(u.slot(), u.requests(), u.tokens(), u.cost());
                }
            }
            a.totalTokens = store.totalTokens(s);
        } catch (StoreException e) {
            LOG.warning("tollgate: cannot read past usage of " + s.describe() + "; its limits count from now: "
                    + e.getMessage());
        }
        return a;
    }
}
