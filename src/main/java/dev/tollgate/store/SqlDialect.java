package dev.tollgate.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/** The few places where SQLite and PostgreSQL differ; every other statement is written once for both. */
public enum SqlDialect {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql");

    /** The migration scripts every dialect runs unless its own folder has one of the same name. */
    public static final String SHARED_MIGRATIONS = "db/migration/common";

    private final String folder;

    SqlDialect(String folder) {
        this.folder = folder;
    }

    /** Resource folder holding this dialect's own versions of migration scripts, where it needs them. */
    public String migrationFolder() {
        return "db/migration/" + folder;
    }

    /** Arbitrary but fixed: the advisory lock every instance of a fleet takes to migrate one at a time. */
    private static final long MIGRATION_LOCK = 0x746f6c6c67617465L;

    /**
     * Makes instances that start together on one shared database migrate one after the other
     * (PostgreSQL: a session advisory lock); SQLite serves one instance and needs none.
     */
    void lockMigrations(Connection c) throws SQLException {
        if (this == POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    void unlockMigrations(Connection c) throws SQLException {
        if (this == POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    /**
     * What a migration's {@code /*clustered*\/} marker after a CREATE TABLE becomes: on SQLite a
     * table stored in its primary key's order, so a range of keys is read from adjacent pages
     * (the rollups are read by time range, and twice as fast so); PostgreSQL has no such option
     * and keeps the comment.
     */
    String clusteredTable() {
        return this == SQLITE ? "WITHOUT ROWID" : "/*clustered*/";
    }

    public static SqlDialect fromProductName(String product) {
        String p = product.toLowerCase(Locale.ROOT);
        if (p.contains("sqlite")) {
            return SQLITE;
        }
        if (p.contains("postgres")) {
            return POSTGRESQL;
        }
        throw new StoreException("unsupported database '" + product + "': Tollgate runs on SQLite or PostgreSQL");
    }
}
