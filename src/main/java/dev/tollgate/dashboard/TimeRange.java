package dev.tollgate.dashboard;

import dev.tollgate.metrics.MetricsQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The period a dashboard page shows: one of the picker's ranges ending now, or a custom
 * from/to. It becomes the very {@link MetricsQuery} that {@code /_qs/metrics} would run for the
 * same parameters, so the page and the API agree to the token.
 */
public record TimeRange(String range, String from, String to, String interval) {
    /** The picker's choices: label → length and bucket width. */
    static final Map<String, Duration> RANGES = Map.of("1h", Duration.ofHours(1), "24h", Duration.ofHours(24),
            "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

    /**
     * From request parameters: an unknown or missing range is the last 24 hours; "custom" keeps
     * from and to as given (they are checked by {@link #query}, so a bad one is shown back to fix).
     */
    static TimeRange of(String range, String from, String to, Instant now) {
        if ("custom".equals(range)) {
            return new TimeRange("custom", blank(from) ? null : from, blank(to) ? null : to, null);
        }
        String r = range != null && RANGES.containsKey(range) ? range : "24h";
        Duration length = RANGES.get(r);
        // 'to' a second ahead: a record written in this very second is in the period
        Instant end = now.plusSeconds(1);
        return new TimeRange(r, end.minus(length).toString(), end.toString(), length.toDays() >= 30 ? "day" : "hour");
    }

    /** The query /_qs/metrics would run; throws {@link MetricsQuery.InvalidQuery} naming a bad from or to. */
    MetricsQuery query(String model, Instant now) {
        return MetricsQuery.parse(from, to, model, interval != null ? interval : widthFor(from, to, now), now);
    }

    private static String widthFor(String from, String to, Instant now) {
        MetricsQuery q = MetricsQuery.parse(blank(from) ? null : from, blank(to) ? null : to, null, "day", now);
        return Duration.between(q.from(), q.to()).compareTo(Duration.ofDays(8)) > 0 ? "day" : "hour";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
