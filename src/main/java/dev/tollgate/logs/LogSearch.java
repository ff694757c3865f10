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

    private final Database db;

    public LogSearch(Database db) {
        this.db = db;
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
        List<Object> params = new ArrayList<>();
        String sql = query.isEmpty() ? listing(filters, after, params) : postgres()
                ? postgresSearch(query.get(), filters, ranked, after, params)
                : sqliteSearch(query.get(), filters, ranked, after, params);
        params.add(limit + 1);
        List<Row> rows = new Sql(db).query(sql, p -> bind(p, params), LogSearch::row);
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

    private static String listing(Filters f, Optional<Object[]> after, List<Object> params) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + ", NULL AS message_id, 0.0 AS score "
                + "FROM log_entries e WHERE 1 = 1");
        filters(f, sql, params);
        after.ifPresent(a -> timeCursor(sql, a, params, "e."));
        return sql.append(" ORDER BY e.ts DESC, e.id DESC LIMIT ?").toString();
    }

    private static String sqliteSearch(SearchQuery.Node q, Filters f, boolean ranked, Optional<Object[]> after,
                                       List<Object> params) {
        params.add(q.fts5());
        // the best message of each call: SQLite takes the bare message_id from the row MIN() chose
        // materialized: flattened into the join, bm25() would be out of the full-text query it belongs to
        StringBuilder sql = new StringBuilder("WITH h AS MATERIALIZED (SELECT rowid AS message_id, bm25(log_text) AS rank "
                + "FROM log_text WHERE log_text MATCH ? ORDER BY rowid DESC LIMIT " + WINDOW + ") SELECT " + COLUMNS + ", h.message_id, -MIN(h.rank) AS score FROM h "
                + "JOIN log_entry_messages em ON em.message_id = h.message_id JOIN log_entries e ON e.id = em.entry_id "
                + "WHERE 1 = 1");
        filters(f, sql, params);
        if (!ranked) {
            after.ifPresent(a -> timeCursor(sql, a, params, "e."));
        }
        sql.append(" GROUP BY e.id");
        if (ranked) {
            after.ifPresent(a -> {
                sql.append(" HAVING (-MIN(h.rank) < ? OR (-MIN(h.rank) = ? AND e.id > ?))");
                params.add(a[0]);
                params.add(a[0]);
                params.add(a[1]);
            });
        }
        return sql.append(ranked ? " ORDER BY score DESC, e.id LIMIT ?" : " ORDER BY e.ts DESC, e.id DESC LIMIT ?")
                .toString();
    }

    private static String postgresSearch(SearchQuery.Node q, Filters f, boolean ranked, Optional<Object[]> after,
                                         List<Object> params) {
        StringBuilder inner = new StringBuilder("SELECT DISTINCT ON (e.id) " + COLUMNS + ", m.id AS message_id, "
                + "ts_rank_cd(m.tsv, q.q)::float8 AS score FROM (SELECT " + q.postgres(params) + " AS q) q "
                + "JOIN LATERAL (SELECT id, tsv FROM log_messages WHERE tsv @@ q.q ORDER BY id DESC LIMIT " + WINDOW
                + ") m ON true JOIN log_entry_messages em ON em.message_id = m.id "
                + "JOIN log_entries e ON e.id = em.entry_id WHERE 1 = 1");
        filters(f, inner, params);
        inner.append(" ORDER BY e.id, score DESC");
        StringBuilder sql = new StringBuilder("SELECT * FROM (" + inner + ") e WHERE 1 = 1");
        after.ifPresent(a -> {
            if (ranked) {
                sql.append(" AND (e.score < ? OR (e.score = ? AND e.id > ?))");
                params.add(a[0]);
                params.add(a[0]);
                params.add(a[1]);
            } else {
                timeCursor(sql, a, params, "e.");
            }
        });
        return sql.append(ranked ? " ORDER BY e.score DESC, e.id LIMIT ?" : " ORDER BY e.ts DESC, e.id DESC LIMIT ?")
                .toString();
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

    private static Row row(ResultSet rs) throws SQLException {
        long message = rs.getLong("message_id");
        Long messageId = rs.wasNull() ? null : message;
        return new Row(rs.getString("id"), rs.getLong("ts"), rs.getString("requested_model"), rs.getString("model"),
                rs.getString("provider"), rs.getInt("status"), rs.getInt("stream") != 0, rs.getInt("flags"),
                rs.getString("error"), rs.getString("conversation_id"), rs.getString("api_key_masked"),
                rs.getString("key_id"), rs.getString("user_id"), messageId, rs.getDouble("score"));
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
