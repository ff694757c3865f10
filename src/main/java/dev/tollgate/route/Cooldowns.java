package dev.tollgate.route;

import dev.tollgate.config.ProviderCredential;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Credentials resting after a failure (429, 5xx, network error): for as long as the upstream's
 * {@code Retry-After} said, else a base period doubled per further failure in a row, up to a
 * ceiling. A success ends the rest and the count. With a {@link CooldownStore}, the rests an
 * instance starts are written for the fleet (off the request thread) and {@link #refresh} adopts
 * the others'; an instance learns of another's rest within one refresh period.
 */
public final class Cooldowns {
    private volatile Duration base;
    private volatile Duration max;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> restsStarted = new ConcurrentHashMap<>();
    private volatile CooldownStore shared;
    private volatile Executor writer;

    /** A credential's recent trouble; {@code until} in the past means it is available again. */
    public record State(Instant until, int failures, String lastError) {
    }

    public Cooldowns(Duration base, Duration max, Clock clock) {
        this.base = base;
        this.max = max;
        this.clock = clock;
    }

    /** New rest periods for failures from now on (a reload); rests already running keep their end. */
    public void periods(Duration base, Duration max) {
        this.base = base;
        this.max = max;
    }

    /**
     * Carries the rests of credentials that a reload kept over to the labels they have now, and
     * forgets those of credentials that changed or went: a rotated key starts with a clean slate.
     *
     * @param kept the label before → the label after, for each credential that is the same in both configs
     */
    public void carryOver(Map<String, String> kept) {
        Map<String, State> moved = new TreeMap<>();
        states.forEach((label, state) -> {
            String now = kept.get(label);
            if (now != null) {
                moved.put(now, state);
            }
        });
        states.keySet().retainAll(moved.keySet());
        states.putAll(moved);
    }

    /** Shares rests with the other instances on the same database; writes run on {@code writer}. */
    public void share(CooldownStore store, Executor writer) {
        this.shared = store;
        this.writer = writer;
    }

    /** Adopts the rests other instances started, where they end later than this instance's own. */
    public void refresh() {
        CooldownStore store = shared;
        if (store != null) {
            store.running(clock.instant()).forEach((label, theirs) -> states.merge(label, theirs,
                    (mine, t) -> t.until().isAfter(mine.until()) ? t : mine));
        }
    }

    public void failed(ProviderCredential c, Optional<Duration> retryAfter, String why) {
        restsStarted.computeIfAbsent(c.label(), k -> new LongAdder()).increment();
        State now = states.compute(c.label(), (k, old) -> {
            int failures = old == null ? 1 : old.failures() + 1;
            Duration rest = retryAfter.orElseGet(() -> {
                Duration d = base.multipliedBy(1L << Math.min(failures - 1, 20));
                return d.compareTo(max) > 0 ? max : d;
            });
            return new State(clock.instant().plus(rest), failures, why);
        });
        CooldownStore store = shared;
        if (store != null) {
            writer.execute(() -> {
                try {
                    store.save(c.label(), now);
                } catch (RuntimeException e) {
                    // the database is away: this instance rests the credential; the others find out themselves
                }
            });
        }
    }

    public void succeeded(ProviderCredential c) {
        if (!states.isEmpty()) {
            states.remove(c.label());
        }
    }

    public boolean cooling(ProviderCredential c) {
        State s = states.get(c.label());
        return s != null && s.until().isAfter(clock.instant());
    }

    Instant until(ProviderCredential c) {
        State s = states.get(c.label());
        return s == null ? Instant.MIN : s.until();
    }

    /**
     * How many rests this instance started for the credential with this label since start: a count
     * that only grows, so it stays with the label a reload may give another credential.
     */
    public long restsStarted(String label) {
        LongAdder n = restsStarted.get(label);
        return n == null ? 0 : n.sum();
    }

    /** Every credential with recent trouble, by label. */
    public Map<String, State> snapshot() {
        return new TreeMap<>(states);
    }
}
