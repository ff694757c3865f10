package dev.tollgate.logs;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.store.SqlDialect;
import dev.tollgate.usage.StatusRange;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
     * search for an old call names rarer words. Five thousand keeps every documented query form
     * under 200 ms at a million calls on SQLite on two cores (bench/logs.sh); ten thousand took a
     * rare phrase past 300 ms.
     */
    static final int WINDOW = 5_000;

    /** The first slice of message ids a PostgreSQL search looks in. */
    static final long FIRST_SLICE = 50_000;

    private final Database db;
    private final MatchWindow window;

    public LogSearch(Database db) {
        this(db, FIRST_SLICE);
    }

    /** @param firstSlice message ids a PostgreSQL search looks among first (tests walk many slices of a small store) */
    LogSearch(Database db, long firstSlice) {
        this.db = db;
        this.window = new MatchWindow(db, WINDOW, firstSlice);
    }

    /** What to find; every filter is optional. {@code model} may hold {@code *} wildcards. */
    public record Filters(Optional<Instant> from, Optional<Instant> to, Optional<String> model, Optional<String> key,
                          Optional<String> user, Optional<StatusRange> status, Optional<String> provider,
                          Optional<String> conversation) {
        public static final Filters NONE = new Filters(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
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
        return new Sql(db).query(sql.toString(), Sql.params(params), rs -> row(rs, null, 0));
    }

    /** The page's calls for a query: ranked by relevance, or newest first. */
    private List<Row> found(SearchQuery.Node q, Filters f, boolean ranked, Optional<Object[]> after, int rows) {
        return withColumns(ranked ? best(window.of(q), f, after, rows) : newest(q, f, after, rows));
    }

    /**
     * The best calls for the window's matches, walked best message first: a call takes the place of
     * its best message (ties: the newer message, then the call's id), so only as many messages are
     * followed to their calls as the page needs, however many calls the window's messages are in.
     * A later page walks again from the top and leaves out what stood at or before its cursor.
     */
    private List<Row> best(List<MatchWindow.Match> matches, Filters f, Optional<Object[]> after, int rows) {
        List<MatchWindow.Match> order = new ArrayList<>(matches);
        order.sort(Comparator.comparingDouble(MatchWindow.Match::score).reversed()
                .thenComparing(Comparator.comparingLong(MatchWindow.Match::messageId).reversed()));
        Set<String> placed = new HashSet<>();
        List<Row> out = new ArrayList<>();
        for (int from = 0, chunk = 64; from < order.size() && out.size() < rows; from += chunk, chunk = Math.min(chunk * 4,
                1024)) {
            List<MatchWindow.Match> part = order.subList(from, Math.min(order.size(), from + chunk));
            Map<Long, List<String>> calls = calls(part, f);
            for (MatchWindow.Match m : part) {
                for (String id : calls.getOrDefault(m.messageId(), List.of())) {
                    if (!placed.add(id) || after.isPresent() && !follows(m, id, after.get())) {
                        continue;
                    }
                    out.add(new Row(id, 0, null, null, null, 0, false, 0, null, null, null, null, null, m.messageId(),
                            m.score()));
                    if (out.size() == rows) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    /** Whether a call placed at message {@code m} comes after the cursor {score, message id, call id}. */
    private static boolean follows(MatchWindow.Match m, String id, Object[] cursor) {
        int byScore = Double.compare((Double) cursor[0], m.score());
        if (byScore != 0) {
            return byScore > 0;
        }
        int byMessage = Long.compare((Long) cursor[1], m.messageId());
        return byMessage != 0 ? byMessage > 0 : id.compareTo((String) cursor[2]) > 0;
    }

    /** The calls that passed the filters, by message, each message's in id order. */
    private Map<Long, List<String>> calls(List<MatchWindow.Match> part, Filters f) {
        List<Object> params = new ArrayList<>();
        part.forEach(m -> params.add(m.messageId()));
        StringBuilder sql = new StringBuilder("SELECT em.message_id, e.id FROM log_entry_messages em "
                + "JOIN log_entries e ON e.id = em.entry_id WHERE em.message_id IN ("
                + part.stream().map(m -> "?").collect(Collectors.joining(",")) + ")");
        filters(f, sql, params);
        sql.append(" ORDER BY em.message_id, e.id");
        Map<Long, List<String>> calls = new HashMap<>();
        new Sql(db).query(sql.toString(), Sql.params(params), rs -> calls.computeIfAbsent(rs.getLong(1),
                k -> new ArrayList<>()).add(rs.getString(2)));
        return calls;
    }

    /** The newest calls among the window's matches, each with its best message; grouped, as every one needs its time. */
    private List<Row> newest(SearchQuery.Node q, Filters f, Optional<Object[]> after, int rows) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder(window.table(q, params) + " SELECT e.id, e.ts, h.message_id, h.score FROM ("
                + "SELECT em.entry_id, " + (postgres() ? "(ARRAY_AGG(w.message_id ORDER BY w.score DESC))[1]"
                : "w.message_id") + " AS message_id, MAX(w.score) AS score FROM w " // SQLite: the bare column of MAX's row
                + "JOIN log_entry_messages em ON em.message_id = w.message_id GROUP BY em.entry_id) h "
                + "JOIN log_entries e ON e.id = h.entry_id WHERE 1 = 1");
        filters(f, sql, params);
        after.ifPresent(a -> timeCursor(sql, a, params, "e."));
        sql.append(" ORDER BY e.ts DESC, e.id DESC LIMIT ?");
        params.add(rows);
        return new Sql(db).query(sql.toString(), Sql.params(params), rs -> new Row(rs.getString(1), rs.getLong(2), null,
                null, null, 0, false, 0, null, null, null, null, null, rs.getLong(3), rs.getDouble(4)));
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
                Sql.params(new ArrayList<>(byId.keySet())), rs -> {
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
        new Sql(db).query(sql, Sql.params(ids), rs -> out.put(rs.getLong(1),
                Snippet.of(rs.getString(2), q)));
        return out;
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

    /** The last row's place: score, message and id when ranked; time and id otherwise. */
    private static String encode(Row last, boolean ranked) {
        String key = ranked ? "s" + last.score() + "|" + last.messageId() + "|" + last.id() : "t" + last.ts() + "|" + last.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static Object[] decode(String cursor, boolean ranked) {
        try {
            String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (key.isEmpty() || key.charAt(0) != (ranked ? 's' : 't')) {
                throw new IllegalArgumentException("cursor belongs to another sort order");
            }
            String[] parts = key.substring(1).split("\\|", ranked ? 3 : 2);
            if (parts.length != (ranked ? 3 : 2)) {
                throw new IllegalArgumentException("cursor is cut short");
            }
            return ranked ? new Object[] {Double.parseDouble(parts[0]), Long.parseLong(parts[1]), parts[2]}
                    : new Object[] {Long.parseLong(parts[0]), parts[1]};
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("cursor is not one this search gave: start again without it");
        }
    }
}
