package dev.tollgate.store;

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
