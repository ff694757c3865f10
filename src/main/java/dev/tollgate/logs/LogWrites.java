package dev.tollgate.logs;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.store.SqlDialect;
import dev.tollgate.store.Transactions;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes log entries, each message once: a message already stored (by its hash) is referred to,
 * a new one is deflated and indexed for search (FTS5 on SQLite, the generated tsvector on
 * PostgreSQL). Also removes whole days past retention, with the messages no entry refers to any more.
 */
final class LogWrites {
    /** Recently seen message ids by hash: a conversation resends its history every turn. */
    private static final int KNOWN = 20_000;

    private final Database db;
    private final Map<String, Long> known = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > KNOWN;
        }
    };

    LogWrites(Database db) {
        this.db = db;
    }

    /** Writes a batch in one transaction; an entry already there (same id) is left as it is. */
    void write(List<LogEntry> batch) throws SQLException {
        Map<String, Long> learned = new LinkedHashMap<>();
        try (Connection c = db.connection()) {
            Transactions.run(c, tx -> {
                for (LogEntry e : batch) {
                    write(tx, e, learned);
                }
            });
        }
        synchronized (known) { // only after the commit: ids from a rolled-back transaction do not exist
            known.putAll(learned);
        }
    }

    private void write(Connection c, LogEntry e, Map<String, Long> learned) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO log_entries (id, ts, endpoint, requested_model, model, "
                + "provider, api_key_masked, key_id, user_id, status, stream, flags, error, conversation_id, request, "
                + "stored_bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING")) {
            byte[] layout = Deflated.deflate(e.layout().toString().getBytes(StandardCharsets.UTF_8));
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
            p.setString(14, e.conversationId());
            p.setBytes(15, layout);
            p.setLong(16, layout.length);
            if (p.executeUpdate() == 0) {
                return; // written before (a retried batch)
            }
        }
        try (PreparedStatement link = c.prepareStatement(
                "INSERT INTO log_entry_messages (entry_id, seq, message_id) VALUES (?,?,?)")) {
            for (LogEntry.Message m : e.messages()) {
                link.setString(1, e.id());
                link.setInt(2, m.seq());
                link.setLong(3, messageId(c, m, learned));
                link.addBatch();
            }
            link.executeBatch();
        }
    }

    private long messageId(Connection c, LogEntry.Message m, Map<String, Long> learned) throws SQLException {
        Long id = learned.get(m.hash());
        if (id == null) {
            synchronized (known) {
                id = known.get(m.hash());
            }
        }
        if (id != null) {
            return id;
        }
        id = find(c, m.hash());
        if (id == null) {
            id = insert(c, m);
        }
        learned.put(m.hash(), id);
        return id;
    }

    private static Long find(Connection c, String hash) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM log_messages WHERE hash = ?")) {
            p.setString(1, hash);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private long insert(Connection c, LogEntry.Message m) throws SQLException {
        boolean postgres = db.dialect() == SqlDialect.POSTGRESQL;
        byte[] body = Deflated.deflate(m.json().getBytes(StandardCharsets.UTF_8));
        int inserted;
        try (PreparedStatement p = c.prepareStatement(postgres
                ? "INSERT INTO log_messages (hash, body, text) VALUES (?,?,?) ON CONFLICT (hash) DO NOTHING"
                : "INSERT INTO log_messages (hash, body) VALUES (?,?) ON CONFLICT (hash) DO NOTHING")) {
            p.setString(1, m.hash());
            p.setBytes(2, body);
            if (postgres) {
                p.setString(3, m.text().replace('\0', ' ')); // PostgreSQL text holds no NUL
            }
            inserted = p.executeUpdate();
        }
        Long id = find(c, m.hash()); // another instance may have stored it first: either way it is there now
        if (id == null) {
            throw new SQLException("log message " + m.hash() + " vanished while it was written");
        }
        if (inserted == 1 && !postgres) {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO log_text (rowid, text) VALUES (?,?)")) {
                p.setLong(1, id);
                p.setString(2, m.text());
                p.executeUpdate();
            }
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
