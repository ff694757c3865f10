package dev.tollgate.usage;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Usage records in and out of a bundle, one JSON object a record (its columns by name). Out: a
 * period's records, oldest first, a thousand at a time. A key's hash leaves only hashed once more
 * with a bundle prefix: no server keeps that value for a live key, yet one key's records still
 * group together. In: each record keeps its id and its source instance; one already here is
 * skipped, rollups count only the new ones, and none is marked admitted, so imported calls never
 * count against this server's limits or budgets.
 */
public final class UsageBundle {
    private static final int BATCH = 1000;
    private static final String COLUMNS = "id, ts, endpoint, stream, requested_model, model, provider, credential, "
            + "api_key_hash, api_key_masked, status, latency_ms, ttfb_ms, prompt_tokens, completion_tokens, total_tokens, "
            + "cached_tokens, reasoning_tokens, usage_quality, upstream_request_id, error, attempts, cost_pusd, "
            + "price_input_pusd, price_output_pusd, price_cached_pusd, user_id, key_id, cache_write_5m_tokens, "
            + "cache_write_1h_tokens, price_cache_write_5m_pusd, price_cache_write_1h_pusd, usage_reported, instance_id";
    private static final List<String> NAMES = List.of(COLUMNS.split(", "));

    private UsageBundle() {
    }

    /** Hands each record of the filter's calls to {@code out}, oldest first; returns how many. */
    public static long export(Database db, CallFilter filter, Consumer<JsonObject> out) {
        long count = 0;
        Object[] after = {Long.MIN_VALUE, ""};
        while (true) {
            List<Object> params = new ArrayList<>();
            String where = filter.sql(params);
            params.addAll(List.of(after[0], after[0], after[1]));
            List<JsonObject> rows = new Sql(db).query("SELECT " + COLUMNS + " FROM usage_records WHERE " + where
                    + " AND (ts > ? OR (ts = ? AND id > ?)) ORDER BY ts, id LIMIT " + BATCH, Sql.params(params),
                    UsageBundle::row);
            rows.forEach(out);
            count += rows.size();
            if (rows.size() < BATCH) {
                return count;
            }
            JsonObject last = rows.get(rows.size() - 1);
            after = new Object[] {last.getJsonNumber("ts").longValue(), last.getString("id")};
        }
    }

    private static JsonObject row(ResultSet rs) throws SQLException {
        JsonObjectBuilder b = JSON.createObjectBuilder();
        for (int i = 0; i < NAMES.size(); i++) {
            Object v = rs.getObject(i + 1);
            String name = NAMES.get(i);
            if (v == null) {
                b.addNull(name);
            } else if (name.equals("api_key_hash")) {
                b.add(name, KeyFingerprint.sha256("tollgate-bundle|" + v));
            } else if (v instanceof Number n) {
                b.add(name, n.longValue());
            } else {
                b.add(name, v.toString());
            }
        }
        return b.build();
    }

    /** What an import did with a bundle's records. */
    public record Imported(long added, long skipped) {
    }

    /** Writes a batch of records read from a bundle; throws {@link IllegalArgumentException} for one that is not a record. */
    public static Imported write(Database db, List<JsonObject> records) throws SQLException {
        Map<String, List<UsageRecord>> byInstance = new LinkedHashMap<>();
        for (JsonObject o : records) {
            byInstance.computeIfAbsent(text(o, "instance_id"), k -> new ArrayList<>()).add(record(o));
        }
        long added = 0;
        for (Map.Entry<String, List<UsageRecord>> e : byInstance.entrySet()) {
            added += new UsageTable(db, e.getKey()).insert(e.getValue());
        }
        return new Imported(added, records.size() - added);
    }

    private static UsageRecord record(JsonObject o) {
        String id = text(o, "id");
        if (id == null || id.isEmpty() || id.length() > 128) {
            throw new IllegalArgumentException("a usage record without a usable id");
        }
        Caller caller = new Caller(new KeyFingerprint(text(o, "api_key_hash"), required(o, "api_key_masked")),
                text(o, "key_id"), text(o, "user_id"));
        TokenUsage tokens = new TokenUsage(number(o, "prompt_tokens"), number(o, "completion_tokens"),
                number(o, "total_tokens"), number(o, "cached_tokens"), number(o, "reasoning_tokens"),
                number(o, "cache_write_5m_tokens"), number(o, "cache_write_1h_tokens"));
        Charge charge = o.get("cost_pusd") instanceof JsonNumber cost ? new Charge(cost.longValue(),
                number(o, "price_input_pusd"), number(o, "price_output_pusd"), number(o, "price_cached_pusd"),
                number(o, "price_cache_write_5m_pusd"), number(o, "price_cache_write_1h_pusd")) : null;
        UsageQuality quality;
        try {
            quality = UsageQuality.valueOf(required(o, "usage_quality").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("usage record " + id + ": unknown usage quality");
        }
        return new UsageRecord(id, Instant.ofEpochMilli(number(o, "ts")), required(o, "endpoint"), number(o, "stream") != 0,
                text(o, "requested_model"), text(o, "model"), text(o, "provider"), text(o, "credential"), caller,
                (int) number(o, "status"), number(o, "latency_ms"),
                o.get("ttfb_ms") instanceof JsonNumber t ? t.longValue() : null, tokens, quality,
                text(o, "upstream_request_id"), text(o, "error"), (int) number(o, "attempts"), false, charge,
                text(o, "usage_reported"));
    }

    private static String text(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }

    private static String required(JsonObject o, String name) {
        String v = text(o, name);
        if (v == null) {
            throw new IllegalArgumentException("a usage record without " + name);
        }
        return v;
    }

    private static long number(JsonObject o, String name) {
        JsonValue v = o.get(name);
        if (v instanceof JsonNumber n) {
            return n.longValueExact();
        }
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return 0;
        }
        throw new IllegalArgumentException("usage record field " + name + " is not a number");
    }
}
