package dev.tollgate.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.TollgateConfig;
import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.store.CopyStore;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request log moves with the SQLite → PostgreSQL copy: into a PostgreSQL that logs already
 * (so its message ids are not the file's), every copied call reads back as it was on SQLite, its
 * conversation included, is found by search, and the calls that were there are untouched; a
 * second copy adds nothing.
 */
class LogCopyIT {
    @TempDir
    Path dir;

    @Test
    void theLogMovesWholeIntoAPostgresqlThatLogsAlready() throws Exception {
        Path file = dir.resolve("tollgate.db");
        Database sqlite = Database.open(file, false);
        sqlite.migrate();
        List<LogEntry> old = GeneratedLog.conversations("old", 30, 11, Instant.parse("2026-11-20T08:00:00Z"));
        new LogWrites(sqlite, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE).write(old);

        PostgresServer pg = PostgresServer.start();
        try {
            DirectPostgresDataSource target = new DirectPostgresDataSource();
            target.setUrl(pg.url());
            target.setUser(pg.user());
            Database postgres = Database.of(target, "copy-it");
            postgres.migrate();
            List<LogEntry> already = GeneratedLog.conversations("new", 10, 12, Instant.parse("2026-12-01T08:00:00Z"));
            new LogWrites(postgres, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE).write(already);
            LogReader onPostgres = new LogReader(postgres);
            String before = onPostgres.entry(already.get(3).id()).orElseThrow().toString();
            sqlite.close();

            ByteArrayOutputStream report = new ByteArrayOutputStream();
            CopyStore.copy(file, target, new PrintStream(report, true));
            assertTrue(report.toString().contains("log_entries: " + old.size() + " read"), report.toString());

            Database source = Database.open(file, false);
            LogReader onSqlite = new LogReader(source);
            for (LogEntry e : old) {
                assertEquals(onSqlite.entry(e.id()).orElseThrow(), onPostgres.entry(e.id()).orElseThrow(), e.id());
            }
            assertEquals(before, onPostgres.entry(already.get(3).id()).orElseThrow().toString(), "what was there stays");
            Set<String> found = new HashSet<>();
            new LogSearch(postgres).search(Optional.of(SearchQuery.parse("refund")), LogSearch.Filters.NONE, false, 500,
                    Optional.empty()).hits().forEach(h -> found.add(h.id()));
            Set<String> expected = new HashSet<>();
            new LogSearch(source).search(Optional.of(SearchQuery.parse("refund")), LogSearch.Filters.NONE, false, 500,
                    Optional.empty()).hits().forEach(h -> expected.add(h.id()));
            assertTrue(found.containsAll(expected), "the copied calls are found by search on PostgreSQL");
            source.close();

            long entries = count(postgres, "log_entries");
            long messages = count(postgres, "log_messages");
            assertEquals(old.size() + already.size(), entries);
            CopyStore.copy(file, target, new PrintStream(new ByteArrayOutputStream(), true));
            assertEquals(entries, count(postgres, "log_entries"), "a second copy adds no call");
            assertEquals(messages, count(postgres, "log_messages"), "nor any message");
            postgres.close();
        } finally {
            pg.stop();
        }
    }

    private static long count(Database db, String table) {
        return new Sql(db).query("SELECT COUNT(*) FROM " + table, p -> { }, rs -> rs.getLong(1)).get(0);
    }
}
