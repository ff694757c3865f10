package dev.tollgate.it.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Instances of a fleet that start together on a fresh PostgreSQL migrate one after the other, each version once. */
class FleetMigrationIT {
    @Test
    void instancesStartingTogetherMigrateOnce() throws Exception {
        PostgresServer pg = PostgresServer.start();
        DirectPostgresDataSource ds = new DirectPostgresDataSource();
        ds.setUrl(pg.url());
        ds.setUser(pg.user());
        int instances = 6;
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> starts = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            starts.add(pool.submit(() -> {
                go.await();
                Database.of(ds, "instance").migrate();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : starts) {
            f.get(); // any instance's failure to migrate shows here
        }
        pool.shutdown();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM schema_version")) {
            rs.next();
            assertEquals(rs.getInt(3), rs.getInt(1), "each version recorded once");
            assertEquals(rs.getInt(1), rs.getInt(2));
            assertEquals(scripts(), rs.getInt(3), "every script of index.txt applied");
        }
    }

    private static int scripts() throws IOException {
        try (InputStream in = FleetMigrationIT.class.getClassLoader()
                .getResourceAsStream("db/migration/common/index.txt")) {
            return (int) new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        }
    }
}
