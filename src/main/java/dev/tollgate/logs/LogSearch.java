package dev.tollgate.logs;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.store.SqlDialect;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds logged calls: ranked by relevance when there is a query (FTS5's BM25 on SQLite, the
 * cover-density rank on PostgreSQL: the best-matching message of each call counts), or newest
 * first; filtered by period, model, key, user, status, provider and conversation; a page at a
 * time by keyset (the last row's sort key), never by offset. Each hit carries a snippet of its
 * best message with the matched words marked.
 */
public final class LogSearch {
    private static final String COLUMNS = "e.id, e.ts, e.requested_model, e.model, e.provider, e.status, e.stream, "
            + "e.flags, e.error, e.conversation_id, e.api_key_masked, e.key_id, e.user_id";

    /**
     * A search ranks among the newest this many matching messages: the work of a query is bounded
     * however common its words are (a word in most messages of a million-call store would otherwise
     * rank them all). Rarer words reach further back; filters by period narrow nothing here, so a
     * search for an old call names rarer words.
     */
    static final int WINDOW = 10_000;

    /** The first slice of message ids a PostgreSQL search looks in. */
    static final long FIRST_SLICE = 50_000;

    private final Database db;
    private final long firstSlice;

    public LogSearch(Database db) {
        this(db, FIRST_SLICE);
    }

    /** @param firstSlice message ids a PostgreSQL search looks among first (tests walk many slices of a small store) */
    LogSearch(Database db, long firstSlice) {
        this.db = db;
        this.firstSlice = firstSlice;
    }

    /** What to find; every filter is optional. {@code model} may hold {@code *} wildcards. */
    public record Filters(Optional<Instant> from, Optional<Instant> to, Optional<String> model, Optional<String> key,
                          Optional<String> user, Optional<StatusFilter> status, Optional<String> provider,
                          Optional<String> conversation) {
        public static final Filters NONE = new Filters(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** One status, or a class of them ({@code 4xx}, {@code 5xx}). */
    public record StatusFilter(int low, int high) {
        /** Parses {@code 200}, {@code 4xx} or {@code error} (400 and above). */
        public static StatusFilter parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("error")) {
                return new StatusFilter(400, 599);
            }
            if (t.matches("[1-5]xx")) {
                int base = (t.charAt(0) - '0') * 100;
                return new StatusFilter(base, base + 99);
            }
            if (t.matches("[1-5][0-9][0-9]")) {
                int s = Integer.parseInt(t);
                return new StatusFilter(s, s);
            }
            throw new IllegalArgumentException("status must be a code such as 429, a class such as 5xx, or 'error'");
        }
    }

    /** A page of hits and the cursor of the next, or null on the last. */
    public record Page(List<Hit> hits, String nextCursor) {
    }

    /** One logged call found; {@code snippet} alternates plain and matched text, {@code marked} says which. */
    public record Hit(String id, Instant ts, String requestedModel, String model, String provider, int status,
                      boolean stream, int flags, String error, String conversationId, String keyMasked, String keyId,
                      String userId, double score, List<Segment> snippet) {
    }

    /** A piece of a snippet: matched by the query, or the text around a match. */
    public record Segment(String text, boolean marked) {
    }

    public Page search(LogQuery q) {
        return search(q.query(), q.filters(), q.byTime(), q.limit(), q.cursor());
    }

    /**
     * @param query  the parsed search, or empty to list newest first
     * @param byTime newest first even with a query
     * @param cursor the {@code nextCursor} of the page before, if any
     */
    public Page search(Optional<SearchQuery.Node> query, Filters filters, boolean byTime, int limit,
                       Optional<String> cursor) {
        boolean ranked = query.isPresent() && !byTime;
        Optional<Object[]> after = cursor.map(c -> decode(c, ranked));
        List<Row> rows = query.isEmpty() ? listing(filters, after, limit + 1)
                : found(query.get(), filters, ranked, after, limit + 1);
        boolean more = rows.size() > limit;
        List<Row> page = more ? rows.subList(0, limit) : rows;
        Map<Long, List<Segment>> snippets = query.isPresent() ? snippets(query.get(), page) : Map.of();
        List<Hit> hits = page.stream().map(r -> r.hit(r.messageId() == null ? List.of()
                : snippets.getOrDefault(r.messageId(), List.of()))).toList();
        String next = more ? encode(page.get(page.size() - 1), ranked) : null;
        return new Page(hits, next);
    }

    private boolean postgres() {
        return db.dialect() == SqlDialect.POSTGRESQL;
    }

    private List<Row> listing(Filters f, Optional<Object[]> after, int rows) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM log_entries e WHERE 1 = 1");
        filters(f, sql, params);
        after.ifPresent(a -> timeCursor(sql, a, params, "e."));
        sql.append(" ORDER BY e.ts DESC, e.id DESC LIMIT ?");
        params.add(rows);
        return new Sql(db).query(sql.toString(), p -> bind(p, params), rs -> row(rs, null, 0));
    }

    /**
     * The page's calls for a query, in two steps: which calls, by id, sort key and best message
     * alone (the grouping sorts small rows, not every column of tens of thousands of links), then
     * those calls' columns.
     */
    private List<Row> found(SearchQuery.Node q, Filters f, boolean ranked, Optional<Object[]> after, int rows) {
        List<Object> params = new ArrayList<>();
        String window = postgres() ? postgresWindow(q, params) : sqliteWindow(q, params);
        StringBuilder sql = new StringBuilder(window + " SELECT e.id, e.ts, h.message_id, h.score FROM ("
                + "SELECT em.entry_id, " + (postgres() ? "(ARRAY_AGG(w.message_id ORDER BY w.score DESC))[1]"
                : "w.message_id") + " AS message_id, MAX(w.score) AS score FROM w "
                + "JOIN log_entry_messages em ON em.message_id = w.message_id GROUP BY em.entry_id) h "
                + "JOIN log_entries e ON e.id = h.entry_id WHERE 1 = 1");
        filters(f, sql, params);
        after.ifPresent(a -> {
            if (ranked) {
                sql.append(" AND (h.score < ? OR (h.score = ? AND e.id > ?))");
                params.add(a[0]);
                params.add(a[0]);
                params.add(a[1]);
            } else {
                timeCursor(sql, a, params, "e.");
            }
        });
        sql.append(ranked ? " ORDER BY h.score DESC, e.id LIMIT ?" : " ORDER BY e.ts DESC, e.id DESC LIMIT ?");
        params.add(rows);
        List<Row> keys = new Sql(db).query(sql.toString(), p -> bind(p, params),
                rs -> new Row(rs.getString(1), rs.getLong(2), null, null, null, 0, false, 0, null, null, null, null, null,
                        rs.getLong(3), rs.getDouble(4)));
        return withColumns(keys);
    }

    /**
     * The newest {@link #WINDOW} matching messages as {@code h(message_id, score)}, higher scores
     * better: FTS5 walks its index newest first and stops there; bm25() is lower for better.
     * Materialized: flattened into the join, bm25() would be out of the full-text query it belongs to.
     * SQLite's MAX() above takes the bare message_id from the row it chose.
     */
    private static String sqliteWindow(SearchQuery.Node q, List<Object> params) {
        params.add(q.fts5());
        return "WITH w AS MATERIALIZED (SELECT rowid AS message_id, -bm25(log_text) AS score FROM log_text "
                + "WHERE log_text MATCH ? ORDER BY rowid DESC LIMIT " + WINDOW + ")";
    }

    /**
     * The same window on PostgreSQL, found a slice of ids at a time, newest first: a GIN index
     * gives every row of a common word unordered, so each slice bounds the rows fetched and ranked
     * to those in it (a slice four times the last, until the window is full or the ids run out).
     * The found messages enter the query as arrays.
     */
    private String postgresWindow(SearchQuery.Node q, List<Object> params) {
        List<Long> ids = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        Long newest = new Sql(db).query("SELECT MAX(id) FROM log_messages", p -> { }, rs -> Sql.getLong(rs, 1)).get(0);
        long high = newest == null ? 0 : newest + 1;
        for (long span = firstSlice; high > 0 && ids.size() < WINDOW; span *= 4) {
            long low = Math.max(0, high - span);
            List<Object> slice = new ArrayList<>();
            String tsquery = q.postgres(slice);
            slice.add(low);
            slice.add(high);
            slice.add(WINDOW - ids.size());
            new Sql(db).query("SELECT m.id, ts_rank_cd(m.tsv, q.q)::float8 FROM (SELECT " + tsquery + " AS q) q "
                    + "JOIN log_messages m ON m.tsv @@ q.q WHERE m.id >= ? AND m.id < ? ORDER BY m.id DESC LIMIT ?",
                    p -> bind(p, slice), rs -> {
                        ids.add(rs.getLong(1));
                        scores.add(rs.getDouble(2));
                        return null;
                    });
            high = low;
        }
        params.add(ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}")));
        params.add(scores.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}")));
        return "WITH w AS (SELECT * FROM unnest(?::bigint[], ?::float8[]) AS w(message_id, score))";
    }

    /** The rows again with every column, in the same order. */
    private List<Row> withColumns(List<Row> keys) {
        if (keys.isEmpty()) {
            return keys;
        }
        Map<String, Row> byId = new HashMap<>();
        for (Row k : keys) {
            byId.put(k.id(), k);
        }
        String in = keys.stream().map(k -> "?").collect(Collectors.joining(","));
        Map<String, Row> full = new HashMap<>();
        new Sql(db).query("SELECT " + COLUMNS + " FROM log_entries e WHERE e.id IN (" + in + ")",
                p -> bind(p, new ArrayList<>(byId.keySet())), rs -> {
                    Row key = byId.get(rs.getString("id"));
                    full.put(key.id(), row(rs, key.messageId(), key.score()));
                    return null;
                });
        return keys.stream().map(k -> full.get(k.id())).filter(r -> r != null).toList();
    }

    private static void timeCursor(StringBuilder sql, Object[] a, List<Object> params, String table) {
        sql.append(" AND (").append(table).append("ts < ? OR (").append(table).append("ts = ? AND ").append(table)
                .append("id < ?))");
        params.add(a[0]);
        params.add(a[0]);
        params.add(a[1]);
    }

    private static void filters(Filters f, StringBuilder sql, List<Object> params) {
        f.from().ifPresent(t -> {
            sql.append(" AND e.ts >= ?");
            params.add(t.toEpochMilli());
        });
        f.to().ifPresent(t -> {
            sql.append(" AND e.ts < ?");
            params.add(t.toEpochMilli());
        });
        f.model().ifPresent(m -> {
            sql.append(" AND (e.requested_model LIKE ? ESCAPE '!' OR e.model LIKE ? ESCAPE '!')");
            String like = m.replace("!", "!!").replace("%", "!%").replace("_", "!_").replace('*', '%');
            params.add(like);
            params.add(like);
        });
        f.key().ifPresent(k -> {
            sql.append(" AND (e.key_id = ? OR e.api_key_masked = ?)");
            params.add(k);
            params.add(k);
        });
        f.user().ifPresent(u -> {
            sql.append(" AND e.user_id = ?");
            params.add(u);
        });
        f.status().ifPresent(s -> {
            sql.append(" AND e.status BETWEEN ? AND ?");
            params.add(s.low());
            params.add(s.high());
        });
        f.provider().ifPresent(p -> {
            sql.append(" AND e.provider = ?");
            params.add(p);
        });
        f.conversation().ifPresent(c -> {
            sql.append(" AND e.conversation_id = ?");
            params.add(c);
        });
    }

    /** Each hit's best message, cut around its matches with them marked. */
    private Map<Long, List<Segment>> snippets(SearchQuery.Node q, List<Row> page) {
        List<Long> ids = page.stream().map(Row::messageId).filter(id -> id != null).distinct().toList();
        if (ids.isEmpty()) {
            return Map.of();
        }
        String in = ids.stream().map(id -> "?").collect(Collectors.joining(","));
        String sql = postgres() ? "SELECT id, text FROM log_messages WHERE id IN (" + in + ")"
                : "SELECT rowid, text FROM log_text WHERE rowid IN (" + in + ")";
        Map<Long, List<Segment>> out = new HashMap<>();
        new Sql(db).query(sql, p -> bind(p, new ArrayList<>(ids)), rs -> out.put(rs.getLong(1),
                Snippet.of(rs.getString(2), q)));
        return out;
    }

    private static void bind(PreparedStatement p, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof Long l) {
                p.setLong(i + 1, l);
            } else if (v instanceof Integer n) {
                p.setInt(i + 1, n);
            } else if (v instanceof Double d) {
                p.setDouble(i + 1, d);
            } else {
                p.setString(i + 1, (String) v);
            }
        }
    }

    private record Row(String id, long ts, String requestedModel, String model, String provider, int status,
                       boolean stream, int flags, String error, String conversationId, String keyMasked, String keyId,
                       String userId, Long messageId, double score) {
        Hit hit(List<Segment> snippet) {
            return new Hit(id, Instant.ofEpochMilli(ts), requestedModel, model, provider, status, stream, flags, error,
                    conversationId, keyMasked, keyId, userId, score, snippet);
        }
    }

    private static Row row(ResultSet rs, Long messageId, double score) throws SQLException {
        return new Row(rs.getString("id"), rs.getLong("ts"), rs.getString("requested_model"), rs.getString("model"),
                rs.getString("provider"), rs.getInt("status"), rs.getInt("stream") != 0, rs.getInt("flags"),
                rs.getString("error"), rs.getString("conversation_id"), rs.getString("api_key_masked"),
                rs.getString("key_id"), rs.getString("user_id"), messageId, score);
    }

    /** The last row's sort key: score and id when ranked, time and id otherwise. */
    private static String encode(Row last, boolean ranked) {
        String key = (ranked ? "s" + last.score() : "t" + last.ts()) + "|" + last.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static Object[] decode(String cursor, boolean ranked) {
        try {
            String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = key.indexOf('|');
            char kind = key.charAt(0);
            if (bar < 2 || kind != (ranked ? 's' : 't')) {
                throw new IllegalArgumentException("cursor belongs to another sort order");
            }
            String value = key.substring(1, bar);
            return new Object[] {ranked ? (Object) Double.parseDouble(value) : (Object) Long.parseLong(value),
                key.substring(bar + 1)};
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("cursor is not one this search gave: start again without it");
        }
    }
}
