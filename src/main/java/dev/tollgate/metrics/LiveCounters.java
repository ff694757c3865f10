package dev.tollgate.metrics;

import dev.tollgate.usage.UsageRecord;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters since this instance started, fed with every finished record, for Prometheus to scrape
 * without touching the database. Labels stay low-cardinality: model, provider, status class; and
 * since callers choose model names, at most {@value #MAX_MODELS} of them get a series of their own:
 * later ones are counted under {@value #OTHER_MODELS}, so a flood of made-up names cannot grow the
 * scrape or Prometheus without bound.
 */
public final class LiveCounters {
    static final int MAX_MODELS = 500;
    static final String OTHER_MODELS = "(other)";

    /** One label combination. */
    public record Labels(String model, String provider, String statusClass) implements Comparable<Labels> {
        @Override
        public int compareTo(Labels o) {
            return (model + '\0' + provider + '\0' + statusClass).compareTo(o.model + '\0' + o.provider + '\0' + o.statusClass);
        }
    }

    /** The running sums of one label combination. */
    public static final class Sums {
        final LongAdder requests = new LongAdder();
        final LongAdder promptTokens = new LongAdder();
        final LongAdder completionTokens = new LongAdder();
        final LongAdder cachedTokens = new LongAdder();
        final LongAdder reasoningTokens = new LongAdder();
        final LongAdder latencyMs = new LongAdder();
        final LongAdder costPicoUsd = new LongAdder();
    }

    private final Map<Labels, Sums> sums = new ConcurrentHashMap<>();
    private final Set<String> models = ConcurrentHashMap.newKeySet();

    public void add(UsageRecord r) {
        Labels labels = new Labels(model(r.model() == null ? "" : r.model()),
                r.provider() == null ? "unrouted" : r.provider(), (r.status() / 100) + "xx");
        Sums s = sums.computeIfAbsent(labels, k -> new Sums());
        s.requests.increment();
        s.promptTokens.add(r.tokens().prompt());
        s.completionTokens.add(r.tokens().completion());
        s.cachedTokens.add(r.tokens().cached());
        s.reasoningTokens.add(r.tokens().reasoning());
        s.latencyMs.add(r.latencyMs());
        if (r.charge() != null) {
            s.costPicoUsd.add(r.charge().costPicoUsd());
        }
    }

    /** The model's own label while there is room, else the shared one. */
    private String model(String model) {
        if (models.contains(model)) {
            return model;
        }
        synchronized (models) {
            if (models.size() < MAX_MODELS) {
                models.add(model);
                return model;
            }
        }
        return OTHER_MODELS;
    }

    /** A stable, sorted copy for rendering. */
    Map<Labels, Sums> snapshot() {
        return new TreeMap<>(sums);
    }
}
