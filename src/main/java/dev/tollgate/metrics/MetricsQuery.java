package dev.tollgate.metrics;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** What {@code /_qs/metrics} was asked: a half-open period [from, to), an optional model, a bucket width. */
public record MetricsQuery(Instant from, Instant to, Optional<String> model, Interval interval, Optional<Scope> scope) {
    public static final Duration DEFAULT_PERIOD = Duration.ofHours(24);
    static final int MAX_BUCKETS = 10_000;

    /**
     * Narrows a query to one caller's records: {@code name} is how reports show it, {@code column}
     * the usage_records column it matches.
     */
    public record Scope(String name, String column, String value) {
        public static Scope apiKeyHash(String hash) {
            return new Scope("api_key_hash", "api_key_hash", hash);
        }

        /** A key as the records show it ({@code ***abc}): what the dashboard filters by. */
        public static Scope apiKeyMasked(String masked) {
            return new Scope("api_key", "api_key_masked", masked);
        }

        public static Scope user(String userId) {
            return new Scope("user", "user_id", userId);
        }

        /** The records one instance served (a fleet's, or a bundle's from another server). */
        public static Scope instance(String instanceId) {
            return new Scope("instance", "instance_id", instanceId);
        }

        /** Whether the rollups keep this column; the instance is only on the records, which are read instead. */
        boolean inRollups() {
            return !column.equals("instance_id");
        }
    }

    /** The same query for one caller only. */
    public MetricsQuery within(Scope s) {
        return new MetricsQuery(from, to, model, interval, Optional.of(s));
    }

    /** Thrown with a message naming the parameter at fault. */
    public static final class InvalidQuery extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidQuery(String message) {
            super(message, null, false, false);
        }
    }

    /** Builds a query from raw parameters (each may be null); defaults: the last 24 hours, hourly. */
    public static MetricsQuery parse(String from, String to, String model, String interval, Instant now) {
        Instant end = blank(to) ? now : time("to", to);
        Instant start = blank(from) ? end.minus(DEFAULT_PERIOD) : time("from", from);
        if (!start.isBefore(end)) {
            throw new InvalidQuery("'from' must be before 'to' (got from=" + start + ", to=" + end + ")");
        }
        Interval width = blank(interval) ? Interval.HOUR : Interval.parse(interval.trim())
                .orElseThrow(() -> new InvalidQuery("'interval' must be one of hour, day, week, month (got '"
                        + interval + "')"));
        MetricsQuery q = new MetricsQuery(start, end, Optional.ofNullable(model).filter(m -> !m.isBlank()), width,
                Optional.empty());
        if (q.bucketCount() > MAX_BUCKETS) {
            throw new InvalidQuery("the period holds more than " + MAX_BUCKETS + " " + width.label()
                    + " buckets: choose a wider 'interval' or a shorter period");
        }
        return q;
    }

    long bucketCount() {
        long n = 0;
        for (Instant b = interval.floor(from); b.isBefore(to) && n <= MAX_BUCKETS; b = interval.next(b)) {
            n++;
        }
        return n;
    }

    private static Instant time(String name, String text) {
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw new InvalidQuery("'" + name + "' must be an ISO 8601 time such as 2026-11-22T10:00:00Z or a date "
                        + "such as 2026-11-22 (got '" + text + "')");
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
