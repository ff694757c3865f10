package dev.tollgate.limit;

import dev.tollgate.config.LimitSet;
import dev.tollgate.config.LimitSet.Kind;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code limits} table (one row per key or user that has limits; budgets in pico-USD), and
 * the reads that rebuild the limits' state from {@code usage_records} after a restart.
 */
final class LimitStore {
    private static final String COLUMNS = Arrays.stream(Kind.values()).map(Kind::jsonKey)
            .collect(Collectors.joining(", "));

    private final Sql sql;

    LimitStore(Database db) {
        this.sql = new Sql(db);
    }

    Map<Subject, LimitSet> all() {
        Map<Subject, LimitSet> out = new HashMap<>();
        sql.query("SELECT subject_kind, subject_id, " + COLUMNS + " FROM limits", p -> { }, rs -> {
            Map<Kind, Long> values = new EnumMap<>(Kind.class);
            for (Kind k : Kind.values()) {
                values.put(k, Sql.getLong(rs, 3 + k.ordinal()));
            }
            return Map.entry(new Subject(Subject.Kind.valueOf(rs.getString(1)), rs.getString(2)), new LimitSet(values));
        }).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Replaces a subject's limits; an empty set removes the row. */
    void put(Subject s, LimitSet limits, long nowMillis) {
        sql.transaction(tx -> {
            try (PreparedStatement p = tx.prepareStatement("DELETE FROM limits WHERE subject_kind = ? AND subject_id = ?")) {
                p.setString(1, s.kind().name());
                p.setString(2, s.id());
                p.executeUpdate();
            }
            if (limits.isEmpty()) {
                return;
            }
            String marks = ",?".repeat(Kind.values().length);
            try (PreparedStatement p = tx.prepareStatement("INSERT INTO limits (subject_kind, subject_id, " + COLUMNS
                    + ", updated_at) VALUES (?,?" + marks + ",?)")) {
                p.setString(1, s.kind().name());
                p.setString(2, s.id());
                for (Kind k : Kind.values()) {
                    Sql.setLong(p, 3 + k.ordinal(), limits.values().get(k));
                }
                p.setLong(3 + Kind.values().length, nowMillis);
                p.executeUpdate();
            }
        });
    }

    /** Rebuilds an allowance from the subject's admitted records (a lone instance, after a start). */
    void restore(Allowance a, long now) {
        Subject s = a.subject;
        try {
            a.restore(now, new Allowance.History() {
                @Override
                public List<Allowance.Used> perSlot(long slotMillis, long sinceMillis) {
                    return sql.query("SELECT ts / " + slotMillis + ", COUNT(*), COALESCE(SUM(total_tokens),0), "
                                    + "COALESCE(SUM(cost_pusd),0) FROM usage_records WHERE admitted = 1 AND ts >= ?"
                                    + filter(s) + " GROUP BY ts / " + slotMillis,
                            p -> bind(p, s, sinceMillis),
                            rs -> new Allowance.Used(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }

                @Override
                public long totalTokens() {
                    return sql.query("SELECT COALESCE(SUM(total_tokens),0) FROM usage_records WHERE admitted = 1 AND ts >= ?"
                            + filter(s), p -> bind(p, s, Long.MIN_VALUE), rs -> rs.getLong(1)).get(0);
                }
            });
        } catch (SQLException e) {
            throw new StoreException("database read failed: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement p, Subject s, long sinceMillis) throws SQLException {
        p.setLong(1, sinceMillis);
        if (s.kind() != Subject.Kind.GLOBAL) {
            p.setString(2, s.id());
        }
    }

    private static String filter(Subject s) {
        return switch (s.kind()) {
            case GLOBAL -> "";
            case USER -> " AND user_id = ?";
            case KEY -> " AND key_id = ?";
        };
    }
}
