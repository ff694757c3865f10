package dev.tollgate.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Versioned schema migrations: {@code V<n>.sql} files, applied in order inside one transaction
 * each, recorded in {@code schema_version}. Every dialect shares {@code db/migration/common}; a
 * dialect's own folder holds a script only where it must differ. Listed in {@code index.txt}
 * because a WAR's classpath cannot be listed portably.
 */
final class Migrations {
    private static final Logger LOG = Logger.getLogger(Migrations.class.getName());

    private final Database db;

    Migrations(Database db) {
        this.db = db;
    }

    void apply() {
        try (Connection c = db.connection()) {
            if (db.dialect() == SqlDialect.SQLITE) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL"); // a property of the file, so set once here
                }
            }
            db.dialect().lockMigrations(c);
            try {
                migrate(c);
            } finally {
                db.dialect().unlockMigrations(c);
            }
        } catch (SQLException e) {
            throw new StoreException("database migration failed: " + e.getMessage(), e);
        }
    }

    private void migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
        }
        int current = currentVersion(c);
        List<String> scripts = index();
        for (int v = current + 1; v <= scripts.size(); v++) {
            applyOne(c, v, read(scripts.get(v - 1)));
            LOG.info("tollgate: database migrated to schema version " + v);
        }
    }

    private static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private void applyOne(Connection c, int version, String script) throws SQLException {
        String sql = script.replace("/*clustered*/", db.dialect().clusteredTable());
        Transactions.run(c, tx -> {
            try (Statement s = tx.createStatement()) {
                for (String statement : sql.split(";\\s*(\\r?\\n|$)")) {
                    if (!statement.isBlank()) {
                        s.execute(statement);
                    }
                }
            }
            try (PreparedStatement p = tx.prepareStatement("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
                p.setInt(1, version);
                p.setLong(2, System.currentTimeMillis());
                p.executeUpdate();
            }
        });
    }

    private List<String> index() {
        List<String> scripts = new ArrayList<>();
        for (String line : read("index.txt").split("\\R")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                scripts.add(line.trim());
            }
        }
        return scripts;
    }

    /** A script for this dialect when it must differ, else the one every dialect shares. */
    private String read(String name) {
        for (String folder : List.of(db.dialect().migrationFolder(), SqlDialect.SHARED_MIGRATIONS)) {
            String resource = folder + "/" + name;
            try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
                if (in != null) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new StoreException("cannot read " + resource, e);
            }
        }
        throw new StoreException("migration resource missing: " + name);
    }
}
