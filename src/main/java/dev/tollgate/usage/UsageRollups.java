package dev.tollgate.usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the rollup tables of V8 ({@link #TABLES}) equal to the sums of
 * {@code usage_records}: the records a batch really inserted are added, in the batch's own
 * transaction, to their UTC hour and UTC day. Rows are upserted in key order so two instances
 * adding to the same rows of a shared PostgreSQL wait for each other instead of deadlocking.
 */
public final class UsageRollups {
    /** A rollup's time grain: its code in the {@code grain} column and its width. */
    public enum Grain {
        HOUR("h", 3_600_000L), DAY("d", 86_400_000L);

        private final String code;
        private final long widthMs;

        Grain(String code, long widthMs) {
            this.code = code;
            this.widthMs = widthMs;
        }

        public String code() {
            return code;
        }

        public long widthMs() {
            return widthMs;
        }

        public long floor(long epochMs) {
            return Math.floorDiv(epochMs, widthMs) * widthMs;
        }
    }

    /** Every rollup table, in the order a copy should write them. */
    public static final List<String> TABLES = List.of("usage_rollups", "usage_model_rollups", "usage_latency_rollups",
            "usage_latency_overall");

    /** What the rollups write for "none" (no model reached, no provider, no user): keys cannot hold NULL. */
    public static final String NONE = "";

    private static final String SUM_COLUMNS = "requests, total_tokens, prompt_tokens, completion_tokens, "
            + "reasoning_tokens, cached_tokens, failed, latency_ms_sum, cost_pusd, unpriced, ttft_ms_sum, ttft_count";
    private static final String[] SUMS = SUM_COLUMNS.split(", ");
    private static final String UPSERT = "INSERT INTO usage_rollups (grain, start_ms, model, provider, api_key_hash, "
            + "api_key_masked, user_id, " + SUM_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            + "ON CONFLICT (grain, start_ms, model, provider, api_key_hash, api_key_masked, user_id) DO UPDATE SET "
            + String.join(", ", Arrays.stream(SUMS).map(c -> c + " = usage_rollups." + c + " + excluded." + c)
                    .toList());
    private static final String UPSERT_MODEL = "INSERT INTO usage_model_rollups (grain, start_ms, model, provider, "
            + SUM_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (grain, start_ms, model, provider) "
            + "DO UPDATE SET " + String.join(", ", Arrays.stream(SUMS)
                    .map(c -> c + " = usage_model_rollups." + c + " + excluded." + c).toList());
    private static final String UPSERT_LATENCY = "INSERT INTO usage_latency_rollups (grain, start_ms, model, "
            + "latency_floor, requests) VALUES (?,?,?,?,?) ON CONFLICT (grain, start_ms, model, latency_floor) "
            + "DO UPDATE SET requests = usage_latency_rollups.requests + excluded.requests";
    private static final String UPSERT_LATENCY_OVERALL = "INSERT INTO usage_latency_overall (grain, start_ms, "
            + "latency_floor, requests) VALUES (?,?,?,?) ON CONFLICT (grain, start_ms, latency_floor) "
            + "DO UPDATE SET requests = usage_latency_overall.requests + excluded.requests";

    private UsageRollups() {
    }

    /**
     * A latency cut to two significant digits (exact below 100 ms): 1234 → 1200, 987 → 980. The
     * p95 found through the latency rollups is the true p95 cut this way. V8's CASE is the same.
     */
    public static long latencyFloor(long ms) {
        long unit = 1;
        while (ms / unit >= 100) {
            unit *= 10;
        }
        return ms / unit * unit;
    }

    /** Adds the records (those the batch inserted, not those that were there already) to both grains. */
    public static void add(Connection tx, List<UsageRecord> inserted) throws SQLException {
        if (inserted.isEmpty()) {
            return;
        }
        Map<List<Object>, long[]> sums = new TreeMap<>(UsageRollups::compareKeys);
        Map<List<Object>, long[]> models = new TreeMap<>(UsageRollups::compareKeys);
        Map<List<Object>, long[]> latencies = new TreeMap<>(UsageRollups::compareKeys);
        Map<List<Object>, long[]> overall = new TreeMap<>(UsageRollups::compareKeys);
        for (UsageRecord r : inserted) {
            for (Grain g : Grain.values()) {
                long start = g.floor(r.timestamp().toEpochMilli());
                String model = orNone(r.model());
                add(models.computeIfAbsent(List.of(g.code(), start, model, orNone(r.provider())),
                        k -> new long[SUMS.length]), r);
                add(sums.computeIfAbsent(List.of(g.code(), start, model, orNone(r.provider()), orNone(r.apiKey().hash()),
                        r.apiKey().masked(), orNone(r.caller().userId())), k -> new long[SUMS.length]), r);
                long floor = latencyFloor(r.latencyMs());
                latencies.computeIfAbsent(List.of(g.code(), start, model, floor), k -> new long[1])[0]++;
                overall.computeIfAbsent(List.of(g.code(), start, floor), k -> new long[1])[0]++;
            }
        }
        upsert(tx, UPSERT, sums);
        upsert(tx, UPSERT_MODEL, models);
        upsert(tx, UPSERT_LATENCY, latencies);
        upsert(tx, UPSERT_LATENCY_OVERALL, overall);
    }

    private static void upsert(Connection tx, String sql, Map<List<Object>, long[]> rows) throws SQLException {
        try (PreparedStatement p = tx.prepareStatement(sql)) {
            for (Map.Entry<List<Object>, long[]> e : rows.entrySet()) {
                int i = bindKey(p, e.getKey());
                for (long v : e.getValue()) {
                    p.setLong(i++, v);
                }
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    /** Deletes the rollups of every hour and day that starts before {@code dayStartMs}, a UTC midnight. */
    public static void deleteBefore(Connection tx, long dayStartMs) throws SQLException {
        for (String table : TABLES) {
            try (PreparedStatement p = tx.prepareStatement("DELETE FROM " + table + " WHERE start_ms < ?")) {
                p.setLong(1, dayStartMs);
                p.executeUpdate();
            }
        }
    }

    /** The record's share of each sum, in {@link #SUM_COLUMNS} order. */
    private static void add(long[] s, UsageRecord r) {
        TokenUsage t = r.tokens();
        s[0]++;
        s[1] += t.total();
        s[2] += t.prompt();
        s[3] += t.completion();
        s[4] += t.reasoning();
        s[5] += t.cached();
        s[6] += r.failed() ? 1 : 0;
        s[7] += r.latencyMs();
        s[8] += r.charge() == null ? 0 : r.charge().costPicoUsd();
        s[9] += r.charge() == null && t.total() > 0 ? 1 : 0;
        if (r.stream() && r.ttfbMs() != null) {
            s[10] += r.ttfbMs();
            s[11]++;
        }
    }

    private static int bindKey(PreparedStatement p, List<Object> key) throws SQLException {
        int i = 1;
        for (Object part : key) {
            if (part instanceof Long n) {
                p.setLong(i++, n);
            } else {
                p.setString(i++, (String) part);
            }
        }
        return i;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = ((Comparable) a.get(i)).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String orNone(String s) {
        return s == null ? NONE : s;
    }
}
