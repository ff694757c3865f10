package dev.tollgate.limit;

import dev.tollgate.access.Caller;
import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.cost.PriceTable;
import dev.tollgate.store.Database;
import dev.tollgate.store.SqlDialect;
import dev.tollgate.usage.TokenUsage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Holds every request to the limits of the gateway, its user and its key, in that order, before
 * the upstream call. The check and the reservation happen under the monitors of all the
 * allowances involved (taken in that fixed order), so concurrent requests cannot overshoot a
 * limit together. Token limits and budgets reserve an estimate (prompt tokens counted with the
 * tokenizer, plus max_tokens or the configured reserve) and settle to the real usage when the
 * request's record is written. Where the state lives beyond this instance is the ledger's business:
 * a lone instance rebuilds it from the stored records after a restart, a fleet on PostgreSQL shares
 * it through the database so that a limit holds across all instances ({@link FleetLedger}).
 */
public final class RateLimiter {
    /** The limits a request's estimated tokens and cost count against. */
    private static final Set<Kind> NEEDS_DEMAND = EnumSet.of(Kind.TOKENS_PER_MINUTE, Kind.TOKENS_PER_DAY,
            Kind.TOTAL_TOKENS, Kind.BUDGET_USD_PER_DAY, Kind.BUDGET_USD_PER_MONTH);

    /** How long a call in flight under a concurrency cap counts fleet-wide after its instance last renewed it. */
    public static final Duration LEASE = FleetLedger.LEASE;

    /** How long an allowance nobody used stays in memory. */
    static final Duration IDLE = Duration.ofDays(1);

    private final LimitStore store;
    private final LimitLedger ledger;
    /** The config file's limits, replaced whole by a reload. */
    private volatile ConfigLimits configured;
    private final int reserveOutputTokens;
    private final PriceTable prices;
    private final LongSupplier clock;
    private final Map<Subject, Allowance> allowances = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private volatile Map<Subject, LimitSet> stored = Map.of();

    /**
     * The limits the config file sets: the gateway's, every key's default ({@code limits.per-key}),
     * and those of the config's own keys, by SHA-256 hash of the key (every config key is present,
     * with no limits of its own when it has none, so a caller in open mode is never taken for one).
     */
    public record ConfigLimits(LimitSet global, LimitSet perKey, Map<String, LimitSet> keys, boolean refuseUnpriced) {
        public ConfigLimits {
            keys = Map.copyOf(keys);
        }

        public static ConfigLimits global(LimitSet global) {
            return new ConfigLimits(global, LimitSet.NONE, Map.of(), false);
        }
    }

    /** The subject a config file's key is limited as: it has no stored id, so its hash names it. */
    static Subject configKey(String hash) {
        return Subject.key(CONFIG_KEY + hash);
    }

    static final String CONFIG_KEY = "config:";

    /**
     * What the limiter needs to know of a request to estimate its demand, computed only when needed.
     *
     * @param promptTokens the tokenizer's count of the prompt
     * @param promptBound  a cheap upper bound of that count, reserved instead of it while the limits
     *                     have room for the bound (the tokenizer is a real share of a call's CPU)
     */
    public record Request(String model, LongSupplier promptTokens, LongSupplier promptBound,
                          OptionalLong maxOutputTokens) {
        /** A request whose prompt count is as cheap as its bound. */
        public Request(String model, LongSupplier promptTokens, OptionalLong maxOutputTokens) {
            this(model, promptTokens, promptTokens, maxOutputTokens);
        }
    }

    /**
     * @param instanceId names this instance's writes to a fleet's shared ledger (PostgreSQL); a lone
     *                   SQLite instance keeps its state in memory
     */
    public RateLimiter(Database db, String instanceId, ConfigLimits configured, int reserveOutputTokens, PriceTable prices,
                       Clock clock) {
        this(new LimitStore(db), ledger(db, instanceId, clock), configured, reserveOutputTokens, prices, clock::millis);
    }

    /** Only gateway-wide limits from the config: the admin API sets all others. */
    public RateLimiter(Database db, String instanceId, LimitSet global, int reserveOutputTokens, PriceTable prices,
                       Clock clock) {
        this(db, instanceId, ConfigLimits.global(global), reserveOutputTokens, prices, clock);
    }

    RateLimiter(LimitStore store, LimitSet global, int reserveOutputTokens, PriceTable prices, LongSupplier clock) {
        this(store, new InstanceLedger(store), ConfigLimits.global(global), reserveOutputTokens, prices, clock);
    }

    private RateLimiter(LimitStore store, LimitLedger ledger, ConfigLimits configured, int reserveOutputTokens,
                        PriceTable prices, LongSupplier clock) {
        this.store = store;
        this.ledger = ledger;
        this.configured = configured;
        this.reserveOutputTokens = reserveOutputTokens;
        this.prices = prices;
        this.clock = clock;
        reload();
    }

    private static LimitLedger ledger(Database db, String instanceId, Clock clock) {
        return db.dialect() == SqlDialect.POSTGRESQL ? new FleetLedger(db, instanceId, clock.millis())
                : new InstanceLedger(new LimitStore(db));
    }

    /**
     * Periodic upkeep (the app calls it every 10 s): drops allowances idle for a day, so memory
     * follows the subjects in use rather than every key ever seen (the next request rebuilds one),
     * and lets the ledger keep the fleet's shared state.
     */
    public void maintain() {
        long now = clock.getAsLong();
        allowances.values().removeIf(a -> {
            synchronized (a) {
                boolean idle = a.inFlight == 0 && a.lastUsedMillis < now - IDLE.toMillis();
                if (idle) {
                    ledger.forget(a.subject);
                }
                return idle;
            }
        });
        ledger.maintain(now);
    }

    /**
     * Returns to the fleet the room this instance took ahead for its subjects and did not use in
     * time, with what it admitted under it (the app calls it every second; a lone instance takes none).
     */
    public void settleSlices() {
        settleSlices(false);
    }

    /** Returns all the room this instance took ahead, used or not: it is stopping. */
    public void returnSlices() {
        settleSlices(true);
    }

    private void settleSlices(boolean evenLive) {
        long now = clock.getAsLong();
        for (Allowance a : allowances.values()) {
            synchronized (a) {
                ledger.settleSlices(a, now, evenLive);
            }
        }
    }

    /** How many subjects' allowances are held in memory now. */
    int allowancesInMemory() {
        return allowances.size();
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

    /** The limits set on the subject itself (the admin API's), without the config's per-key default. */
    public LimitSet ownLimits(Subject s) {
        return s.kind() == Subject.Kind.GLOBAL ? configured.global() : stored.getOrDefault(s, LimitSet.NONE);
    }

    /** A reload's limits, in force for every allowance from the next request on; what was used so far stays counted. */
    public void useConfig(ConfigLimits limits) {
        configured = limits;
        allowances.forEach((s, a) -> a.limits(limitsOf(s)));
    }

    /**
     * The limits set on a subject: the config's for the gateway; for a key, its own (the admin API's,
     * or the config file's for a config key) over the config's per-key default, kind by kind.
     */
    public LimitSet limitsOf(Subject s) {
        ConfigLimits c = configured;
        return switch (s.kind()) {
            case GLOBAL -> c.global();
            case USER -> stored.getOrDefault(s, LimitSet.NONE);
            case KEY -> c.perKey().over(s.id().startsWith(CONFIG_KEY)
                    ? c.keys().getOrDefault(s.id().substring(CONFIG_KEY.length()), LimitSet.NONE)
                    : stored.getOrDefault(s, LimitSet.NONE));
        };
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
        Map<Kind, Long> out = new EnumMap<>(Kind.class);
        lockedWithoutRefusal(List.of(a), LimitLedger.Purpose.READ, (sink, now) -> {
            for (Kind k : Kind.values()) {
                out.put(k, a.used(k, now));
            }
            return null;
        });
        return out;
    }

    /**
     * Lets the request through, counted and reserved, or refuses it with the limit it would break
     * and when to retry.
     */
    public Permit admit(Caller caller, Request request) throws LimitExceeded {
        try {
            return admitOrRefuse(caller, request);
        } catch (LimitExceeded e) {
            refusals.computeIfAbsent(e.unpriced() ? "unpriced" : e.kind().jsonKey(), k -> new LongAdder()).increment();
            throw e;
        }
    }

    /** Calls refused since start, by the limit's kind ({@code requests_per_minute}, …, {@code unpriced}). */
    public Map<String, Long> refusals() {
        Map<String, Long> out = new TreeMap<>();
        refusals.forEach((kind, n) -> out.put(kind, n.sum()));
        return out;
    }

    /**
     * What is left of each budget (per day, per 30 days) of the subjects this instance holds an
     * allowance for (those it has seen calls of since start or within the last day), at most
     * {@code max} of them: each is read under the subject's lock, as a refusal would read it.
     */
    public List<Remaining> budgetsLeft(int max) {
        List<Remaining> out = new ArrayList<>();
        for (Subject s : allowances.keySet().stream().sorted(Comparator.comparing(Subject::kind)
                .thenComparing(Subject::id)).toList()) {
            LimitSet limits = limitsOf(s);
            if (out.size() >= max || Arrays.stream(Kind.values()).noneMatch(k -> k.money() && limits.has(k))) {
                continue;
            }
            Map<Kind, Long> used = used(s);
            for (Kind k : List.of(Kind.BUDGET_USD_PER_DAY, Kind.BUDGET_USD_PER_MONTH)) {
                limits.get(k).ifPresent(limit -> out.add(new Remaining(s, k, Math.max(0, limit - used.get(k)))));
            }
        }
        return out;
    }

    /** What is left of one limit of one subject. */
    public record Remaining(Subject subject, Kind kind, long left) {
    }

    private Permit admitOrRefuse(Caller caller, Request request) throws LimitExceeded {
        List<Allowance> involved = new ArrayList<>(3);
        ConfigLimits c = configured;
        if (!c.global().isEmpty()) {
            involved.add(allowance(Subject.GLOBAL));
        }
        if (caller.userId() != null) {
            involved.add(allowance(Subject.user(caller.userId())));
        }
        if (caller.keyId() != null) {
            involved.add(allowance(Subject.key(caller.keyId())));
        } else if (caller.key().hash() != null && (!c.perKey().isEmpty() || !c.keys().getOrDefault(caller.key().hash(),
                LimitSet.NONE).isEmpty()) && c.keys().containsKey(caller.key().hash())) {
            involved.add(allowance(configKey(caller.key().hash()))); // a config key with limits, its own or the default
        }
        if (involved.isEmpty()) {
            return new Permit(List.of(), Map.of(), this::settle, prices);
        }
        if (c.refuseUnpriced() && prices.find(request.model()).isEmpty()
                && involved.stream().anyMatch(a -> a.limits().values().keySet().stream().anyMatch(Kind::money))) {
            throw LimitExceeded.unpriced("The model '" + request.model() + "' has no price, so its cost cannot be "
                    + "counted against a budget; ask an operator to add it to model-prices.");
        }
        if (!needsDemand(involved)) {
            return reserve(involved, Demand.NOTHING);
        }
        // The prompt's bound is reserved while it fits: never less than the tokenizer's count, so no
        // limit can be passed by more; only a refusal on tokens or money needs the exact count.
        Demand bound = demand(request, request.promptBound().getAsLong());
        try {
            return reserve(involved, bound);
        } catch (LimitExceeded e) {
            if (!NEEDS_DEMAND.contains(e.kind())) {
                throw e;
            }
            Demand exact = demand(request, request.promptTokens().getAsLong());
            if (exact.equals(bound)) {
                throw e;
            }
            return reserve(involved, exact);
        }
    }

    /** Checks every involved allowance for the demand and reserves it in each, or refuses. */
    private Permit reserve(List<Allowance> involved, Demand demand) throws LimitExceeded {
        return locked(involved, 0, LimitLedger.Purpose.ADMIT, demand, (sink, now) -> {
            for (Allowance a : involved) {
                Allowance.Refusal r = a.check(now, demand);
                if (r != null) {
                    throw refusal(a.subject, r, demand, RateLimitHeaders.of(involved, now));
                }
            }
            List<Allowance.Reservation> reservations = new ArrayList<>(involved.size());
            for (Allowance a : involved) {
                reservations.add(a.reserve(now, demand, sink));
            }
            return new Permit(reservations, RateLimitHeaders.of(involved, now), this::settle, prices);
        });
    }

    /** Replaces the reservations of one request by what it really used, and ends them. */
    private void settle(List<Allowance.Reservation> reservations, long tokens, long costPicoUsd) {
        List<Allowance> owners = reservations.stream().map(Allowance.Reservation::owner).toList();
        lockedWithoutRefusal(owners, LimitLedger.Purpose.SETTLE, (sink, now) -> {
            for (Allowance.Reservation r : reservations) {
                r.owner().settle(now, r, tokens, costPicoUsd, sink);
            }
            return null;
        });
    }

    /** {@link #locked} for work that refuses nothing. */
    private <T> T lockedWithoutRefusal(List<Allowance> involved, LimitLedger.Purpose purpose,
                                        LimitLedger.Work<T> work) {
        try {
            return locked(involved, 0, purpose, Demand.NOTHING, work);
        } catch (LimitExceeded impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Runs work holding the allowances' monitors in the order given (global, user, key: the one
     * order every path takes, so no two requests can deadlock) and the ledger's exclusion.
     */
    private <T> T locked(List<Allowance> involved, int i, LimitLedger.Purpose purpose, Demand demand,
                         LimitLedger.Work<T> work) throws LimitExceeded {
        if (i < involved.size()) {
            synchronized (involved.get(i)) {
                return locked(involved, i + 1, purpose, demand, work);
            }
        }
        long now = clock.getAsLong();
        for (Allowance a : involved) {
            a.lastUsedMillis = now;
        }
        return ledger.exclusive(involved, now, purpose, demand, work);
    }

    private Demand demand(Request request, long prompt) {
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
        Map<String, String> h = new LinkedHashMap<>(headers);
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
        return allowances.computeIfAbsent(s, subject -> {
            Allowance a = new Allowance(subject, limitsOf(subject));
            ledger.open(a, clock.getAsLong());
            return a;
        });
    }
}
