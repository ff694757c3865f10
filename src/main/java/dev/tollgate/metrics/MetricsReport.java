package dev.tollgate.metrics;

import java.time.Instant;
import java.util.List;

/** The answer to a {@link MetricsQuery}: totals, groupings and an unbroken time series. */
public record MetricsReport(MetricsQuery query, Totals totals, List<Group> byModel, List<Group> byApiKey,
                            List<Group> byUser, List<Group> byProvider, List<Bucket> timeseries) {

    /** Totals of one value of a grouping column (a model, a masked key, a provider). */
    public record Group(String key, Totals totals) {
    }

    public record Bucket(Instant start, Totals totals) {
    }
}
