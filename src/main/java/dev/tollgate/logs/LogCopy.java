package dev.tollgate.logs;

import dev.tollgate.config.TollgateConfig;
import dev.tollgate.store.CopyStore;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The request log's part of the SQLite → PostgreSQL copy: entries a batch at a time, oldest
 * first, each with its row as it was and its messages, written through {@link LogWrites} so each
 * message is found or stored by its hash in the target. Ids are not copied: a target that logs
 * already has its own, and a message copied by id could then point at another's words.
 */
public final class LogCopy implements CopyStore.Part {
    private static final int BATCH = 500;

    @Override
    public String copy(Database from, Database to) throws SQLException {
        LogWrites target = new LogWrites(to, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE);
        long[] read = new long[1];
        new Sql(from).pages("SELECT * FROM log_entries", null, List.of(), BATCH, rs -> {
            ResultSetMetaData meta = rs.getMetaData();
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                row.put(meta.getColumnName(i).toLowerCase(Locale.ROOT), rs.getObject(i));
            }
            return row;
        }, r -> new Object[] {((Number) r.get("ts")).longValue(), r.get("id")}, rows -> {
            Map<String, List<LogEntry.Message>> messages = messages(from, rows);
            List<LogWrites.Copy> copies = new ArrayList<>();
            for (Map<String, Object> row : rows) {
                copies.add(new LogWrites.Copy(row, messages.getOrDefault((String) row.get("id"), List.of())));
            }
            target.writeCopies(copies);
            read[0] += rows.size();
        });
        return "log_entries: " + read[0] + " read, with their messages (entries already there were left as they were)";
    }

    /** Each entry's messages in order, from the source's rows (SQLite keeps the text in its index). */
    private static Map<String, List<LogEntry.Message>> messages(Database from, List<Map<String, Object>> rows) {
        List<Object> ids = rows.stream().map(r -> r.get("id")).collect(Collectors.toList());
        Map<String, List<LogEntry.Message>> out = new HashMap<>();
        new Sql(from).query("SELECT em.entry_id, em.seq, m.hash, m.body, t.text FROM log_entry_messages em "
                + "JOIN log_messages m ON m.id = em.message_id LEFT JOIN log_text t ON t.rowid = m.id WHERE em.entry_id IN ("
                + ids.stream().map(id -> "?").collect(Collectors.joining(",")) + ") ORDER BY em.entry_id, em.seq",
                Sql.params(ids), rs -> out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new LogEntry.Message(rs.getInt(2), rs.getString(3),
                                new String(Deflated.inflate(rs.getBytes(4)), StandardCharsets.UTF_8),
                                rs.getString(5) == null ? "" : rs.getString(5))));
        return out;
    }
}
