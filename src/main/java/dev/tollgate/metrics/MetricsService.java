package dev.tollgate.metrics;

import dev.tollgate.metrics.MetricsReport.Bucket;
import dev.tollgate.metrics.MetricsReport.Group;
import dev.tollgate.store.Database;
import dev.tollgate.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Aggregates usage records in SQL (indexed on time, and on model and time). The time series is
 * grouped by hour in the database and folded into the requested buckets here, so every width
 * works the same on every database and every bucket of the period is present.
 */
public final class MetricsService {
    private static final long HOUR_MS = 3_600_000L;
    private static final String SUMS = "COUNT(*), COALESCE(SUM(total_tokens),0), COALESCE(SUM(prompt_tokens),0), "
            + "COALESCE(SUM(completion_tokens),0), COALESCE(SUM(reasoning_tokens),0), COALESCE(SUM(cached_tokens),0), "
            + "COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END),0), COALESCE(SUM(latency_ms),0), "
            + "COALESCE(SUM(cost_pusd),0), COALESCE(SUM(CASE WHEN cost_pusd IS NULL AND total_tokens > 0 THEN 1 ELSE 0 END),0), "
            + "COALESCE(SUM(CASE WHEN stream = 1 THEN ttfb_ms END),0), "
            + "COALESCE(SUM(CASE WHEN stream = 1 AND ttfb_ms IS NOT NULL THEN 1 ELSE 0 END),0)";
    private static final String UNROUTED = "unrouted";
    private static final String NO_USER = "(none)";

    private final Database db;

    public MetricsService(Database db) {
        this.db = db;
    }

    public MetricsReport report(MetricsQuery q) {
        try (Connection c = db.connection()) {
            Totals totals = groups(c, q, null).stream().map(Group::totals).findFirst().orElse(Totals.ZERO);
            return new MetricsReport(q, totals, p95LatencyMs(c, q, totals.requests()),
                    groups(c, q, "model"),
                    groups(c, q, "api_key_masked"),
                    groups(c, q, "user_id"),
                    groups(c, q, "provider"),
                    timeseries(c, q));
        } catch (SQLException e) {
            throw new StoreException("metrics query failed: " + e.getMessage(), e);
        }
    }

    /** One row per value of {@code column}, biggest token users first; with no column, the grand total. */
    private static List<Group> groups(Connection c, MetricsQuery q, String column) throws SQLException {
        String select = column == null ? "SELECT '' AS k, " + SUMS : "SELECT " + column + " AS k, " + SUMS;
        String group = column == null ? "" : " GROUP BY " + column + " ORDER BY 3 DESC, 2 DESC, 1";
        List<Group> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(select + " FROM usage_records" + where(q) + group)) {
            bind(p, q);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    out.add(new Group(key == null ? nullLabel(column) : key, totals(rs, 2)));
                }
            }
        }
        return out;
    }

    /** The latency 95 % of the period's requests stayed within (nearest rank); 0 with no requests. */
    private static long p95LatencyMs(Connection c, MetricsQuery q, long requests) throws SQLException {
        if (requests == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(0.95 * requests);
        try (PreparedStatement p = c.prepareStatement("SELECT latency_ms FROM usage_records" + where(q)
                + " ORDER BY latency_ms LIMIT 1 OFFSET " + (rank - 1))) {
            bind(p, q);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** What a group of records without a value is called: no provider reached, or no user behind the key. */
    private static String nullLabel(String column) {
        return "user_id".equals(column) ? NO_USER : UNROUTED;
    }

    private static List<Bucket> timeseries(Connection c, MetricsQuery q) throws SQLException {
        Map<Instant, Totals> byBucket = new TreeMap<>();
        for (Instant b = q.interval().floor(q.from()); b.isBefore(q.to()); b = q.interval().next(b)) {
            byBucket.put(b, Totals.ZERO);
        }
        String sql = "SELECT ts / " + HOUR_MS + " AS h, " + SUMS + " FROM usage_records" + where(q) + " GROUP BY ts / "
                + HOUR_MS;
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, q);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    Instant bucket = q.interval().floor(Instant.ofEpochMilli(rs.getLong(1) * HOUR_MS));
                    byBucket.merge(bucket, totals(rs, 2), Totals::plus);
                }
            }
        }
        List<Bucket> out = new ArrayList<>(byBucket.size());
        byBucket.forEach((start, totals) -> out.add(new Bucket(start, totals)));
        return out;
    }

    private static String where(MetricsQuery q) {
        return " WHERE ts >= ? AND ts < ?" + (q.model().isPresent() ? " AND model = ?" : "")
                + q.scope().map(s -> " AND " + s.column() + " = ?").orElse("");
    }

    private static void bind(PreparedStatement p, MetricsQuery q) throws SQLException {
        int i = 1;
        p.setLong(i++, q.from().toEpochMilli());
        p.setLong(i++, q.to().toEpochMilli());
        if (q.model().isPresent()) {
            p.setString(i++, q.model().get());
        }
        if (q.scope().isPresent()) {
            p.setString(i, q.scope().get().value());
        }
    }

    private static Totals totals(ResultSet rs, int first) throws SQLException {
        return new Totals(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2), rs.getLong(first + 3),
                rs.getLong(first + 4), rs.getLong(first + 5), rs.getLong(first + 6), rs.getLong(first + 7),
                rs.getLong(first + 8), rs.getLong(first + 9), rs.getLong(first + 10), rs.getLong(first + 11));
    }
}
