package dev.tollgate.metrics;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/** Time-series bucket widths, aligned in UTC: hours, days, ISO weeks (from Monday), calendar months. */
public enum Interval {
    HOUR, DAY, WEEK, MONTH;

    public static Optional<Interval> parse(String text) {
        for (Interval i : values()) {
            if (i.label().equals(text)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The start of the bucket holding {@code t}. */
    public Instant floor(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        ZonedDateTime start = switch (this) {
            case HOUR -> z.truncatedTo(ChronoUnit.HOURS);
            case DAY -> z.truncatedTo(ChronoUnit.DAYS);
            case WEEK -> z.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> z.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        };
        return start.toInstant();
    }

    /** The start of the bucket after the one starting at {@code start}. */
    public Instant next(Instant start) {
        ZonedDateTime z = start.atZone(ZoneOffset.UTC);
        ZonedDateTime next = switch (this) {
            case HOUR -> z.plusHours(1);
            case DAY -> z.plusDays(1);
            case WEEK -> z.plusWeeks(1);
            case MONTH -> z.plusMonths(1);
        };
        return next.toInstant();
    }
}
