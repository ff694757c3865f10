package dev.tollgate.it.postgresql;

import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.metrics.RollupExactnessTest;
import dev.tollgate.store.Database;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The rollup checks on a real PostgreSQL: its upserts, its integer division in V8's fill and its
 * driver's per-row batch counts (which say which records a retried batch really added).
 */
class RollupsPostgresIT extends RollupExactnessTest {
    private static PostgresServer pg;

    @Override
    protected Database openDatabase(Path folder) {
        if (pg == null) {
            pg = PostgresServer.start();
        }
        try (var c = connect().getConnection(); var s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Database.of(connect(), "rollups-it");
    }

    private static DirectPostgresDataSource connect() {
        DirectPostgresDataSource ds = new DirectPostgresDataSource();
        ds.setUrl(pg.url());
        ds.setUser(pg.user());
        return ds;
    }
}
