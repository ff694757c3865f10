package dev.tollgate.logs;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.json.BoundedJson;
import dev.tollgate.json.Jsons;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One logged call read back whole: the request put together again from its layout and its
 * messages (equal, as JSON, to what the client sent), the answer as the client received it, and
 * the call's usage, cost and timings from its usage record (the same id).
 */
public final class LogReader {
    /** What a message that retention removed under a newer entry reads as. */
    static final String REMOVED = "(message no longer stored)";
    private static final BoundedJson.Bounds BOUNDS = new BoundedJson.Bounds(512, Integer.MAX_VALUE);

    private final Database db;

    public LogReader(Database db) {
        this.db = db;
    }

    public Optional<JsonObject> entry(String id) {
        Sql sql = new Sql(db);
        List<JsonObjectBuilder> found = sql.query("SELECT e.*, u.prompt_tokens, u.completion_tokens, u.total_tokens, "
                + "u.cached_tokens, u.reasoning_tokens, u.usage_quality, u.cost_pusd, u.latency_ms, u.ttfb_ms "
                + "FROM log_entries e LEFT JOIN usage_records u ON u.id = e.id WHERE e.id = ?",
                p -> p.setString(1, id), LogReader::facts);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JsonObjectBuilder entry = found.get(0);
        JsonObject layout = sql.query("SELECT request FROM log_entries WHERE id = ?", p -> p.setString(1, id),
                rs -> json(rs.getBytes(1)).asJsonObject()).get(0);
        List<Stored> messages = sql.query("SELECT em.seq, m.body FROM log_entry_messages em LEFT JOIN log_messages m "
                + "ON m.id = em.message_id WHERE em.entry_id = ? ORDER BY em.seq", p -> p.setString(1, id),
                rs -> new Stored(rs.getInt(1), rs.getBytes(2)));
        JsonValue answer = JsonValue.NULL;
        Iterator<Stored> conversation = messages.stream().filter(m -> m.seq() >= 0).iterator();
        for (Stored m : messages) {
            if (m.seq() == LogEntry.ANSWER) {
                answer = m.value();
            }
        }
        entry.add("request", request(layout, conversation)).add("response", answer);
        return Optional.of(entry.build());
    }

    /** A conversation holds at most this many calls in one answer. */
    static final int MAX_TURNS = 10_000;

    /**
     * A conversation: who held it, when, its calls in order with the call each continues (branches
     * share a parent), and its totals from their usage records; empty for an unknown id. A call's id
     * stands for the conversation the call is in (an answer names its own call's id when it found no
     * conversation before the log writer did).
     */
    public Optional<JsonObject> conversation(String id) {
        Optional<JsonObject> named = conversationNamed(id);
        if (named.isPresent()) {
            return named;
        }
        return new Sql(db).query("SELECT conversation_id FROM log_entries WHERE id = ?", p -> p.setString(1, id),
                rs -> rs.getString(1)).stream().filter(c -> c != null && !c.equals(id)).findFirst()
                .flatMap(this::conversationNamed);
    }

    private Optional<JsonObject> conversationNamed(String id) {
        List<JsonObjectBuilder> turns = new ArrayList<>();
        long[] totals = new long[3];
        boolean[] priced = {false};
        JsonObjectBuilder caller = JSON.createObjectBuilder();
        String[] span = new String[2];
        new Sql(db).query("SELECT e.id, e.ts, e.requested_model, e.model, e.status, e.parent_id, e.api_key_masked, "
                + "e.key_id, e.user_id, u.total_tokens, u.cost_pusd FROM log_entries e LEFT JOIN usage_records u "
                + "ON u.id = e.id WHERE e.conversation_id = ? ORDER BY e.ts, e.id LIMIT " + (MAX_TURNS + 1),
                p -> p.setString(1, id), rs -> {
                    String ts = Instant.ofEpochMilli(rs.getLong("ts")).toString();
                    span[0] = span[0] == null ? ts : span[0];
                    span[1] = ts;
                    if (turns.isEmpty()) {
                        caller.add("key", Jsons.textOrNull(rs.getString("api_key_masked")))
                                .add("key_id", Jsons.textOrNull(rs.getString("key_id")))
                                .add("user", Jsons.textOrNull(rs.getString("user_id")));
                    }
                    turns.add(JSON.createObjectBuilder().add("id", rs.getString("id")).add("ts", ts)
                            .add("model", Jsons.textOrNull(rs.getString("requested_model")))
                            .add("routed_model", Jsons.textOrNull(rs.getString("model")))
                            .add("status", rs.getInt("status"))
                            .add("parent_id", Jsons.textOrNull(rs.getString("parent_id"))));
                    totals[0]++;
                    totals[1] += rs.getLong("total_tokens");
                    long cost = rs.getLong("cost_pusd");
                    if (!rs.wasNull()) {
                        totals[2] += cost;
                        priced[0] = true;
                    }
                    return null;
                });
        if (turns.isEmpty()) {
            return Optional.empty();
        }
        JsonArrayBuilder list = JSON.createArrayBuilder();
        turns.stream().limit(MAX_TURNS).forEach(list::add);
        return Optional.of(JSON.createObjectBuilder().add("id", id).add("caller", caller).add("started", span[0])
                .add("last", span[1]).add("turns", list).add("more_turns", turns.size() > MAX_TURNS)
                .add("totals", JSON.createObjectBuilder().add("requests", Math.min(totals[0], MAX_TURNS))
                        .add("tokens", totals[1]).add("cost_usd", priced[0]
                                ? JSON.createValue(BigDecimal.valueOf(totals[2], 12).stripTrailingZeros())
                                : JsonValue.NULL))
                .build());
    }

    /** A message as stored, or the placeholder when retention removed it. */
    private record Stored(int seq, byte[] body) {
        JsonValue value() {
            return body == null ? JSON.createValue(REMOVED) : json(body);
        }
    }

    /** The request: its body with each conversation field filled from the messages, in order. */
    private static JsonValue request(JsonObject layout, Iterator<Stored> messages) {
        JsonObjectBuilder body = JSON.createObjectBuilder(layout.getJsonObject("body"));
        for (JsonValue f : layout.getJsonArray("fields")) {
            JsonObject field = f.asJsonObject();
            String name = field.getString("name");
            if (name.isEmpty()) { // the whole request was one message (not a chat call, or cut)
                return messages.hasNext() ? messages.next().value() : JsonValue.EMPTY_JSON_OBJECT;
            }
            if (field.getBoolean("array")) {
                JsonArrayBuilder a = JSON.createArrayBuilder();
                for (int i = 0; i < field.getInt("count") && messages.hasNext(); i++) {
                    a.add(messages.next().value());
                }
                body.add(name, a);
            } else if (messages.hasNext()) {
                body.add(name, messages.next().value());
            }
        }
        return body.build();
    }

    private static JsonValue json(byte[] deflated) {
        String text = new String(Deflated.inflate(deflated), StandardCharsets.UTF_8);
        return BoundedJson.value(text, BOUNDS);
    }

    private static JsonObjectBuilder facts(ResultSet rs) throws SQLException {
        int flags = rs.getInt("flags");
        JsonObjectBuilder b = JSON.createObjectBuilder()
                .add("id", rs.getString("id"))
                .add("ts", Instant.ofEpochMilli(rs.getLong("ts")).toString())
                .add("endpoint", rs.getString("endpoint"));
        b.add("model", Jsons.textOrNull(rs.getString("requested_model")));
        b.add("routed_model", Jsons.textOrNull(rs.getString("model")));
        b.add("provider", Jsons.textOrNull(rs.getString("provider")));
        b.add("key", Jsons.textOrNull(rs.getString("api_key_masked")));
        b.add("key_id", Jsons.textOrNull(rs.getString("key_id")));
        b.add("user", Jsons.textOrNull(rs.getString("user_id")));
        b.add("status", rs.getInt("status")).add("stream", rs.getInt("stream") != 0);
        b.add("error", Jsons.textOrNull(rs.getString("error")));
        b.add("conversation_id", Jsons.textOrNull(rs.getString("conversation_id")));
        b.add("flags", flags(flags));
        String quality = rs.getString("usage_quality");
        if (quality == null) {
            b.add("usage", JsonValue.NULL).add("cost_usd", JsonValue.NULL).add("latency_ms", JsonValue.NULL)
                    .add("ttfb_ms", JsonValue.NULL);
            return b;
        }
        b.add("usage", JSON.createObjectBuilder().add("prompt_tokens", rs.getLong("prompt_tokens"))
                .add("completion_tokens", rs.getLong("completion_tokens")).add("total_tokens", rs.getLong("total_tokens"))
                .add("cached_tokens", rs.getLong("cached_tokens")).add("reasoning_tokens", rs.getLong("reasoning_tokens"))
                .add("quality", quality));
        long cost = rs.getLong("cost_pusd");
        b.add("cost_usd", rs.wasNull() ? JsonValue.NULL : JSON.createValue(BigDecimal.valueOf(cost, 12).stripTrailingZeros()));
        b.add("latency_ms", rs.getLong("latency_ms"));
        long ttfb = rs.getLong("ttfb_ms");
        b.add("ttfb_ms", rs.wasNull() ? JsonValue.NULL : JSON.createValue(ttfb));
        return b;
    }

    /** The flags of an entry as the admin API shows them. */
    public static JsonObject flags(int flags) {
        return JSON.createObjectBuilder().add("partial", (flags & LogEntry.PARTIAL) != 0)
                .add("truncated", (flags & LogEntry.TRUNCATED) != 0).add("redacted", (flags & LogEntry.REDACTED) != 0)
                .add("no_request", (flags & LogEntry.NO_REQUEST) != 0).build();
    }
}
