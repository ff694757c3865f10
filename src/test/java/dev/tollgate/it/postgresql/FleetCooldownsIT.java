package dev.tollgate.it.postgresql;

import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.route.CooldownSharingTest;
import dev.tollgate.store.Database;
import org.junit.jupiter.api.Test;

/** Credential rests shared through a real PostgreSQL, as {@link CooldownSharingTest} does through SQLite. */
class FleetCooldownsIT {
    @Test
    void restsAreSharedThroughPostgresql() {
        PostgresServer pg = PostgresServer.start();
        DirectPostgresDataSource ds = new DirectPostgresDataSource();
        ds.setUrl(pg.url());
        ds.setUser(pg.user());
        Database db = Database.of(ds, "fleet");
        db.migrate();
        CooldownSharingTest.restsAreShared(db);
    }
}
