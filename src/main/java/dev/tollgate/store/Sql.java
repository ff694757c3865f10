package dev.tollgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

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
