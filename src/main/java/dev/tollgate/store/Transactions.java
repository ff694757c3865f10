package dev.tollgate.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work on a connection as one transaction: all of it commits, or none of it. */
public final class Transactions {
    private Transactions() {
    }

    /** Work that needs a connection and may fail with SQL errors. */
    @FunctionalInterface
    public interface Work {
        void run(Connection c) throws SQLException;
    }

    public static void run(Connection c, Work work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            work.run(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
