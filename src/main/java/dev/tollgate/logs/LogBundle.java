package dev.tollgate.logs;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.TollgateConfig;
import dev.tollgate.json.BoundedJson;
import dev.tollgate.json.JsonFields;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.usage.CallFilter;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The request log in and out of a bundle, one JSON object a logged call: {@code entry} (its row,
 * the request layout in base64), {@code messages} ({@code [seq, hash]} in order) and
 * {@code bodies} (hash → the message's canonical JSON) for each message not sent earlier in the
 * bundle. "Earlier" is remembered for the last {@link #REMEMBERED} messages, so memory stays
 * bounded whatever the bundle's size; a message older than that is sent again, and the import
 * finds it by hash either way. In: rows as they were (conversation, parent, thread), messages
 * found or stored by hash, so nothing lands twice.
 */
public final class LogBundle {
    /** Calls read at a time: their new messages are what an export holds in memory. */
    private static final int BATCH = 100;
    static final int REMEMBERED = 100_000;
    /** The columns an entry may carry in: a bundle's names become SQL, so only these. */
    private static final Set<String> COLUMNS = Set.of("id", "ts", "endpoint", "requested_model", "model", "provider",
            "api_key_masked", "key_id", "user_id", "status", "stream", "flags", "error", "conversation_id", "request",
            "stored_bytes", "thread_key", "parent_id");
    private static final Set<String> NUMBERS = Set.of("ts", "status", "stream", "flags", "stored_bytes");
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(512, Integer.MAX_VALUE);

    private LogBundle() {
    }

    /** What an export wrote: calls, and message bodies (a body sent twice counts twice). */
    public record Exported(long entries, long bodies) {
    }

    /** Hands each logged call of the filter to {@code out}, oldest first. */
    public static Exported export(Database db, CallFilter filter, Consumer<JsonObject> out) throws SQLException {
        Map<String, Boolean> sent = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        };
        long[] counts = new long[2]; // entries, bodies
        List<Object> params = new ArrayList<>();
        String where = filter.sql(params);
        new Sql(db).pages("SELECT " + String.join(", ", COLUMNS) + " FROM log_entries", where, params, BATCH,
                LogBundle::row, r -> new Object[] {r.getJsonNumber("ts").longValue(), r.getString("id")}, rows -> {
                    Map<String, List<Object[]>> links = links(db, rows);
                    Map<Long, String> unsent = bodies(db, links.values().stream().flatMap(List::stream)
                            .filter(l -> !sent.containsKey((String) l[1])).map(l -> (Long) l[2]).distinct().toList());
                    for (JsonObject row : rows) {
                        JsonArrayBuilder messages = JSON.createArrayBuilder();
                        JsonObjectBuilder carried = JSON.createObjectBuilder();
                        for (Object[] link : links.getOrDefault(row.getString("id"), List.of())) {
                            String hash = (String) link[1];
                            messages.add(JSON.createArrayBuilder().add((int) link[0]).add(hash));
                            if (sent.put(hash, Boolean.TRUE) == null) {
                                String body = unsent.get((Long) link[2]);
                                carried.add(hash, body != null ? body : body(db, (Long) link[2]));
                                counts[1]++;
                            }
                        }
                        out.accept(JSON.createObjectBuilder().add("entry", row).add("messages", messages)
                                .add("bodies", carried).build());
                        counts[0]++;
                    }
                });
        return new Exported(counts[0], counts[1]);
    }

    /** An entry's row as a bundle carries it: every column by name, the request layout in base64. */
    private static JsonObject row(ResultSet rs) throws SQLException {
        JsonObjectBuilder row = JSON.createObjectBuilder();
        for (String c : COLUMNS) {
            Object v = rs.getObject(c);
            if (v == null) {
                row.addNull(c);
            } else if (v instanceof byte[] bytes) {
                row.add(c, Base64.getEncoder().encodeToString(bytes));
            } else if (v instanceof Number n) {
                row.add(c, n.longValue());
            } else {
                row.add(c, v.toString());
            }
        }
        return row.build();
    }

    /** Each entry's {seq, hash, message id} in order; no bodies: most were sent with an earlier call. */
    private static Map<String, List<Object[]>> links(Database db, List<JsonObject> rows) {
        List<Object> ids = rows.stream().map(r -> (Object) r.getString("id")).collect(Collectors.toList());
        Map<String, List<Object[]>> out = new LinkedHashMap<>();
        new Sql(db).query("SELECT em.entry_id, em.seq, m.hash, m.id FROM log_entry_messages em JOIN log_messages m "
                + "ON m.id = em.message_id WHERE em.entry_id IN (" + ids.stream().map(id -> "?").collect(Collectors.joining(","))
                + ") ORDER BY em.entry_id, em.seq", Sql.params(ids), rs -> out.computeIfAbsent(rs.getString(1),
                        k -> new ArrayList<>()).add(new Object[] {rs.getInt(2), rs.getString(3), rs.getLong(4)}));
        return out;
    }

    /** The canonical JSON of these messages, by id. */
    private static Map<Long, String> bodies(Database db, List<Long> ids) {
        Map<Long, String> out = new HashMap<>();
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<Object> chunk = new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + BATCH)));
            new Sql(db).query("SELECT id, body FROM log_messages WHERE id IN (" + chunk.stream().map(id -> "?")
                    .collect(Collectors.joining(",")) + ")", Sql.params(chunk), rs -> out.put(rs.getLong(1),
                            new String(Deflated.inflate(rs.getBytes(2)), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** One message's canonical JSON (one sent twice in a batch: the first took it out of the unsent). */
    private static String body(Database db, long id) {
        return bodies(db, List.of(id)).get(id);
    }

    /** What an import did with a bundle's calls. */
    public record Imported(long entriesAdded, long entriesSkipped, long messagesAdded, long messagesSkipped) {
    }

    /**
     * Writes a batch of logged calls read from a bundle, in one transaction; throws
     * {@link IllegalArgumentException} for a line that is not one.
     */
    public static Imported write(Database db, List<JsonObject> lines) throws SQLException {
        List<LogWrites.Copy> copies = new ArrayList<>(lines.size());
        long carried = 0;
        for (JsonObject line : lines) {
            JsonObject bodies = line.getJsonObject("bodies");
            carried += bodies.size();
            copies.add(new LogWrites.Copy(importedRow(line.getJsonObject("entry")), messages(line.getJsonArray("messages"), bodies)));
        }
        LogWrites.Copied copied = new LogWrites(db, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE)
                .writeCopies(copies);
        return new Imported(copied.entries(), lines.size() - copied.entries(), copied.messages(),
                carried - copied.messages());
    }

    /** Longest text column an entry may bring; an error is held to the same as a usage record's. */
    private static final int TEXT = 1024;

    /**
     * An entry's row read from a bundle: only known columns, text bounded and without control
     * characters (a conversation id ends up in an answer's header), numbers in range.
     */
    private static Map<String, Object> importedRow(JsonObject entry) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String name : entry.keySet()) {
            if (!COLUMNS.contains(name)) {
                String shown = name.replaceAll("[^\\x20-\\x7e]", "?");
                throw new IllegalArgumentException("a log entry with an unknown column: "
                        + (shown.length() > 64 ? shown.substring(0, 64) + "…" : shown));
            }
            if (name.equals("request")) {
                String encoded = JsonFields.required(entry, name, Integer.MAX_VALUE); // the line is bounded;
                try {
                    row.put(name, Base64.getDecoder().decode(encoded));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("a log entry's request is not base64");
                }
            } else if (NUMBERS.contains(name)) {
                row.put(name, JsonFields.number(entry, name, 0, Long.MAX_VALUE / 2));
            } else {
                row.put(name, JsonFields.text(entry, name, name.equals("id") ? 128 : TEXT));
            }
        }
        if (!(row.get("id") instanceof String id) || id.isEmpty() || !(row.get("ts") instanceof Long)
                || !(row.get("request") instanceof byte[])) {
            throw new IllegalArgumentException("a log entry without its id, time or request");
        }
        String conversation = (String) row.get("conversation_id");
        if (conversation != null && EntryBuilder.namedConversation(conversation, null) == null) {
            throw new IllegalArgumentException("a log entry's conversation id is not 1 to 128 visible characters");
        }
        return row;
    }

    private static List<LogEntry.Message> messages(JsonArray links, JsonObject bodies) {
        List<LogEntry.Message> out = new ArrayList<>(links.size());
        for (JsonValue v : links) {
            JsonArray link = v.asJsonArray();
            String hash = link.getString(1);
            String json = bodies.containsKey(hash) ? bodies.getString(hash) : null;
            if (json != null && !StoredJson.hash(json).equals(hash)) {
                throw new IllegalArgumentException("message " + hash + " does not hash to its name");
            }
            String text = json == null ? null : StoredJson.text(BoundedJson.value(json, BOUNDS));
            out.add(new LogEntry.Message(link.getInt(0), hash, json, text));
        }
        return out;
    }
}
