package dev.tollgate.metrics;

import dev.tollgate.metrics.MetricsReport.Bucket;
import dev.tollgate.metrics.MetricsReport.Group;
import dev.tollgate.metrics.RollupPlan.Span;
import dev.tollgate.store.Database;
import dev.tollgate.store.StoreException;
import dev.tollgate.usage.UsageRollups;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers {@link MetricsQuery}s from the hourly and daily rollups plus the records of the partial
 * hours at the period's edges ({@link RollupPlan}), so a 90-day report reads thousands of rows,
 * not millions, and still equals the sums of the records exactly. Every source yields slices of
 * one hour (or day) and one model, provider, key and user, folded here into totals, groups and
 * the requested buckets. Each figure is read from the smallest rollup that holds it: the series,
 * totals, models and providers from the per-model rollups (hourly when the series is), keys and
 * users from the full breakdown by day, the p95 from the latency histograms by day (over all
 * models unless one is asked for); one caller's
 * report (a scope) from the full breakdown alone, since only it knows callers.
 */
public final class MetricsService {
    private static final long HOUR_MS = UsageRollups.Grain.HOUR.widthMs();
    private static final String RECORD_SUMS = "COUNT(*), COALESCE(SUM(total_tokens),0), COALESCE(SUM(prompt_tokens),0), "
            + "COALESCE(SUM(completion_tokens),0), COALESCE(SUM(reasoning_tokens),0), COALESCE(SUM(cached_tokens),0), "
            + "COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END),0), COALESCE(SUM(latency_ms),0), "
            + "COALESCE(SUM(cost_pusd),0), COALESCE(SUM(CASE WHEN cost_pusd IS NULL AND total_tokens > 0 THEN 1 ELSE 0 END),0), "
            + "COALESCE(SUM(CASE WHEN stream = 1 THEN ttfb_ms END),0), "
            + "COALESCE(SUM(CASE WHEN stream = 1 AND ttfb_ms IS NOT NULL THEN 1 ELSE 0 END),0)";
    private static final String DIMENSIONS = "model, provider, api_key_hash, api_key_masked, user_id";
    private static final String FROM_RECORDS = "SELECT ts / " + HOUR_MS + ", " + DIMENSIONS + ", " + RECORD_SUMS
            + " FROM usage_records WHERE ts >= ? AND ts < ?";
    private static final String ROLLUP_SUMS = "SUM(requests), SUM(total_tokens), SUM(prompt_tokens), "
            + "SUM(completion_tokens), SUM(reasoning_tokens), SUM(cached_tokens), SUM(failed), SUM(latency_ms_sum), "
            + "SUM(cost_pusd), SUM(unpriced), SUM(ttft_ms_sum), SUM(ttft_count)";
    private static final String SPAN = " WHERE grain = ? AND start_ms >= ? AND start_ms < ?";
    /** Rollup rows as they are. */
    private static final Source ROLLUPS = new Source("SELECT start_ms / " + HOUR_MS + ", " + DIMENSIONS + ", "
            + ROLLUP_SUMS + " FROM usage_rollups" + SPAN, " GROUP BY start_ms, " + DIMENSIONS);
    private static final Source MODEL_ROLLUPS = new Source("SELECT start_ms / " + HOUR_MS + ", model, provider, NULL, "
            + "NULL, NULL, " + ROLLUP_SUMS + " FROM usage_model_rollups" + SPAN, " GROUP BY start_ms, model, provider");
    /** Summed per caller in the database: a period's keys and users in a few rows. */
    private static final Source CALLER_ROLLUPS = new Source("SELECT MIN(start_ms) / " + HOUR_MS + ", NULL, NULL, "
            + "api_key_hash, api_key_masked, user_id, " + ROLLUP_SUMS + " FROM usage_rollups" + SPAN,
            " GROUP BY api_key_hash, api_key_masked, user_id");

    /** A rollup query: its select with the span's conditions, and what follows the filters. */
    private record Source(String select, String groupBy) {
    }

    private static final String UNROUTED = "unrouted";
    private static final String NO_USER = "(none)";
    private static final Comparator<Group> BIGGEST_FIRST = Comparator
            .comparingLong((Group g) -> g.totals().tokens()).reversed()
            .thenComparing(Comparator.comparingLong((Group g) -> g.totals().requests()).reversed())
            .thenComparing(Group::key);

    private final Database db;

    public MetricsService(Database db) {
        this.db = db;
    }

    public MetricsReport report(MetricsQuery q) {
        long from = q.from().toEpochMilli();
        long to = q.to().toEpochMilli();
        boolean hourly = q.interval() == Interval.HOUR;
        RollupPlan byDay = RollupPlan.of(from, to, false);
        try (Connection c = db.connection()) {
            if (q.scope().isPresent()) {
                Fold all = read(c, q, q.scope().get().inRollups() ? RollupPlan.of(from, to, hourly)
                        : RollupPlan.records(from, to), ROLLUPS);
                return all.report(q, all, p95FromRecords(c, q, all.total.requests()));
            }
            Fold series = read(c, q, RollupPlan.of(from, to, hourly), MODEL_ROLLUPS);
            Fold callers = read(c, q, byDay, CALLER_ROLLUPS);
            return series.report(q, callers, p95FromHistogram(c, q, byDay, series.total.requests()));
        } catch (SQLException e) {
            throw new StoreException("metrics query failed: " + e.getMessage(), e);
        }
    }

    /** The plan's spans folded: records where it says records, else {@code rollups} at the span's grain. */
    private static Fold read(Connection c, MetricsQuery q, RollupPlan plan, Source rollups) throws SQLException {
        Fold fold = new Fold(q);
        for (Span s : plan.spans()) {
            String sql = s.records()
                    ? FROM_RECORDS + filters(q) + " GROUP BY ts / " + HOUR_MS + ", " + DIMENSIONS
                    : rollups.select() + filters(q) + rollups.groupBy();
            try (PreparedStatement p = prepare(c, sql, s, q); ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    fold.add(rs.getLong(1) * HOUR_MS, none(rs.getString(2)), none(rs.getString(3)),
                            new KeyId(rs.getString(4), rs.getString(5)), none(rs.getString(6)), totals(rs, 7));
                }
            }
        }
        return fold;
    }

    /**
     * The nearest-rank p95 of the period cut to two significant digits, from the latency
     * histograms: the count of requests per cut latency, so no record is sorted.
     */
    private static long p95FromHistogram(Connection c, MetricsQuery q, RollupPlan plan, long requests)
            throws SQLException {
        if (requests == 0) {
            return 0;
        }
        TreeMap<Long, Long> histogram = new TreeMap<>();
        for (Span s : plan.spans()) {
            String sql = s.records()
                    ? "SELECT latency_ms, COUNT(*) FROM usage_records WHERE ts >= ? AND ts < ?" + filters(q)
                            + " GROUP BY latency_ms"
                    : "SELECT latency_floor, SUM(requests) FROM "
                            + (q.model().isPresent() ? "usage_latency_rollups" : "usage_latency_overall")
                            + SPAN + filters(q) + " GROUP BY latency_floor";
            try (PreparedStatement p = prepare(c, sql, s, q); ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    histogram.merge(UsageRollups.latencyFloor(rs.getLong(1)), rs.getLong(2), Long::sum);
                }
            }
        }
        long rank = (long) Math.ceil(0.95 * requests);
        long seen = 0;
        for (Map.Entry<Long, Long> e : histogram.entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return e.getKey();
            }
        }
        return histogram.isEmpty() ? 0 : histogram.lastKey();
    }

    /**
     * One caller's p95 (the histograms are not kept per caller), from their records, cut to two
     * significant digits like every other p95.
     */
    private static long p95FromRecords(Connection c, MetricsQuery q, long requests) throws SQLException {
        if (requests == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(0.95 * requests);
        Span whole = new Span(q.from().toEpochMilli(), q.to().toEpochMilli(), null);
        try (PreparedStatement p = prepare(c, "SELECT latency_ms FROM usage_records WHERE ts >= ? AND ts < ?"
                + filters(q) + " ORDER BY latency_ms LIMIT 1 OFFSET " + (rank - 1), whole, q);
             ResultSet rs = p.executeQuery()) {
            return rs.next() ? UsageRollups.latencyFloor(rs.getLong(1)) : 0;
        }
    }

    /** A span's statement with its parameters bound: the grain (rollups only), the span's bounds, the filters. */
    private static PreparedStatement prepare(Connection c, String sql, Span s, MetricsQuery q) throws SQLException {
        PreparedStatement p = c.prepareStatement(sql);
        try {
            int i = 1;
            if (!s.records()) {
                p.setString(i++, s.grain().code());
            }
            p.setLong(i++, s.fromMs());
            p.setLong(i++, s.toMs());
            bindFilters(p, i, q);
            return p;
        } catch (SQLException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The model and caller conditions; the same columns exist in the records and in the rollups. */
    private static String filters(MetricsQuery q) {
        return (q.model().isPresent() ? " AND model = ?" : "")
                + q.scope().map(s -> " AND " + s.column() + " = ?").orElse("");
    }

    private static void bindFilters(PreparedStatement p, int first, MetricsQuery q) throws SQLException {
        int i = first;
        if (q.model().isPresent()) {
            p.setString(i++, q.model().get());
        }
        if (q.scope().isPresent()) {
            p.setString(i, q.scope().get().value());
        }
    }

    /** The rollups' "none" read back as the records' NULL. */
    private static String none(String s) {
        return s == null || s.equals(UsageRollups.NONE) ? null : s;
    }

    private static Totals totals(ResultSet rs, int first) throws SQLException {
        return new Totals(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2), rs.getLong(first + 3),
                rs.getLong(first + 4), rs.getLong(first + 5), rs.getLong(first + 6), rs.getLong(first + 7),
                rs.getLong(first + 8), rs.getLong(first + 9), rs.getLong(first + 10), rs.getLong(first + 11));
    }

    /** Slices folded into the report's totals, groups and buckets (every bucket of the period, empty ones too). */
    private static final class Fold {
        private final Interval interval;
        private final Map<Instant, Totals> buckets = new TreeMap<>();
        private final Map<String, Totals> byModel = new HashMap<>();
        private final Map<KeyId, Totals> byKey = new HashMap<>();
        private final Map<String, Totals> byUser = new HashMap<>();
        private final Map<String, Totals> byProvider = new HashMap<>();
        private Totals total = Totals.ZERO;

        Fold(MetricsQuery q) {
            this.interval = q.interval();
            for (Instant b = interval.floor(q.from()); b.isBefore(q.to()); b = interval.next(b)) {
                buckets.put(b, Totals.ZERO);
            }
        }

        void add(long startMs, String model, String provider, KeyId key, String user, Totals t) {
            total = total.plus(t);
            buckets.merge(interval.floor(Instant.ofEpochMilli(startMs)), t, Totals::plus);
            byModel.merge(model == null ? UNROUTED : model, t, Totals::plus);
            byKey.merge(key, t, Totals::plus);
            byUser.merge(user == null ? NO_USER : user, t, Totals::plus);
            byProvider.merge(provider == null ? UNROUTED : provider, t, Totals::plus);
        }

        List<Group> groups(Map<String, Totals> by) {
            List<Group> out = new ArrayList<>(by.size());
            by.forEach((k, t) -> out.add(new Group(k, t)));
            out.sort(BIGGEST_FIRST);
            return out;
        }

        /** This fold's totals, series, models and providers with {@code callers}' keys and users. */
        MetricsReport report(MetricsQuery q, Fold callers, long p95) {
            return new MetricsReport(q, total, p95, groups(byModel), groups(KeyId.labelled(callers.byKey)),
                    groups(callers.byUser), groups(byProvider), buckets());
        }

        List<Bucket> buckets() {
            List<Bucket> out = new ArrayList<>(buckets.size());
            buckets.forEach((start, t) -> out.add(new Bucket(start, t)));
            return out;
        }
    }
}
