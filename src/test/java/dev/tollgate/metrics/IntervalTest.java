package dev.tollgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IntervalTest {
    private static final Instant T = Instant.parse("2026-11-19T13:45:12.345Z"); // a Thursday

    @Test
    void bucketsAlignInUtc() {
        assertEquals(Instant.parse("2026-11-19T13:00:00Z"), Interval.HOUR.floor(T));
        assertEquals(Instant.parse("2026-11-19T00:00:00Z"), Interval.DAY.floor(T));
        assertEquals(Instant.parse("2026-11-16T00:00:00Z"), Interval.WEEK.floor(T), "ISO weeks start on Monday");
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), Interval.MONTH.floor(T));
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), Interval.MONTH.next(Interval.MONTH.floor(T)));
        assertEquals(Instant.parse("2026-11-23T00:00:00Z"), Interval.WEEK.next(Interval.WEEK.floor(T)));
    }

    @Test
    void queryDefaultsToTheLast24HoursHourly() {
        MetricsQuery q = MetricsQuery.parse(null, null, null, null, T);
        assertEquals(T.minusSeconds(86_400), q.from());
        assertEquals(T, q.to());
        assertEquals(Interval.HOUR, q.interval());
        assertEquals(Optional.empty(), q.model());
        assertEquals(25, q.bucketCount(), "an unaligned 24 h touches 25 hours");
    }

    @Test
    void queryAcceptsInstantsOffsetsAndDates() {
        MetricsQuery q = MetricsQuery.parse("2026-11-01", "2026-11-19T14:00:00+01:00", "gpt-4o", "day", T);
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), q.from());
        assertEquals(Instant.parse("2026-11-19T13:00:00Z"), q.to());
        assertEquals(Optional.of("gpt-4o"), q.model());
        assertEquals(19, q.bucketCount());
    }

    @Test
    void badParametersNameThemselves() {
        assertTrue(assertThrows(MetricsQuery.InvalidQuery.class,
                () -> MetricsQuery.parse("yesterday", null, null, null, T)).getMessage().contains("'from'"));
        assertTrue(assertThrows(MetricsQuery.InvalidQuery.class,
                () -> MetricsQuery.parse(null, null, null, "minute", T)).getMessage().contains("'interval'"));
        assertTrue(assertThrows(MetricsQuery.InvalidQuery.class,
                () -> MetricsQuery.parse("2026-11-20", "2026-11-19", null, null, T)).getMessage().contains("before"));
        assertTrue(assertThrows(MetricsQuery.InvalidQuery.class,
                () -> MetricsQuery.parse("2000-01-01", "2026-01-01", null, "hour", T)).getMessage().contains("buckets"));
    }
}
