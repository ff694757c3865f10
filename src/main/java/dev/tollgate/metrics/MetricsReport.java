package dev.tollgate.metrics;

import java.time.Instant;
import java.util.List;

/**
 * The answer to a {@link MetricsQuery}: totals (and the p95 latency, which unlike the sums does
 * not add up across groups, so only the whole period has one), groupings and an unbroken time series.
 */
public record MetricsReport(MetricsQuery query, Totals totals, long p95LatencyMs, List<Group> byModel, List<Group> byApiKey,
                            List<Group> byUser, List<Group> byProvider, List<Bucket> timeseries) {

    /** Totals of one value of a grouping column (a model, a masked key, a provider). */
    public record Group(String key, Totals totals) {
    }

    public record Bucket(Instant start, Totals totals) {
    }
}
