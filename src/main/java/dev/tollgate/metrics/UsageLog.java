package dev.tollgate.metrics;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.store.Database;
import dev.tollgate.store.Sql;
import dev.tollgate.usage.StatusRange;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Single usage records, newest first, a page at a time: what {@code GET /v1/usage} lists. */
public final class UsageLog {
    public static final int MAX_PAGE = 1000;
    private static final String COLUMNS = "id, ts, endpoint, stream, requested_model, model, provider, api_key_masked, "
            + "user_id, key_id, status, latency_ms, ttfb_ms, prompt_tokens, completion_tokens, total_tokens, "
            + "cached_tokens, reasoning_tokens, usage_quality, cost_pusd, attempts, error";

    private final Sql sql;

    public UsageLog(Database db) {
        this.sql = new Sql(db);
    }

    /** One stored record as callers see it (no hashes, no credentials). */
    public record Entry(String id, Instant timestamp, String endpoint, boolean stream, String requestedModel,
                        String model, String provider, String apiKey, String userId, String keyId, int status,
                        long latencyMs, Long ttfbMs, long promptTokens, long completionTokens, long totalTokens,
                        long cachedTokens, long reasoningTokens, String usageQuality, Long costPicoUsd, int attempts,
                        String error) {

        public JsonObject toJson() {
            JsonObjectBuilder b = JSON.createObjectBuilder().add("id", id).add("created_at", timestamp.toString())
                    .add("endpoint", endpoint).add("stream", stream);
            optional(b, "requested_model", requestedModel);
            optional(b, "model", model);
            optional(b, "provider", provider);
            b.add("api_key", apiKey);
            optional(b, "user", userId);
            optional(b, "key_id", keyId);
            b.add("status", status).add("latency_ms", latencyMs);
            if (ttfbMs != null) {
                b.add("ttfb_ms", ttfbMs);
            }
            b.add("prompt_tokens", promptTokens).add("completion_tokens", completionTokens)
                    .add("total_tokens", totalTokens).add("cached_tokens", cachedTokens)
                    .add("reasoning_tokens", reasoningTokens).add("usage_quality", usageQuality);
            if (costPicoUsd != null) {
                b.add("cost_usd", BigDecimal.valueOf(costPicoUsd, 12).stripTrailingZeros());
            }
            b.add("attempts", attempts);
            optional(b, "error", error);
            return b.build();
        }

        private static void optional(JsonObjectBuilder b, String name, String value) {
            if (value != null) {
                b.add(name, value);
            }
        }
    }

    /**
     * Which records to list: those in [from, to), and where given, of one caller (a scope: key,
     * user), one model, statuses in a range.
     */
    public record Filter(Optional<MetricsQuery.Scope> scope, Instant from, Instant to, Optional<String> model,
                         Optional<StatusRange> status) {
    }

    /**
     * Records of the scope in [from, to), optionally of one model, newest first; asks for one
     * more than {@code limit} so the caller can tell whether another page follows.
     */
    public List<Entry> page(MetricsQuery.Scope scope, Instant from, Instant to, Optional<String> model, int limit,
                            long offset) {
        return find(new Filter(Optional.of(scope), from, to, model, Optional.empty()), limit, offset);
    }

    /** Records matching the filter, newest first; one more than {@code limit} when another page follows. */
    public List<Entry> find(Filter f, int limit, long offset) {
        String where = " WHERE ts >= ? AND ts < ?" + f.scope().map(sc -> " AND " + sc.column() + " = ?").orElse("")
                + (f.model().isPresent() ? " AND model = ?" : "")
                + (f.status().isPresent() ? " AND status BETWEEN ? AND ?" : "");
        return sql.query("SELECT " + COLUMNS + " FROM usage_records" + where + " ORDER BY ts DESC, id DESC LIMIT ? OFFSET ?",
                p -> {
                    int i = 1;
                    p.setLong(i++, f.from().toEpochMilli());
                    p.setLong(i++, f.to().toEpochMilli());
                    if (f.scope().isPresent()) {
                        p.setString(i++, f.scope().get().value());
                    }
                    if (f.model().isPresent()) {
                        p.setString(i++, f.model().get());
                    }
                    if (f.status().isPresent()) {
                        p.setInt(i++, f.status().get().low());
                        p.setInt(i++, f.status().get().high());
                    }
                    p.setInt(i++, limit + 1);
                    p.setLong(i, offset);
                },
                rs -> new Entry(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getInt(4) != 0,
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        rs.getString(10), rs.getInt(11), rs.getLong(12), Sql.getLong(rs, 13), rs.getLong(14),
                        rs.getLong(15), rs.getLong(16), rs.getLong(17), rs.getLong(18), rs.getString(19),
                        Sql.getLong(rs, 20), rs.getInt(21), rs.getString(22)));
    }
}
