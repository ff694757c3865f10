package dev.tollgate.logs;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.store.SqlDialect;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The newest messages a search matches, each with its relevance (higher is better): the most a
 * search ranks, so its work is bounded however common its words are. On SQLite, FTS5 walks its
 * index newest first and stops at the window, scoring with bm25() (lower is better there). On
 * PostgreSQL a GIN index hands every row of a word unordered, so the ids are taken a slice at a
 * time, newest first, each slice four times the last, until the window is full or the ids run out;
 * each slice bounds the rows fetched and ranked (ts_rank_cd) to those in it.
 */
final class MatchWindow {
    /** One matching message and how well it matches. */
    record Match(long messageId, double score) {
    }

    private final Database db;
    private final int size;
    private final long firstSlice;

    /**
     * @param size       messages at most
     * @param firstSlice message ids a PostgreSQL search looks among first (tests walk many slices of a small store)
     */
    MatchWindow(Database db, int size, long firstSlice) {
        this.db = db;
        this.size = size;
        this.firstSlice = firstSlice;
    }

    /** The window's matches, newest first. */
    List<Match> of(SearchQuery.Node q) {
        return db.dialect() == SqlDialect.POSTGRESQL ? postgres(q) : sqlite(q);
    }

    /**
     * The window as a table {@code w(message_id, score)} for a query that goes on with
     * {@code WITH w AS ...}; its parameters are added to {@code params}.
     */
    String table(SearchQuery.Node q, List<Object> params) {
        if (db.dialect() == SqlDialect.SQLITE) {
            // materialized: flattened into a join, bm25() would be out of the full-text query it belongs to
            params.add(q.fts5());
            return "WITH w AS MATERIALIZED (" + sqliteSql() + ")";
        }
        List<Match> matches = postgres(q);
        params.add(matches.stream().map(m -> Long.toString(m.messageId())).collect(Collectors.joining(",", "{", "}")));
        params.add(matches.stream().map(m -> Double.toString(m.score())).collect(Collectors.joining(",", "{", "}")));
        return "WITH w AS (SELECT * FROM unnest(?::bigint[], ?::float8[]) AS w(message_id, score))";
    }

    private String sqliteSql() {
        return "SELECT rowid AS message_id, -bm25(log_text) AS score FROM log_text WHERE log_text MATCH ? "
                + "ORDER BY rowid DESC LIMIT " + size;
    }

    private List<Match> sqlite(SearchQuery.Node q) {
        return new Sql(db).query(sqliteSql(), p -> p.setString(1, q.fts5()),
                rs -> new Match(rs.getLong(1), rs.getDouble(2)));
    }

    private List<Match> postgres(SearchQuery.Node q) {
        List<Match> matches = new ArrayList<>();
        Long newest = new Sql(db).query("SELECT MAX(id) FROM log_messages", p -> { }, rs -> Sql.getLong(rs, 1)).get(0);
        long high = newest == null ? 0 : newest + 1;
        for (long span = firstSlice; high > 0 && matches.size() < size; span = span > Long.MAX_VALUE / 4 ? Long.MAX_VALUE
                : span * 4) {
            long low = Math.max(0, high - span);
            List<Object> params = new ArrayList<>();
            String tsquery = q.postgres(params);
            params.add(low);
            params.add(high);
            params.add(size - matches.size());
            matches.addAll(new Sql(db).query("SELECT m.id, ts_rank_cd(m.tsv, q.q)::float8 FROM (SELECT " + tsquery
                    + " AS q) q JOIN log_messages m ON m.tsv @@ q.q WHERE m.id >= ? AND m.id < ? ORDER BY m.id DESC LIMIT ?",
                    Sql.params(params), rs -> new Match(rs.getLong(1), rs.getDouble(2))));
            high = low;
        }
        return matches;
    }
}
