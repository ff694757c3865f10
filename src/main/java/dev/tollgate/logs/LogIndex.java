package dev.tollgate.logs;

import dev.tollgate.json.BoundedJson;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.store.SqlDialect;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;

/**
 * Rebuilds the request log's search index from the stored messages, for an operator who suspects
 * it (a file restored from a copy taken mid-write, an index damaged on disk). SQLite: every
 * message's text is read again from its stored JSON into FTS5, a thousand at a time. PostgreSQL:
 * the text is a column and its {@code tsvector} is generated, so the GIN index is rebuilt.
 */
public final class LogIndex {
    private static final int BATCH = 1000;
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(512, Integer.MAX_VALUE);

    private LogIndex() {
    }

    /** Rebuilds the index; returns how many messages it holds. */
    public static long rebuild(Database db) {
        Sql sql = new Sql(db);
        if (db.dialect() == SqlDialect.POSTGRESQL) {
            sql.transaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("REINDEX INDEX log_messages_tsv");
                }
            });
            return sql.query("SELECT COUNT(*) FROM log_messages", p -> { }, rs -> rs.getLong(1)).get(0);
        }
        sql.update("DELETE FROM log_text", p -> { });
        long done = 0;
        long after = Long.MIN_VALUE;
        while (true) {
            long from = after;
            List<Object[]> messages = sql.query("SELECT id, body FROM log_messages WHERE id > ? ORDER BY id LIMIT " + BATCH,
                    p -> p.setLong(1, from), rs -> new Object[] {rs.getLong(1), rs.getBytes(2)});
            if (messages.isEmpty()) {
                return done;
            }
            sql.transaction(c -> {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO log_text (rowid, text) VALUES (?,?)")) {
                    for (Object[] m : messages) {
                        String json = new String(Deflated.inflate((byte[]) m[1]), StandardCharsets.UTF_8);
                        p.setLong(1, (Long) m[0]);
                        p.setString(2, StoredJson.text(BoundedJson.value(json, BOUNDS)));
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            });
            done += messages.size();
            after = (Long) messages.get(messages.size() - 1)[0];
        }
    }
}
