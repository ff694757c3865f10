package dev.tollgate.logs;

import dev.tollgate.usage.StatusRange;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A log search as the admin API and the dashboard take it, from the same parameters: {@code q},
 * {@code from}, {@code to}, {@code model}, {@code key}, {@code user}, {@code status},
 * {@code provider}, {@code conversation}, {@code sort} ({@code relevance} or {@code time}),
 * {@code limit} and {@code cursor}. Anything that cannot be used is an
 * {@link IllegalArgumentException} whose message says which parameter and why
 * ({@link SearchQuery.BadQuery} for the query itself).
 */
public record LogQuery(Optional<SearchQuery.Node> query, LogSearch.Filters filters, boolean byTime, int limit,
                       Optional<String> cursor) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    private static final int MAX_PARAM = 256;

    /** @param param a parameter's value by name, or null when absent */
    public static LogQuery parse(UnaryOperator<String> param) {
        Optional<SearchQuery.Node> query = text(param, "q", SearchQuery.MAX_LENGTH).map(SearchQuery::parse);
        LogSearch.Filters filters = new LogSearch.Filters(time(param, "from", false), time(param, "to", true),
                text(param, "model", MAX_PARAM), text(param, "key", MAX_PARAM), text(param, "user", MAX_PARAM),
                text(param, "status", 16).map(StatusRange::parse), text(param, "provider", MAX_PARAM),
                text(param, "conversation", MAX_PARAM));
        return new LogQuery(query, filters, byTime(param.apply("sort")), limit(param.apply("limit")),
                text(param, "cursor", 1024));
    }

    private static Optional<String> text(UnaryOperator<String> param, String name, int max) {
        String value = param.apply(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(name + " is longer than " + max + " characters");
        }
        return Optional.of(value.trim());
    }

    /** An instant ({@code 2026-12-01T09:00:00Z}) or a UTC day ({@code 2026-12-01}: from its start, to its end). */
    private static Optional<Instant> time(UnaryOperator<String> param, String name, boolean end) {
        return text(param, name, 64).map(v -> {
            try {
                if (v.length() == 10) {
                    LocalDate day = LocalDate.parse(v);
                    return (end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + " must be a day (2026-12-01) or an instant "
                        + "(2026-12-01T09:00:00Z), got '" + v + "'");
            }
        });
    }

    private static boolean byTime(String sort) {
        String s = sort == null ? "" : sort.trim();
        return switch (s) {
            case "", "relevance" -> false;
            case "time" -> true;
            default -> throw new IllegalArgumentException("sort must be relevance or time");
        };
    }

    private static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_LIMIT);
    }
}
