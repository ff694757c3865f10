package dev.tollgate.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.logs.LogReader;
import dev.tollgate.logs.LogSearch;
import dev.tollgate.logs.LoggedCalls;
import dev.tollgate.logs.SearchQuery;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.usage.CallFilter;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle from SQLite into a real PostgreSQL that has calls of its own, and a bundle of all of
 * PostgreSQL's back into the SQLite file: each side ends with every call once, reading back as it
 * was, found by search and counted in the rollups; importing again changes nothing; a flipped byte
 * is refused on PostgreSQL with nothing written.
 */
class BundleRoundTripIT {
    private static final CallFilter ALL = new CallFilter(0, Instant.parse("2027-01-01T00:00:00Z").toEpochMilli(), null,
            null, null);

    @TempDir
    Path dir;

    private Path export(Database db, String instance) throws Exception {
        Path file = dir.resolve(instance + "-" + System.nanoTime() + ".zip");
        try (OutputStream out = Files.newOutputStream(file)) {
            new Bundles(db, instance).export(ALL, out);
        }
        return file;
    }

    private static long count(Database db, String sql) {
        return new Sql(db).query(sql, p -> { }, rs -> rs.getLong(1)).get(0);
    }

    @Test
    void sqliteToPostgresqlAndBack() throws Exception {
        Database sqlite = Database.open(dir.resolve("east.db"), false);
        sqlite.migrate();
        List<String> east = LoggedCalls.write(sqlite, "east-1", "east", 30, 21, Instant.parse("2026-11-20T08:00:00Z"));
        new Sql(sqlite).update("INSERT INTO users (id, name, team, created_at, updated_at) VALUES ('u-east', 'East', NULL, 1, 2)",
                p -> { });
        new Sql(sqlite).update("INSERT INTO client_keys (id, user_id, name, key_hash, masked, created_at, expires_at) VALUES "
                + "('key-1', 'u-east', 'bot', 'abcd', '***k01', 3, 4000000000000)", p -> { });
        PostgresServer pg = PostgresServer.start();
        try {
            DirectPostgresDataSource ds = new DirectPostgresDataSource();
            ds.setUrl(pg.url());
            ds.setUser(pg.user());
            Database postgres = Database.of(ds, "bundle-it");
            postgres.migrate();
            List<String> west = LoggedCalls.write(postgres, "west-1", "west", 12, 22, Instant.parse("2026-11-21T08:00:00Z"));

            Path toWest = export(sqlite, "east-1");
            Bundles.Imported in = new Bundles(postgres, "west-1").importFrom(toWest);
            assertEquals(east.size(), in.recordsAdded());
            assertEquals(2, in.accountsAdded());
            assertEquals(List.of("u-east imported:key-1 4000000000000 true"), new Sql(postgres).query("SELECT user_id, key_hash, "
                    + "expires_at, revoked_at IS NOT NULL FROM client_keys WHERE id = 'key-1'", p -> { }, rs -> rs.getString(1)
                    + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getBoolean(4)));
            assertEquals(east.size(), in.entriesAdded());
            LogReader onSqlite = new LogReader(sqlite);
            LogReader onPostgres = new LogReader(postgres);
            for (String id : east) {
                assertEquals(onSqlite.entry(id).orElseThrow(), onPostgres.entry(id).orElseThrow(), id);
            }
            assertEquals(east.size() + west.size(), count(postgres, "SELECT SUM(requests) FROM usage_rollups WHERE grain = 'd'"));
            assertTrue(new LogSearch(postgres).search(Optional.of(SearchQuery.parse("\"refund policy\"")),
                    LogSearch.Filters.NONE, false, 500, Optional.empty()).hits().stream().anyMatch(h -> east.contains(h.id())),
                    "PostgreSQL's search finds the calls SQLite held");
            assertEquals(0, new Bundles(postgres, "west-1").importFrom(toWest).recordsAdded(), "again: nothing");

            byte[] bytes = Files.readAllBytes(toWest);
            bytes[bytes.length / 2] ^= 0x10;
            Path flipped = dir.resolve("flipped.zip");
            Files.write(flipped, bytes);
            long before = count(postgres, "SELECT COUNT(*) FROM usage_records");
            assertThrows(Bundles.Refused.class, () -> new Bundles(postgres, "west-1").importFrom(flipped));
            assertEquals(before, count(postgres, "SELECT COUNT(*) FROM usage_records"));

            Path toEast = export(postgres, "west-1");
            Bundles.Imported back = new Bundles(sqlite, "east-1").importFrom(toEast);
            assertEquals(west.size(), back.recordsAdded(), "only what SQLite lacked comes back");
            assertEquals(east.size(), back.recordsSkipped());
            assertEquals(east.size() + west.size(), count(sqlite, "SELECT COUNT(*) FROM log_entries"));
            for (String id : west) {
                assertEquals(onPostgres.entry(id).orElseThrow(), onSqlite.entry(id).orElseThrow(), id);
            }
            assertTrue(new LogSearch(sqlite).search(Optional.of(SearchQuery.parse("refund")), LogSearch.Filters.NONE, false,
                    500, Optional.empty()).hits().stream().anyMatch(h -> west.contains(h.id())));
            postgres.close();
        } finally {
            pg.stop();
            sqlite.close();
        }
    }
}
