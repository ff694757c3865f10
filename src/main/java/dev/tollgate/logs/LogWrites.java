package dev.tollgate.logs;

import dev.tollgate.store.Database;
import dev.tollgate.store.PreparedStatements;
import dev.tollgate.store.Sql;
import dev.tollgate.store.SqlDialect;
import dev.tollgate.store.Transactions;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes log entries, each message once: a message already stored (by its hash) is referred to,
 * a new one is deflated and indexed for search (FTS5 on SQLite, the generated tsvector on
 * PostgreSQL). Also removes whole days past retention, with the messages no entry refers to any more.
 */
final class LogWrites {
    /** Recently seen message ids by hash: a conversation resends its history every turn. */
    private static final int KNOWN = 20_000;

    private final Database db;
    private final Duration idle;
    private final RecentThreads recent;
    private final Map<String, Long> known = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > KNOWN;
        }
    };

    /**
     * @param idle   a call continues a conversation only if that conversation was active this recently
     * @param recent told of every call written, for the conversations answers name
     */
    LogWrites(Database db, Duration idle, RecentThreads recent) {
        this.db = db;
        this.idle = idle;
        this.recent = recent;
    }

    LogWrites(Database db, Duration idle) {
        this(db, idle, new RecentThreads(0, idle.toMillis()));
    }

    /** Writes a batch in one transaction; an entry already there (same id) is left as it is. */
    void write(List<LogEntry> batch) throws SQLException {
        inBatch(b -> {
            for (LogEntry e : batch) {
                write(b, e);
            }
        });
    }

    /** An entry read from another store: its row as it was (every column by name), and its messages. */
    record Copy(Map<String, Object> row, List<LogEntry.Message> messages) {
    }

    /**
     * Writes entries copied from another store in one transaction: each row as it was (its
     * conversation and parent included), each message found or stored by its hash, so the links
     * point at this store's ids. An entry already here is left as it is, its links too.
     */
    Copied writeCopies(List<Copy> copies) throws SQLException {
        int[] entries = new int[1];
        Batch batch = inBatch(b -> {
            for (Copy copy : copies) {
                List<String> columns = List.copyOf(copy.row().keySet());
                PreparedStatement p = b.sql().of("INSERT INTO log_entries (" + String.join(", ", columns) + ") VALUES ("
                        + String.join(",", Collections.nCopies(columns.size(), "?")) + ") ON CONFLICT (id) DO NOTHING");
                for (int i = 0; i < columns.size(); i++) {
                    p.setObject(i + 1, copy.row().get(columns.get(i)));
                }
                if (p.executeUpdate() == 1) {
                    entries[0]++;
                    link(b, (String) copy.row().get("id"), copy.messages());
                }
            }
        });
        return new Copied(entries[0], batch.stored()[0]);
    }

    /** What a copy added: entries, and messages not stored before. */
    record Copied(int entries, long messages) {
    }

    @FunctionalInterface
    private interface BatchWork {
        void run(Batch b) throws SQLException;
    }

    private Batch inBatch(BatchWork work) throws SQLException {
        Map<String, Long> learned = new LinkedHashMap<>();
        List<Placed> placed = new ArrayList<>();
        long[] stored = new long[1];
        try (Connection c = db.connection()) {
            Transactions.run(c, tx -> {
                if (db.dialect() == SqlDialect.SQLITE) {
                    // take the write lock first: a transaction that reads, then writes after another
                    // connection (the usage recorder) committed, fails at once with SQLITE_BUSY instead of waiting
                    try (Statement lock = tx.createStatement()) {
                        lock.executeUpdate("DELETE FROM log_entry_messages WHERE 0 = 1");
                    }
                }
                try (PreparedStatements ps = new PreparedStatements(tx); Deflated.Deflating zip = new Deflated.Deflating()) {
                    work.run(new Batch(ps, zip, learned, placed, stored));
                }
            });
        }
        synchronized (known) { // only after the commit: ids from a rolled-back transaction do not exist
            known.putAll(learned);
        }
        for (Placed p : placed) {
            recent.written(p.entry().keys() == null ? null : p.entry().keys().thread(), p.place().conversation(),
                    p.entry().announced(), p.entry().ts().toEpochMilli());
        }
        return new Batch(null, null, learned, placed, stored);
    }

    /**
     * What one batch's writes share: its statements, its deflater, the message ids it has stored so
     * far, where it put each call, and how many messages it stored.
     */
    private record Batch(PreparedStatements sql, Deflated.Deflating zip, Map<String, Long> learned, List<Placed> placed,
                         long[] stored) {
    }

    private record Placed(LogEntry entry, Place place) {
    }

    private void write(Batch b, LogEntry e) throws SQLException {
        PreparedStatements c = b.sql();
        Place place = place(c, e);
        PreparedStatement p = c.of("INSERT INTO log_entries (id, ts, endpoint, requested_model, model, provider, "
                + "api_key_masked, key_id, user_id, status, stream, flags, error, conversation_id, request, stored_bytes, "
                + "thread_key, parent_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING");
        byte[] layout = b.zip().deflate(e.layout().toString().getBytes(StandardCharsets.UTF_8));
        p.setString(1, e.id());
        p.setLong(2, e.ts().toEpochMilli());
        p.setString(3, e.endpoint());
        p.setString(4, e.requestedModel());
        p.setString(5, e.model());
        p.setString(6, e.provider());
        p.setString(7, e.keyMasked());
        p.setString(8, e.keyId());
        p.setString(9, e.userId());
        p.setInt(10, e.status());
        p.setInt(11, e.stream() ? 1 : 0);
        p.setInt(12, e.flags());
        p.setString(13, e.error());
        p.setString(14, place.conversation());
        p.setBytes(15, layout);
        p.setLong(16, layout.length);
        p.setString(17, e.keys() == null ? null : e.keys().thread());
        p.setString(18, place.parent());
        if (p.executeUpdate() == 0) {
            return; // written before (a retried batch)
        }
        b.placed().add(new Placed(e, place));
        link(b, e.id(), e.messages());
    }

    private void link(Batch b, String entry, List<LogEntry.Message> messages) throws SQLException {
        PreparedStatement link = b.sql().of("INSERT INTO log_entry_messages (entry_id, seq, message_id) VALUES (?,?,?)");
        for (LogEntry.Message m : messages) {
            link.setString(1, entry);
            link.setInt(2, m.seq());
            link.setLong(3, messageId(b, m));
            link.addBatch();
        }
        link.executeBatch();
    }

    /** Where a call sits: its conversation (null for calls that are no chat and name none) and the call it continues. */
    private record Place(String conversation, String parent) {
    }

    /**
     * A named conversation is the client's word; otherwise a chat call continues the call whose
     * thread is its longest history, if that conversation was active within the idle window, and
     * else starts a conversation of its own, named after itself.
     */
    private Place place(PreparedStatements c, LogEntry e) throws SQLException {
        Optional<String[]> parent = e.keys() == null ? Optional.empty() : parent(c, e);
        if (e.conversationId() != null) {
            String named = conversationOfCall(c, e.conversationId()).orElse(e.conversationId());
            return new Place(named, parent.filter(p -> named.equals(p[1])).map(p -> p[0]).orElse(null));
        }
        if (parent.isPresent()) {
            return new Place(parent.get()[1], parent.get()[0]);
        }
        return new Place(e.keys() == null ? null : e.id(), null);
    }

    /** The call this one continues and its conversation ({id, conversation}), longest history first. */
    private Optional<String[]> parent(PreparedStatements c, LogEntry e) throws SQLException {
        List<String> history = e.keys().history();
        if (history.isEmpty()) {
            return Optional.empty();
        }
        String in = String.join(",", Collections.nCopies(history.size(), "?"));
        Map<String, String[]> newest = new LinkedHashMap<>();
        PreparedStatement p = c.of("SELECT thread_key, id, conversation_id FROM log_entries WHERE thread_key IN ("
                + in + ") AND ts <= ? ORDER BY ts DESC");
        for (int i = 0; i < history.size(); i++) {
            p.setString(i + 1, history.get(i));
        }
        p.setLong(history.size() + 1, e.ts().toEpochMilli());
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                newest.putIfAbsent(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
            }
        }
        long since = e.ts().minus(idle).toEpochMilli();
        for (String key : history) {
            String[] found = newest.get(key);
            if (found != null && found[1] != null && active(c, found[1], since)) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    /**
     * The conversation of the call with this id, when a client names a conversation by a call's id:
     * an answer names a call's own id when it found no conversation it continues, and the writer may
     * have found one after all.
     */
    private static Optional<String> conversationOfCall(PreparedStatements c, String id) throws SQLException {
        PreparedStatement p = c.of("SELECT conversation_id FROM log_entries WHERE id = ?");
        p.setString(1, id);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
    }

    private static boolean active(PreparedStatements c, String conversation, long since) throws SQLException {
        PreparedStatement p = c.of("SELECT 1 FROM log_entries WHERE conversation_id = ? AND ts >= ? LIMIT 1");
        p.setString(1, conversation);
        p.setLong(2, since);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next();
        }
    }

    private long messageId(Batch b, LogEntry.Message m) throws SQLException {
        Long id = b.learned().get(m.hash());
        if (id == null) {
            synchronized (known) {
                id = known.get(m.hash());
            }
        }
        if (id != null) {
            return id;
        }
        id = find(b.sql(), m.hash());
        if (id == null) {
            if (m.json() == null) { // a copy that names a message it does not carry, and this store lacks
                throw new IllegalArgumentException("message " + m.hash() + " is referred to but not held");
            }
            id = insert(b, m);
        }
        b.learned().put(m.hash(), id);
        return id;
    }

    private static Long find(PreparedStatements c, String hash) throws SQLException {
        PreparedStatement p = c.of("SELECT id FROM log_messages WHERE hash = ?");
        p.setString(1, hash);
        try (ResultSet rs = p.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private long insert(Batch b, LogEntry.Message m) throws SQLException {
        PreparedStatements c = b.sql();
        boolean postgres = db.dialect() == SqlDialect.POSTGRESQL;
        byte[] body = b.zip().deflate(m.json().getBytes(StandardCharsets.UTF_8));
        PreparedStatement p = c.of(postgres
                ? "INSERT INTO log_messages (hash, body, text) VALUES (?,?,?) ON CONFLICT (hash) DO NOTHING"
                : "INSERT INTO log_messages (hash, body) VALUES (?,?) ON CONFLICT (hash) DO NOTHING");
        p.setString(1, m.hash());
        p.setBytes(2, body);
        if (postgres) {
            p.setString(3, m.text().replace('\0', ' ')); // PostgreSQL text holds no NUL
        }
        int inserted = p.executeUpdate();
        b.stored()[0] += inserted;
        Long id = find(c, m.hash()); // another instance may have stored it first: either way it is there now
        if (id == null) {
            throw new SQLException("log message " + m.hash() + " vanished while it was written");
        }
        if (inserted == 1 && !postgres) {
            PreparedStatement text = c.of("INSERT INTO log_text (rowid, text) VALUES (?,?)");
            text.setLong(1, id);
            text.setString(2, m.text());
            text.executeUpdate();
        }
        return id;
    }

    /**
     * Removes every entry before the start of the UTC day {@code days} before {@code now}, then the
     * messages no entry refers to any more; returns how many entries went.
     */
    int deleteBefore(Instant now, int days) {
        long cutoff = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(days).toInstant().toEpochMilli();
        int[] removed = new int[1];
        new Sql(db).transaction(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM log_entry_messages WHERE entry_id IN (SELECT id FROM log_entries WHERE ts < ?)")) {
                p.setLong(1, cutoff);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM log_entries WHERE ts < ?")) {
                p.setLong(1, cutoff);
                removed[0] = p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM log_messages WHERE NOT EXISTS "
                    + "(SELECT 1 FROM log_entry_messages em WHERE em.message_id = log_messages.id)")) {
                p.executeUpdate();
            }
            if (db.dialect() == SqlDialect.SQLITE) {
                try (PreparedStatement p = c.prepareStatement(
                        "DELETE FROM log_text WHERE rowid NOT IN (SELECT id FROM log_messages)")) {
                    p.executeUpdate();
                }
            }
        });
        synchronized (known) {
            known.clear(); // what was removed must not be referred to again
        }
        return removed[0];
    }
}
