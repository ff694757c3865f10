package dev.tollgate.usage;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.json.JsonFields;
import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
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
    public static long export(Database db, CallFilter filter, Consumer<JsonObject> out) throws SQLException {
        long[] count = new long[1];
        List<Object> params = new ArrayList<>();
        String where = filter.sql(params);
        new Sql(db).pages("SELECT " + COLUMNS + " FROM usage_records", where, params, BATCH, UsageBundle::row,
                r -> new Object[] {r.getJsonNumber("ts").longValue(), r.getString("id")}, rows -> {
                    rows.forEach(out);
                    count[0] += rows.size();
                });
        return count[0];
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
            byInstance.computeIfAbsent(JsonFields.text(o, "instance_id", 256), k -> new ArrayList<>()).add(record(o));
        }
        long added = 0;
        for (Map.Entry<String, List<UsageRecord>> e : byInstance.entrySet()) {
            added += new UsageTable(db, e.getKey()).insert(e.getValue());
        }
        return new Imported(added, records.size() - added);
    }

    /** Longest text a record field may hold: what {@link Metering} bounds, and a name's length elsewhere. */
    private static final int TEXT = 1024;
    private static final long PRICE = Long.MAX_VALUE / 4;

    /**
     * A record read from a bundle, held to what {@link Metering} would have made: bounded text
     * without control characters, tokens within {@link UsageSanity#MAX_TOKENS}, a real status,
     * nothing negative, so no imported line can corrupt a sum, a page or a header.
     */
    private static UsageRecord record(JsonObject o) {
        String id = JsonFields.required(o, "id", 128);
        try {
            long tokenMax = 2 * UsageSanity.MAX_TOKENS;
            Caller caller = new Caller(new KeyFingerprint(JsonFields.text(o, "api_key_hash", 128),
                    JsonFields.required(o, "api_key_masked", 128)), JsonFields.text(o, "key_id", 256),
                    JsonFields.text(o, "user_id", 256));
            TokenUsage tokens = new TokenUsage(JsonFields.count(o, "prompt_tokens", tokenMax),
                    JsonFields.count(o, "completion_tokens", tokenMax), JsonFields.count(o, "total_tokens", tokenMax),
                    JsonFields.count(o, "cached_tokens", tokenMax), JsonFields.count(o, "reasoning_tokens", tokenMax),
                    JsonFields.count(o, "cache_write_5m_tokens", tokenMax), JsonFields.count(o, "cache_write_1h_tokens", tokenMax));
            Long cost = JsonFields.number(o, "cost_pusd", 0, PRICE);
            Charge charge = cost == null ? null : new Charge(cost, JsonFields.count(o, "price_input_pusd", PRICE),
                    JsonFields.count(o, "price_output_pusd", PRICE), JsonFields.count(o, "price_cached_pusd", PRICE),
                    JsonFields.count(o, "price_cache_write_5m_pusd", PRICE), JsonFields.count(o, "price_cache_write_1h_pusd", PRICE));
            UsageQuality quality = UsageQuality.valueOf(JsonFields.required(o, "usage_quality", 16).toUpperCase(Locale.ROOT));
            return new UsageRecord(id, Instant.ofEpochMilli(JsonFields.count(o, "ts", Long.MAX_VALUE / 2)),
                    JsonFields.required(o, "endpoint", Metering.MAX_ENDPOINT), JsonFields.count(o, "stream", 1) != 0,
                    JsonFields.text(o, "requested_model", TEXT), JsonFields.text(o, "model", TEXT),
                    JsonFields.text(o, "provider", TEXT), JsonFields.text(o, "credential", TEXT), caller,
                    status(o), JsonFields.count(o, "latency_ms", Long.MAX_VALUE / 2),
                    JsonFields.number(o, "ttfb_ms", 0, Long.MAX_VALUE / 2), tokens, quality,
                    JsonFields.text(o, "upstream_request_id", Metering.MAX_UPSTREAM_ID),
                    JsonFields.text(o, "error", Metering.MAX_ERROR), (int) JsonFields.count(o, "attempts", 1000), false, charge,
                    JsonFields.text(o, "usage_reported", TEXT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("usage record " + id + ": " + e.getMessage());
        }
    }

    private static int status(JsonObject o) {
        Long status = JsonFields.number(o, "status", 100, 599);
        if (status == null) {
            throw new IllegalArgumentException("no status");
        }
        return status.intValue();
    }
}
