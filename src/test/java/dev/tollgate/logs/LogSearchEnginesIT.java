package dev.tollgate.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.config.TollgateConfig;
import dev.tollgate.it.DirectPostgresDataSource;
import dev.tollgate.it.PostgresServer;
import dev.tollgate.store.Database;
import dev.tollgate.usage.StatusRange;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same search gives the same calls on SQLite and on a real PostgreSQL: one generated log
 * written to both, every documented query form run on each, the found calls compared (the two
 * engines rank differently; which calls match may not differ). PostgreSQL's search walks its ids a
 * slice at a time: with slices of three messages it walks dozens and still finds what one slice
 * over everything finds, in the same order, and paging through finds each call once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogSearchEnginesIT {
    private PostgresServer pg;
    private Database sqlite;
    private Database postgres;

    @BeforeAll
    void write(@TempDir Path dir) throws Exception {
        sqlite = Database.open(dir.resolve("logs.db"), false);
        sqlite.migrate();
        pg = PostgresServer.start();
        DirectPostgresDataSource source = new DirectPostgresDataSource();
        source.setUrl(pg.url());
        source.setUser(pg.user());
        postgres = Database.of(source, "engines-it");
        postgres.migrate();
        List<LogEntry> entries = GeneratedLog.conversations("call", 40, 7, Instant.parse("2026-11-30T08:00:00Z"));
        new LogWrites(sqlite, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE).write(entries);
        new LogWrites(postgres, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE).write(entries);
    }

    @AfterAll
    void close() {
        sqlite.close();
        postgres.close();
        pg.stop();
    }

    private static List<String> ids(LogSearch search, String q, LogSearch.Filters filters, boolean byTime, int limit) {
        List<String> ids = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            LogSearch.Page page = search.search(Optional.of(SearchQuery.parse(q)), filters, byTime, limit, cursor);
            page.hits().forEach(h -> ids.add(h.id()));
            cursor = Optional.ofNullable(page.nextCursor());
        } while (cursor.isPresent());
        return ids;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refund", "refund policy", "timeout OR délai", "refund NOT policy", "\"refund policy\"",
        "subscr*", "timeout NEAR/2 retry", "rückerstattung", "(order OR invoice) NOT card"})
    void bothEnginesFindTheSameCalls(String q) {
        List<String> onSqlite = ids(new LogSearch(sqlite), q, LogSearch.Filters.NONE, false, 500);
        List<String> onPostgres = ids(new LogSearch(postgres), q, LogSearch.Filters.NONE, false, 500);
        assertFalse(onSqlite.isEmpty(), q + " finds something in the generated log");
        assertEquals(new HashSet<>(onSqlite), new HashSet<>(onPostgres), q);
        assertEquals(onSqlite, ids(new LogSearch(sqlite), q, LogSearch.Filters.NONE, false, 3), q + ", three at a time");
        assertEquals(onSqlite.size(), new HashSet<>(onSqlite).size(), q + ": each call once");
        assertEquals(ids(new LogSearch(sqlite), q, LogSearch.Filters.NONE, true, 500),
                ids(new LogSearch(postgres), q, LogSearch.Filters.NONE, true, 500), q + ", newest first");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refund", "\"refund policy\"", "subscr*", "timeout NEAR/2 retry"})
    void postgresqlSlicesFindWhatOneSliceFinds(String q) {
        LogSearch whole = new LogSearch(postgres, Long.MAX_VALUE / 8);
        LogSearch sliced = new LogSearch(postgres, 3);
        List<String> all = ids(whole, q, LogSearch.Filters.NONE, false, 500);
        assertEquals(all, ids(sliced, q, LogSearch.Filters.NONE, false, 500), q + ", ranked");
        List<String> paged = ids(sliced, q, LogSearch.Filters.NONE, false, 7);
        assertEquals(all, paged, q + ", seven at a time");
        Set<String> once = new HashSet<>(paged);
        assertEquals(paged.size(), once.size(), "each call on one page only");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refund", "card OR payment"})
    void filtersNarrowAlikeOnBothEngines(String q) {
        LogSearch.Filters azureErrors = new LogSearch.Filters(Optional.empty(), Optional.empty(), Optional.of("gpt-4*"),
                Optional.empty(), Optional.empty(), Optional.of(StatusRange.parse("4xx")), Optional.of("azure"),
                Optional.empty());
        List<String> onSqlite = ids(new LogSearch(sqlite), q, azureErrors, true, 5);
        assertFalse(onSqlite.isEmpty(), q + " finds an azure 429 in the generated log");
        assertTrue(onSqlite.stream().allMatch(id -> Integer.parseInt(id.split("-")[1]) % 21 == 0), onSqlite.toString());
        assertEquals(onSqlite, ids(new LogSearch(postgres), q, azureErrors, true, 5));
    }
}
