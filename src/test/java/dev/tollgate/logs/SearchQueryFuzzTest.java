package dev.tollgate.logs;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any text typed into the search box: a query SQLite's FTS5 runs without a syntax error, or a
 * {@link SearchQuery.BadQuery} that says why. An FTS5 error would reach the caller as a 500.
 */
class SearchQueryFuzzTest {
    private static Connection db;

    @BeforeAll
    static void open() throws SQLException {
        db = DriverManager.getConnection("jdbc:sqlite::memory:");
        try (Statement s = db.createStatement()) {
            s.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'unicode61 remove_diacritics 0')");
            s.execute("INSERT INTO t (text) VALUES ('refund policy timeout retry machine learning')");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    @FuzzTest(maxDuration = "30s")
    void anyTextIsARunnableQueryOrAClearError(@NotNull String text) throws SQLException {
        SearchQuery.Node q;
        try {
            q = SearchQuery.parse(text);
        } catch (SearchQuery.BadQuery e) {
            assertNotNull(e.getMessage());
            return;
        }
        try (PreparedStatement p = db.prepareStatement("SELECT COUNT(*) FROM t WHERE t MATCH ?")) {
            p.setString(1, q.fts5());
            p.executeQuery().close(); // throws on an expression FTS5 cannot read
        }
    }
}
