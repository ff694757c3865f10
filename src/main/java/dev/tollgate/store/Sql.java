package dev.tollgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One-statement reads and writes with the connection handling and error wording in one place. */
public final class Sql {
    private final Database db;

    public Sql(Database db) {
        this.db = db;
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement p) throws SQLException;
    }

    /** Turns the current row into a value. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    public <T> List<T> query(String sql, Binder binder, RowReader<T> reader) {
        try (Connection c = db.connection(); PreparedStatement p = c.prepareStatement(sql)) {
            binder.bind(p);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(reader.read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("database read failed: " + e.getMessage(), e);
        }
    }

    /** What is done with each page of {@link #pages}. */
    @FunctionalInterface
    public interface Page<T> {
        void read(List<T> rows) throws SQLException;
    }

    /**
     * Reads a table with {@code ts} and {@code id} columns a page at a time, oldest first, by keyset
     * (never OFFSET, so the thousandth page costs what the first does), for a copy or an export that
     * must not hold the table.
     *
     * @param selectFrom {@code SELECT … FROM table}
     * @param where      a condition on its rows (with {@code params}), or null for all
     * @param position   a row's {@code ts} (a long) and {@code id}, where the next page starts after
     */
    public <T> void pages(String selectFrom, String where, List<Object> params, int size, RowReader<T> reader,
                          Function<T, Object[]> position, Page<T> page) throws SQLException {
        Object[] after = {Long.MIN_VALUE, ""};
        while (true) {
            List<Object> all = new ArrayList<>(params);
            all.addAll(List.of(after[0], after[0], after[1]));
            List<T> rows = query(selectFrom + " WHERE " + (where == null ? "" : "(" + where + ") AND ")
                    + "(ts > ? OR (ts = ? AND id > ?)) ORDER BY ts, id LIMIT " + size, params(all), reader);
            if (!rows.isEmpty()) {
                page.read(rows);
            }
            if (rows.size() < size) {
                return;
            }
            after = position.apply(rows.get(rows.size() - 1));
        }
    }

    /** Runs one write; returns the number of rows it changed. */
    public int update(String sql, Binder binder) {
        try (Connection c = db.connection(); PreparedStatement p = c.prepareStatement(sql)) {
            binder.bind(p);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        }
    }

    /** Runs several writes as one transaction. */
    public void transaction(Transactions.Work work) {
        try (Connection c = db.connection()) {
            Transactions.run(c, work);
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        }
    }

    /** A binder for parameters in order: strings (or null), longs, ints and doubles. */
    public static Binder params(List<?> params) {
        return p -> {
            for (int i = 0; i < params.size(); i++) {
                Object v = params.get(i);
                if (v instanceof Long l) {
                    p.setLong(i + 1, l);
                } else if (v instanceof Integer n) {
                    p.setInt(i + 1, n);
                } else if (v instanceof Double d) {
                    p.setDouble(i + 1, d);
                } else {
                    p.setString(i + 1, (String) v);
                }
            }
        };
    }

    /** Binds a nullable long. */
    public static void setLong(PreparedStatement p, int index, Long value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.BIGINT);
        } else {
            p.setLong(index, value);
        }
    }

    /** Reads a nullable long. */
    public static Long getLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
